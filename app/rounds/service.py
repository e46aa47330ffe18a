"""Assessment rounds: starting one, changing its details, moving it through its statuses, and
starting the next."""

from datetime import date

from sqlmodel import Session, col, select

from app.core.clock import place_today
from app.core.exceptions import ChangeRefusedError
from app.enums import ActionStatus, InvitationStatus, RoundStatus
from app.invitations.service import invite
from app.models import (
    Action,
    ActionBase,
    AssessmentRound,
    AssessmentRoundBase,
    Invitation,
    Organisation,
    Place,
)
from app.network.service import withdraw_from_network
from app.results.publication import record_publication
from app.rounds.definitions import snapshot_definition
from questionnaires.schema import Definition

# Which status a round may move to from each status, and the button that does it.
TRANSITIONS: dict[RoundStatus, dict[RoundStatus, str]] = {
    RoundStatus.DRAFT: {RoundStatus.OPEN: "Open the round for answers"},
    RoundStatus.OPEN: {RoundStatus.CLOSED: "Close the round"},
    RoundStatus.CLOSED: {
        RoundStatus.PUBLISHED: "Publish the results",
        RoundStatus.OPEN: "Reopen for late answers",
    },
    RoundStatus.PUBLISHED: {RoundStatus.CLOSED: "Withdraw publication"},
}


CONSEQUENCES: dict[tuple[RoundStatus, RoundStatus], tuple[str, ...]] = {
    (RoundStatus.DRAFT, RoundStatus.OPEN): (
        "Everyone invited can start answering with their own link.",
        "Facilitators see results as soon as the first person submits; forum members with a "
        "viewer's account see them only once you publish.",
    ),
    (RoundStatus.OPEN, RoundStatus.CLOSED): (
        "Links stop accepting answers at once. People part-way through cannot finish unless "
        "you reopen the round; what they have not submitted does not count in the results.",
    ),
    (RoundStatus.CLOSED, RoundStatus.PUBLISHED): (
        "Forum members with a viewer's account can read the results and download the forum report.",
        "Once published, the results cannot be published again in a version that differs "
        "from this one by fewer people than the anonymity threshold, so that no one's "
        "answers can be worked out by comparing the two.",
    ),
    (RoundStatus.CLOSED, RoundStatus.OPEN): (
        "Links accept answers again, including from people who had not finished.",
    ),
    (RoundStatus.PUBLISHED, RoundStatus.CLOSED): (
        "Forum members with a viewer's account can no longer read the results or the forum "
        "report. Copies already downloaded are not affected.",
        "If these results are shared with other places, they stop being shared; publishing "
        "them again does not share them again unless you choose to.",
    ),
}
"""What each change of status does, said on the page that asks the facilitator to confirm it."""

NOW = {
    RoundStatus.OPEN: "The round is open: invited people can answer with their links.",
    RoundStatus.CLOSED: "The round is closed: links no longer accept answers.",
    RoundStatus.PUBLISHED: "The results are published: forum members can read them.",
}


def rounds_of(session: Session, place_id: int | None) -> list[AssessmentRound]:
    return list(
        session.exec(
            select(AssessmentRound)
            .where(AssessmentRound.place_id == place_id)
            .order_by(col(AssessmentRound.created_at).desc(), col(AssessmentRound.id).desc())
        ).all()
    )


def create_round(
    *, session: Session, place: Place, definition: Definition, details: AssessmentRoundBase
) -> AssessmentRound:
    assert place.id is not None
    snapshot = snapshot_definition(session=session, definition=definition)
    assessment_round = AssessmentRound(
        place_id=place.id,
        title=details.title,
        questionnaire_hash=snapshot.content_hash,
        opens_on=details.opens_on,
        closes_on=details.closes_on,
        remind_days_before=details.remind_days_before,
        anonymity_threshold=details.anonymity_threshold,
    )
    session.add(assessment_round)
    session.flush()
    return assessment_round


EDITABLE = ("title", "opens_on", "closes_on", "remind_days_before", "anonymity_threshold")


