"""What a round's reports and results pages may read, and the fingerprint of it, both from one
list (``SOURCES``), so that a report made from older inputs is never handed over as current.

A download used to score the round and build the report's HTML just to find its cached copy;
now a few small queries say whether anything the report reads has changed since it was made.
The queries are not written beside the reports' own: they are generated from ``SOURCES``, whole
rows unless a source says otherwise, and every report build and every remembered page runs
``reading_only_sources``, which refuses (``UnlistedReadError``) any statement naming a table
``SOURCES`` does not list. A report that starts reading something new therefore fails in every
test that makes one until the source is listed, and once listed it is in the fingerprint; a
column added to a listed table is in it without anyone asking. The day a report is made on
(printed on it) and the code and templates that make it (a new release makes new reports) are
in it too.
"""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import BindParameter, Integer, Select, Table, bindparam, event, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Dialect
from sqlmodel import Session, SQLModel, col

from app.core.paths import PROJECT_ROOT
from app.enums import StoryStatus
from app.models import (
    Action,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    EvidenceQuote,
    Invitation,
    NetworkStory,
    Organisation,
    Place,
    Publication,
    QuestionnaireSnapshot,
)

REPORT_SOURCES = ("reports", "scoring", "questionnaires", "templates/reports", "app/results")
"""Where the code, templates, stylesheet and rules that make a report live."""


@lru_cache(maxsize=1)
def code_version() -> str:
    """Of every file that makes a report, read once per process."""
    digest = hashlib.sha256()
    for folder in REPORT_SOURCES:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


PLACE: BindParameter[int] = bindparam("place_id", type_=Integer)
ROUND: BindParameter[int] = bindparam("round_id", type_=Integer)
_ROUNDS = sa_select(col(AssessmentRound.id)).where(
    col(AssessmentRound.place_id) == PLACE,
    col(AssessmentRound.created_at)
    <= sa_select(col(AssessmentRound.created_at))
    .where(col(AssessmentRound.id) == ROUND)
    .scalar_subquery(),
)
"""The round and the ones created before it, the only ones its reports compare it with
(``earlier_rounds``): answers coming in to a later round leave a baseline's reports as made
(in a burst, every download of a published baseline's report used to make it again)."""


class Scope(Enum):
    """Which rows of a source belong to a round's reports."""

    THE_PLACE = "the place's own row"
    PLACE = "the place's own rows"
    ROUNDS = "rows of the round and the rounds before it"
    ROUNDS_BY_INVITATION = "rows of those rounds' invitations, summed up round by round"
    PUBLISHED_STORIES = "the network library's published stories, of every place"


