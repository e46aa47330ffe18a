"""What the pages show of a round, worked out once per process until anything it reads changes.

Every view of the results (and of each of its parts, and every workshop page) scored the round
again: 50 ms of a 130 ms results page for the demo's 40 respondents, growing with a round's
answers, and on forum day twenty partners open the same results at once. ``report_inputs`` (a
few small queries, 10 ms) changes whenever anything a round's scores or reports read changes, so
it is the key: an unchanged round is scored once, and a saved answer, an agreement or a new day
is a new key. The scoring rules and templates are part of the code, which a process reads once.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from app.core.clock import place_today
from app.models import AssessmentRound
from app.results.inputs import reading_only_sources, report_inputs

KEEP = 64
"""Entries kept per process, the least recently used dropped first: a few rounds' views."""

Value = TypeVar("Value")

_recent: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def remembered(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    what: tuple[Any, ...],
    compute: Callable[[], Value],
    published: bool = False,
) -> Value:
    """``compute()``, or what it gave last time for ``what`` of this round, if nothing the
    round's reports read (with ``published``, what forum members read) has changed since;
    ``compute`` may read nothing else (``reading_only_sources``). Two requests arriving together
    may both compute; both get the same answer."""
    key = (
        *what,
        assessment_round.id,
        report_inputs(
            session=session,
            assessment_round=assessment_round,
            today=place_today(),
            published=published,
        ),
    )
    with _lock:
        if key in _recent:
            _recent.move_to_end(key)
            found: Value = _recent[key]
            return found
    with reading_only_sources(session, published=published):
        value = compute()
    with _lock:
        _recent[key] = value
        while len(_recent) > KEEP:
            _recent.popitem(last=False)
    return value


def forget_all() -> None:
    """For tests: each has a database of its own, where ids, and so fingerprints, repeat."""
    with _lock:
        _recent.clear()
