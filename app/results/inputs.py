"""The fingerprint of everything a report is made from, so that a report already made is handed
over again instead of being made again.

A download used to score the round and build the report's HTML just to find its cached copy;
now a few small queries say whether anything the report reads has changed since it was made:
the place, its partners and rounds (the comparison depends on the earlier ones) and, for this
round and the ones before it, who was invited and who submitted, every answer (their count,
versions and newest id move with every save, change and erasure), each version published (what
viewers read), what the forum agreed, planned and quoted; the day it is made on (printed on
it), and the code and templates that make it (a new release makes new reports).
"""

import hashlib
import re
from datetime import date
from functools import lru_cache

from sqlalchemy import BindParameter, Integer, bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlmodel import Session, SQLModel, col

from app.core.paths import PROJECT_ROOT
from app.models import (
    Action,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    EvidenceQuote,
    Invitation,
    Organisation,
    Place,
    Publication,
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
_INVITATIONS = (
    sa_select(
        col(Invitation.id),
        col(Invitation.round_id),
        col(Invitation.organisation_id),
        col(Invitation.status),
        col(Invitation.submitted_at),
    )
    .where(col(Invitation.round_id).in_(_ROUNDS))
    .order_by(col(Invitation.id))
)
_ANSWERS = (
    sa_select(
        col(Invitation.round_id),
        func.count(col(Answer.id)),
        func.sum(col(Answer.version)),
        func.max(col(Answer.id)),
    )
    .join(Invitation, col(Invitation.id) == col(Answer.invitation_id))
    .where(col(Invitation.round_id).in_(_ROUNDS))
    .group_by(col(Invitation.round_id))
    .order_by(col(Invitation.round_id))
)
_STATEMENTS = (
    sa_select(col(Place.name), col(Place.description)).where(col(Place.id) == PLACE),
    sa_select(
        col(AssessmentRound.id),
        col(AssessmentRound.title),
        col(AssessmentRound.status),
        col(AssessmentRound.opens_on),
        col(AssessmentRound.closes_on),
        col(AssessmentRound.anonymity_threshold),
        col(AssessmentRound.questionnaire_hash),
        col(AssessmentRound.created_at),
    )
    .where(col(AssessmentRound.place_id) == PLACE)
    .order_by(col(AssessmentRound.id)),
    sa_select(col(Organisation.id), col(Organisation.name), col(Organisation.sector))
    .where(col(Organisation.place_id) == PLACE)
    .order_by(col(Organisation.id)),
    _INVITATIONS,
    _ANSWERS,
    sa_select(col(Publication.id), col(Publication.round_id))
    .where(col(Publication.round_id).in_(_ROUNDS))
    .order_by(col(Publication.id)),
    *(
        sa_select(*record.__table__.columns)  # type: ignore[union-attr]
        .where(col(record.round_id).in_(_ROUNDS))
        .order_by(col(record.id))
        for record in (ConditionAgreement, Action, EvidenceQuote)
    ),
)
"""Built once, and run on the session's connection rather than through the ORM: they name
columns, not objects, and the ORM's handling of each cost more than running it."""

_PUBLISHED = tuple(s for s in _STATEMENTS if s is not _INVITATIONS and s is not _ANSWERS)
"""What a published view reads: no invitation and no answer, only the snapshots (through the
publications), the rounds, partners and the forum's records (a quote goes when its answer is
erased, so the quotes still say so). Skipping the two largest queries makes a forum member's
page cheaper by about a third."""


def fingerprinted_tables(dialect: Dialect) -> set[str]:
    """The tables the fingerprint reads, as its SQL names them: a test compares them with the
    tables a report really reads, so that one read newly is never left out of the fingerprint
    (and a report made from older inputs handed over as current)."""
    return {
        table.name
        for statement in _STATEMENTS
        for table in SQLModel.metadata.sorted_tables
        if re.search(rf"\b{table.name}\b", str(statement.compile(dialect=dialect)))
    }


def report_inputs(
    *, session: Session, assessment_round: AssessmentRound, today: date, published: bool = False
) -> str:
    """A hash that changes whenever the reports of this round could (see the module's words);
    with ``published``, whenever what forum members read of it could."""
    parts: list[object] = [code_version(), today.isoformat(), assessment_round.id, published]
    connection = session.connection()
    for statement in _PUBLISHED if published else _STATEMENTS:
        parts += [
            tuple(row)
            for row in connection.execute(
                statement, {"place_id": assessment_round.place_id, "round_id": assessment_round.id}
            )
        ]
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