def table_of(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


@dataclass(frozen=True)
class Source:
    """A table a round's reports and pages read. The fingerprint reads its rows in ``scope``
    whole, or only ``summary`` where whole rows would cost more than they tell, or change with
    things no report prints."""

    model: type[SQLModel]
    scope: Scope
    live: bool = False
    """Read only from live answers, never by what forum members see of a published round."""
    summary: tuple[Any, ...] = ()

    @property
    def table(self) -> Table:
        return table_of(self.model)

    def statement(self) -> Select[Any]:
        rows = self.table.c
        columns = self.summary or tuple(rows)
        if self.scope is Scope.THE_PLACE:
            return sa_select(*columns).where(rows.id == PLACE)
        if self.scope is Scope.PLACE:
            return sa_select(*columns).where(rows.place_id == PLACE).order_by(rows.id)
        if self.scope is Scope.PUBLISHED_STORIES:
            # With the name of each story's place, which the report prints beside it.
            return (
                sa_select(*columns, col(Place.name))
                .join(Place, col(Place.id) == rows.place_id)
                .where(rows.status == StoryStatus.PUBLISHED)
                .order_by(rows.id)
            )
        if self.scope is Scope.ROUNDS_BY_INVITATION:
            return (
                sa_select(col(Invitation.round_id), *columns)
                .join(Invitation, col(Invitation.id) == rows.invitation_id)
                .where(col(Invitation.round_id).in_(_ROUNDS))
                .group_by(col(Invitation.round_id))
                .order_by(col(Invitation.round_id))
            )
        return sa_select(*columns).where(rows.round_id.in_(_ROUNDS)).order_by(rows.id)


SOURCES = (
    Source(Place, Scope.THE_PLACE),
    Source(AssessmentRound, Scope.PLACE),
    Source(Organisation, Scope.PLACE),
    Source(
        Invitation,
        Scope.ROUNDS,
        live=True,
        summary=(
            col(Invitation.id),
            col(Invitation.round_id),
            col(Invitation.organisation_id),
            col(Invitation.status),
            col(Invitation.submitted_at),
        ),
    ),
    Source(
        Answer,
        Scope.ROUNDS_BY_INVITATION,
        live=True,
        summary=(
            func.count(col(Answer.id)),
            func.sum(col(Answer.version)),
            func.max(col(Answer.id)),
            func.max(col(Answer.updated_at)),
        ),
    ),
    Source(
        Publication,
        Scope.ROUNDS,
        summary=(col(Publication.id), col(Publication.round_id), col(Publication.published_at)),
    ),
    Source(ConditionAgreement, Scope.ROUNDS),
    Source(Action, Scope.ROUNDS),
    Source(EvidenceQuote, Scope.ROUNDS),
    Source(NetworkStory, Scope.PUBLISHED_STORIES),
)
"""Everything a round's reports and pages read. Of an invitation, only who answers for which
partner and whether they have submitted: its link's token and nonce change when the link is
issued again and its e-mail times with every reminder, which no report prints (reissuing a link
made the workshop pack again). Answers are counted rather than read (every save, change and
erasure moves their count, versions, newest id or newest time); a publication is never changed
once made, so its id stands for its snapshot. Live answers and invitations are
left out of what forum members read of a published round: only its snapshots (through the
publications), the rounds, partners and the forum's records (a quote goes when its answer is
erased, so the quotes still say so), which makes a forum member's page cheaper by about a third."""

UNCHANGING = (QuestionnaireSnapshot,)
"""Read but not fingerprinted: a definition is stored once under the hash its round names (in
the fingerprint), and never changed."""


class UnlistedReadError(RuntimeError):
    """A report or page read a table its fingerprint does not: a made copy could go stale."""


@cache
def _statements(published: bool) -> tuple[Select[Any], ...]:
    """Built once, and run on the session's connection rather than through the ORM: they name
    columns, not objects, and the ORM's handling of each cost more than running it."""
    return tuple(s.statement() for s in SOURCES if not (published and s.live))


def fingerprinted_tables(dialect: Dialect, *, published: bool = False) -> set[str]:
    """The tables the fingerprint reads, as its SQL names them."""
    return {
        table.name
        for statement in _statements(published)
        for table in SQLModel.metadata.sorted_tables
        if re.search(rf"\b{table.name}\b", str(statement.compile(dialect=dialect)))
    }


@cache
def _allowed(published: bool) -> frozenset[str]:
    listed = {s.table.name for s in SOURCES if not (published and s.live)}
    return frozenset(listed | {table_of(m).name for m in UNCHANGING})


_TABLE_NAMES = re.compile(
    r"\b(" + "|".join(re.escape(t.name) for t in SQLModel.metadata.sorted_tables) + r")\b"
)


@lru_cache(maxsize=512)
def _unlisted(statement: str, published: bool) -> frozenset[str]:
    """The tables a statement names that are not sources (the same statements run again and
    again, so each is looked at once)."""
    return frozenset(_TABLE_NAMES.findall(statement)) - _allowed(published)


@contextmanager
def reading_only_sources(session: Session, *, published: bool = False) -> Iterator[None]:
    """Refuse, for as long as it lasts, any statement on the session's connection that names a
    table ``SOURCES`` does not list (with ``published``, a live one as well)."""
    connection = session.connection()

    def check(_conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        unlisted = _unlisted(statement, published)
        if unlisted:
            raise UnlistedReadError(
                f"a report read {', '.join(sorted(unlisted))}, which its fingerprint does not: "
                "list it in SOURCES (app/results/inputs.py), or a copy made before it changed "
                "would be handed over as current"
            )

    event.listen(connection, "before_cursor_execute", check)
    try:
        yield
    finally:
        event.remove(connection, "before_cursor_execute", check)


def report_inputs(
    *, session: Session, assessment_round: AssessmentRound, today: date, published: bool = False
) -> str:
    """A hash that changes whenever the reports of this round could (see the module's words);
    with ``published``, whenever what forum members read of it could."""
    parts: list[object] = [code_version(), today.isoformat(), assessment_round.id, published]
    connection = session.connection()
    for statement in _statements(published):
        parts += [
            tuple(row)
            for row in connection.execute(
                statement, {"place_id": assessment_round.place_id, "round_id": assessment_round.id}
            )
        ]
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