def change_details(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    details: AssessmentRoundBase,
    today: date,
) -> dict[str, list[str | None]]:
    """Change a round's title, dates, reminder and (while it is a draft) threshold; returns
    each changed field's before and after, for the audit log.

    The threshold is fixed once anyone may have answered: lowering it later would show groups
    that were promised a larger crowd. An open round cannot be given a closing date already
    past (that would close it at the next check); closing now is the "Close the round" button.
    A new closing date or reminder lets the reminder go out again before the new date.
    """
    if (
        details.anonymity_threshold != assessment_round.anonymity_threshold
        and assessment_round.status is not RoundStatus.DRAFT
    ):
        raise ChangeRefusedError(
            "The anonymity threshold cannot change once the round has opened",
            field="anonymity_threshold",
        )
    if (
        assessment_round.status is RoundStatus.OPEN
        and details.closes_on is not None
        and details.closes_on < today
        and details.closes_on != assessment_round.closes_on
    ):
        raise ChangeRefusedError(
            "The closing date must be today or later; to stop answers now, close the round",
            field="closes_on",
        )
    changes: dict[str, list[str | None]] = {}
    for name in EDITABLE:
        before, after = getattr(assessment_round, name), getattr(details, name)
        if before != after:
            changes[name] = [_text(before), _text(after)]
            setattr(assessment_round, name, after)
    if {"closes_on", "remind_days_before"} & set(changes):
        assessment_round.reminder_sent_on = None
    session.add(assessment_round)
    return changes


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def change_status(
    *, session: Session, assessment_round: AssessmentRound, to: RoundStatus
) -> RoundStatus:
    before = assessment_round.status
    if to not in TRANSITIONS[before]:
        raise ChangeRefusedError(f"A {before.value} round cannot become {to.value}")
    closes_on = assessment_round.closes_on
    if to is RoundStatus.OPEN and closes_on is not None and closes_on < place_today():
        # Opened as it is, the round would close itself again at the next check.
        raise ChangeRefusedError(
            f"The closing date, {closes_on.day} {closes_on:%B %Y}, has passed. Change the "
            "round's closing date first, then open it"
        )
    if to is RoundStatus.PUBLISHED:
        record_publication(session=session, assessment_round=assessment_round)
    elif before is RoundStatus.PUBLISHED:
        # Published again later, the round joins the network only if the place says so again.
        withdraw_from_network(session=session, assessment_round=assessment_round)
    assessment_round.status = to
    session.add(assessment_round)
    return before


def reassess(
    *, session: Session, previous: AssessmentRound, title: str, secret: str
) -> AssessmentRound:
    """A new draft round for the same place and questionnaire, inviting the same people and
    carrying forward the action plan's open actions (not started or in progress), with their
    status, so the forum picks up where it left off. A draft has nothing to assess again:
    change it instead."""
    if previous.status is RoundStatus.DRAFT:
        raise ChangeRefusedError(
            "This round has not opened yet: change it rather than starting another"
        )
    new_round = AssessmentRound(
        place_id=previous.place_id,
        title=title,
        questionnaire_hash=previous.questionnaire_hash,
        anonymity_threshold=previous.anonymity_threshold,
    )
    session.add(new_round)
    session.flush()
    invitations = session.exec(
        select(Invitation, Organisation)
        .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
        .where(
            Invitation.round_id == previous.id,
            Invitation.status != InvitationStatus.REVOKED,
        )
        .order_by(col(Invitation.id))
    ).all()
    for invitation, organisation in invitations:
        invite(
            session=session,
            assessment_round=new_round,
            organisation=organisation,
            invitee=invitation,
            secret=secret,
        )
    for action in open_actions(session=session, assessment_round=previous):
        session.add(
            Action(
                **action.model_dump(include=set(ActionBase.model_fields)),
                round_id=new_round.id or 0,
                status=action.status,
            )
        )
    return new_round


def open_actions(*, session: Session, assessment_round: AssessmentRound) -> list[Action]:
    return list(
        session.exec(
            select(Action)
            .where(
                Action.round_id == assessment_round.id,
                col(Action.status).in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
            )
            .order_by(col(Action.id))
        ).all()
    )
