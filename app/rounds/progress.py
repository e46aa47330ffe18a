"""Who has started, submitted or not opened their link, by organisation and sector."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import exists
from sqlmodel import Session, col, func, select

from app.enums import InvitationStatus
from app.models import Answer, AssessmentRound, Invitation, Organisation
from scoring.rounding import percentage

SHOWN = (InvitationStatus.NOT_OPENED, InvitationStatus.STARTED, InvitationStatus.SUBMITTED)


@dataclass(frozen=True)
class ProgressRow:
    label: str
    counts: dict[InvitationStatus, int]

    @property
    def invited(self) -> int:
        return sum(self.counts[s] for s in SHOWN)

    @property
    def submitted(self) -> int:
        return self.counts[InvitationStatus.SUBMITTED]

    @property
    def submitted_share(self) -> str:
        return percentage(self.submitted / self.invited if self.invited else None)


@dataclass(frozen=True)
class Shortfall:
    """A sector or organisation with fewer people submitted than the anonymity threshold: its
    answers will be combined with others' or hidden, so the facilitator can still chase."""

    label: str
    kind: str
    submitted: int
    needed: int

    @property
    def sentence(self) -> str:
        outcome = (
            "their answers will be shown only combined with another sector's, or hidden"
            if self.kind == "sector"
            else "its scores will not be shown on their own and it cannot have a partner report"
        )
        return f"{self.label}: {self.submitted} of {self.needed} needed – {outcome}."


@dataclass(frozen=True)
class Progress:
    total: ProgressRow
    by_sector: list[ProgressRow]
    by_organisation: list[ProgressRow]
    submitted_without_answers: int = 0
    """Submitted with nothing answered: counted apart, since they gave no view."""
    shortfalls: tuple[Shortfall, ...] = ()
    """Invited sectors and organisations still below the anonymity threshold, sectors first."""


def progress_of(*, session: Session, assessment_round: AssessmentRound) -> Progress:
    rows = session.exec(
        select(Invitation.status, Organisation)
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(Invitation.round_id == assessment_round.id)
    ).all()
    total: Counter[InvitationStatus] = Counter()
    sectors: dict[str, Counter[InvitationStatus]] = {}
    organisations: dict[str, Counter[InvitationStatus]] = {}
    for stored, organisation in rows:
        status = InvitationStatus(stored)
        total[status] += 1
        sectors.setdefault(organisation.sector.label, Counter())[status] += 1
        organisations.setdefault(organisation.name, Counter())[status] += 1

    def row(label: str, counts: Counter[InvitationStatus]) -> ProgressRow:
        return ProgressRow(label, {s: counts[s] for s in InvitationStatus})

    empty = session.exec(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.round_id == assessment_round.id,
            Invitation.status == InvitationStatus.SUBMITTED,
            ~exists().where(col(Answer.invitation_id) == col(Invitation.id)),
        )
    ).one()
    by_sector = [row(label, c) for label, c in sorted(sectors.items())]
    by_organisation = [row(label, c) for label, c in sorted(organisations.items())]
    k = assessment_round.anonymity_threshold
    return Progress(
        submitted_without_answers=empty,
        total=row("All partners", total),
        by_sector=by_sector,
        by_organisation=by_organisation,
        shortfalls=tuple(
            Shortfall(r.label, kind, r.submitted, k)
            for kind, rows in (("sector", by_sector), ("organisation", by_organisation))
            for r in rows
            if r.submitted < k
        ),
    )
