"""A round's data out and back in as JSON that restores it exactly.

The file holds everything needed to rebuild the round in a place: the questionnaire snapshot
(checked against its hash on the way back in), organisations by name and sector, invitations
with their answers and link nonces (so links keep working with the same secret key), and what
the workshop recorded. Restoring it gives a round whose scores are identical.
"""

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlmodel import Session, col, select

from app.core.db import insert_rows
from app.core.fields import plain_text
from app.enums import ActionStatus, AnswerKind, InvitationStatus, RoundStatus
from app.invitations.service import invitations_of, invite, links_in_use
from app.models import (
    MAX_LEVEL,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    Action,
    ActionBase,
    Answer,
    AssessmentRound,
    ConditionAgreement,
    ConditionAgreementBase,
    EvidenceQuote,
    EvidenceQuoteBase,
    Invitation,
    InvitationBase,
    Organisation,
    Place,
    QuestionnaireSnapshot,
    utcnow,
)
from app.rounds.definitions import snapshot_definition
from questionnaires.schema import Definition
from questionnaires.sectors import Sector

FORMAT = "placecheck-round"
FORMAT_VERSION = 1


class ImportRefusedError(ValueError):
    """The file cannot be imported; the message says why."""


def answers_by_invitation(session: Session, invitation_ids: list[int]) -> dict[int, list[Answer]]:
    grouped: dict[int, list[Answer]] = {i: [] for i in invitation_ids}
    for answer in session.exec(
        select(Answer).where(col(Answer.invitation_id).in_(invitation_ids)).order_by(col(Answer.id))
    ).all():
        grouped[answer.invitation_id].append(answer)
    return grouped


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_json(*, session: Session, assessment_round: AssessmentRound) -> dict[str, Any]:
    place = session.get(Place, assessment_round.place_id)
    snapshot = session.get(QuestionnaireSnapshot, assessment_round.questionnaire_hash)
    assert place is not None and snapshot is not None
    rows = invitations_of(session, assessment_round)
    answers = answers_by_invitation(session, [i.id for i, _ in rows if i.id is not None])
    organisations = {o.id: o for _, o in rows}
    for organisation in session.exec(
        select(Organisation).where(Organisation.place_id == place.id)
    ).all():
        organisations.setdefault(organisation.id, organisation)
    names = {o.id: o.name for o in organisations.values()}
    answer_index = {
        a.id: (inv.id, a.item_id) for inv, _ in rows for a in answers.get(inv.id or 0, [])
    }
    quotes = session.exec(
        select(EvidenceQuote).where(EvidenceQuote.round_id == assessment_round.id)
    ).all()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "place": {"name": place.name, "slug": place.slug},
        "round": {
            "title": assessment_round.title,
            "status": assessment_round.status.value,
            "opens_on": _iso(assessment_round.opens_on),
            "closes_on": _iso(assessment_round.closes_on),
            "anonymity_threshold": assessment_round.anonymity_threshold,
            "created_at": _iso(assessment_round.created_at),
        },
        "questionnaire": {
            "content_hash": snapshot.content_hash,
            "definition": json.loads(snapshot.canonical_json),
        },
        "organisations": [
            {"name": o.name, "sector": o.sector.value}
            for o in sorted(organisations.values(), key=lambda o: o.name)
        ],
        "invitations": [
            {
                "key": invitation.id,
                "organisation": organisation.name,
                "role_title": invitation.role_title,
                "name": invitation.name,
                "email": invitation.email,
                "status": invitation.status.value,
                "link_nonce": invitation.link_nonce,
                "created_at": _iso(invitation.created_at),
                "submitted_at": _iso(invitation.submitted_at),
                "answers": [
                    {
                        "item_id": a.item_id,
                        "kind": a.kind.value,
                        "level": a.level,
                        "evidence": a.evidence,
                    }
                    for a in answers.get(invitation.id or 0, [])
                ],
            }
            for invitation, organisation in rows
        ],
        "agreements": [
            {
                "condition_id": a.condition_id,
                "agreed_level": a.agreed_level,
                "could_not_agree": a.could_not_agree,
                "rationale": a.rationale,
            }
            for a in session.exec(
                select(ConditionAgreement).where(ConditionAgreement.round_id == assessment_round.id)
            ).all()
        ],
        "actions": [
            {
                "description": a.description,
                "condition_id": a.condition_id,
                "recommendation_id": a.recommendation_id,
                "lead": names.get(a.lead_organisation_id),
                "due_on": _iso(a.due_on),
                "status": a.status.value,
            }
            for a in session.exec(
                select(Action)
                .where(Action.round_id == assessment_round.id)
                .order_by(col(Action.id))
            ).all()
        ],
        "quotes": [
            {
                "invitation": answer_index[q.answer_id][0],
                "item_id": answer_index[q.answer_id][1],
                "subject_id": q.subject_id,
                "text": q.text,
            }
            for q in quotes
            if q.answer_id in answer_index
        ],
    }


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AnswerRecord(Record):
    item_id: str = Field(min_length=1, max_length=120)
    kind: AnswerKind
    level: int | None = Field(default=None, ge=1, le=MAX_LEVEL)
    evidence: str | None = Field(default=None, max_length=4000)

    _plain_text = field_validator("evidence")(plain_text)

    @model_validator(mode="after")
    def _level_only_for_levels(self) -> "AnswerRecord":
        if (self.kind is AnswerKind.LEVEL) != (self.level is not None):
            raise ValueError("an answer has a level exactly when its kind is 'level'")
        return self


class InvitationRecord(InvitationBase):
    """An invitation with its answers: the form's fields and limits, and what the round held."""

    key: int | str | None = None
    organisation: str = Field(min_length=1, max_length=200)
    role_title: str = Field(default="Respondent", min_length=1, max_length=200)
    status: InvitationStatus
    link_nonce: str | None = Field(default=None, max_length=120)
    submitted_at: datetime | None = None
    answers: list[AnswerRecord] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _each_item_once(self) -> "InvitationRecord":
        items = [a.item_id for a in self.answers]
        if len(items) != len(set(items)):
            raise ValueError(f"invitation {self.key} answers the same question twice")
        return self


class OrganisationRecord(Record):
    name: str = Field(min_length=1, max_length=200)
    sector: Sector


class RoundRecord(Record):
    title: str = Field(default="Imported round", min_length=1, max_length=200)
    status: RoundStatus
    opens_on: date | None = None
    closes_on: date | None = None
    anonymity_threshold: int = Field(default=3, ge=MIN_THRESHOLD, le=MAX_THRESHOLD)
    created_at: datetime | None = None


class AgreementRecord(ConditionAgreementBase):
    condition_id: str = Field(min_length=1, max_length=120)


class ActionRecord(ActionBase):
    """An action with its lead named, not numbered: ids mean nothing in another database."""

    lead: str | None = Field(default=None, max_length=200)
    status: ActionStatus = ActionStatus.NOT_STARTED


class QuoteRecord(EvidenceQuoteBase):
    invitation: int | str | None = None
    item_id: str = Field(max_length=120)
    subject_id: str = Field(min_length=1, max_length=120)


class QuestionnaireRecord(Record):
    content_hash: str = Field(max_length=64)
    definition: dict[str, Any]


class RoundFile(Record):
    """A round export as it must be to come back in; the limits are the database's."""

    format: Literal["placecheck-round"]
    format_version: Literal[1]
    round: RoundRecord
    questionnaire: QuestionnaireRecord
    organisations: list[OrganisationRecord] = Field(max_length=500)
    invitations: list[InvitationRecord] = Field(max_length=20_000)
    agreements: list[AgreementRecord] = Field(default_factory=list, max_length=200)
    actions: list[ActionRecord] = Field(default_factory=list, max_length=2000)
    quotes: list[QuoteRecord] = Field(default_factory=list, max_length=5000)


def _problems(error: ValidationError) -> str:
    lines = [
        " › ".join(str(part + 1 if isinstance(part, int) else part) for part in e["loc"])
        + f": {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    ]
    more = f" (and {len(lines) - 3} more)" if len(lines) > 3 else ""
    return "; ".join(lines[:3]) + more


def read_round_file(data: bytes) -> RoundFile:
    """The uploaded file as a round export, or ImportRefusedError saying what is wrong."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ImportRefusedError("it is not JSON") from error
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        raise ImportRefusedError("this is not a Placecheck round export (format placecheck-round)")
    try:
        return RoundFile.model_validate(parsed)
    except ValidationError as error:
        reason = f"the file has values Placecheck cannot store: {_problems(error)}"
        raise ImportRefusedError(reason) from error


def _checked(file: RoundFile) -> Definition:
    """Every cross-reference in the file, checked before anything is written."""
    try:
        definition = Definition.model_validate(file.questionnaire.definition)
    except ValueError as error:
        raise ImportRefusedError("the questionnaire in the file is not valid") from error
    if definition.content_hash != file.questionnaire.content_hash:
        raise ImportRefusedError("the questionnaire in the file does not match its hash")
    names = [o.name for o in file.organisations]
    if len(names) != len(set(names)):
        raise ImportRefusedError("an organisation is listed twice")
    sectors = {o.name: o.sector for o in file.organisations}
    asked = {
        sector: {item.id: item for item in definition.items_for(sector)}
        for sector in set(sectors.values())
    }
    for invitation in file.invitations:
        if invitation.organisation not in names:
            raise ImportRefusedError(
                f"invitation {invitation.key} names an organisation not in the file"
            )
        sector = sectors[invitation.organisation]
        for answer in invitation.answers:
            item = asked[sector].get(answer.item_id)
            if item is None and answer.item_id in definition.items_by_id:
                raise ImportRefusedError(
                    f"invitation {invitation.key} answers {answer.item_id}, which is not asked "
                    f"of the sector '{sector.label}'"
                )
            if item is None:
                raise ImportRefusedError(
                    f"an answer is to {answer.item_id!r}, which the questionnaire lacks"
                )
            if answer.level is not None and answer.level not in definition.scale(item.scale).values:
                raise ImportRefusedError(
                    f"an answer to {answer.item_id} has level {answer.level}, which its scale "
                    "does not have"
                )
    conditions = {c.id for c in definition.conditions}
    levels = set(definition.statement_scale.values)
    for agreement in file.agreements:
        if agreement.condition_id not in conditions:
            raise ImportRefusedError(
                f"an agreement is about {agreement.condition_id!r}, which the questionnaire lacks"
            )
        if (agreement.agreed_level is None) != agreement.could_not_agree or (
            agreement.agreed_level is not None and agreement.agreed_level not in levels
        ):
            raise ImportRefusedError(
                f"the agreement on {agreement.condition_id} needs one level of the scale, "
                "or could_not_agree"
            )
    return definition


def import_json(*, session: Session, place: Place, file: RoundFile, secret: str) -> AssessmentRound:
    """Rebuild a round in ``place``. Everything is checked before anything is written."""
    definition = _checked(file)
    sectors = {o.name: o.sector for o in file.organisations}
    round_data = file.round
    existing = {
        o.name: o
        for o in session.exec(select(Organisation).where(Organisation.place_id == place.id)).all()
    }
    assert place.id is not None
    for name, sector in sectors.items():
        if name in existing and existing[name].sector is not sector:
            raise ImportRefusedError(
                f"the file gives {name} the sector '{sector.label}', but this place has it as "
                f"'{existing[name].sector.label}': correct the file, or rename one of them, and "
                "import it again"
            )
    for name, sector in sectors.items():
        if name not in existing:
            organisation = Organisation(place_id=place.id, name=name, sector=sector)
            session.add(organisation)
            existing[name] = organisation
    snapshot_definition(session=session, definition=definition)
    session.flush()
    assessment_round = AssessmentRound(
        place_id=place.id,
        title=round_data.title,
        questionnaire_hash=definition.content_hash,
        # A copy never arrives published: publishing it goes through the differencing check
        # against every version of the place's results, as any publication does.
        status=RoundStatus.CLOSED
        if round_data.status is RoundStatus.PUBLISHED
        else round_data.status,
        opens_on=round_data.opens_on,
        closes_on=round_data.closes_on,
        anonymity_threshold=round_data.anonymity_threshold,
        created_at=round_data.created_at or datetime.now().astimezone(),
    )
    session.add(assessment_round)
    session.flush()
    assert assessment_round.id is not None
    taken = links_in_use(
        session=session,
        secret=secret,
        nonces={d.link_nonce for d in file.invitations if d.link_nonce is not None},
    )
    created: list[tuple[InvitationRecord, Invitation]] = []
    for data_invitation in file.invitations:
        nonce = data_invitation.link_nonce
        if nonce in taken:
            nonce = None  # the original round still exists: the copy gets new links
        invitation, _ = invite(
            session=session,
            assessment_round=assessment_round,
            organisation=existing[data_invitation.organisation],
            invitee=data_invitation,
            secret=secret,
            nonce=nonce,
            flush=False,
        )
        invitation.status = data_invitation.status
        invitation.submitted_at = data_invitation.submitted_at
        created.append((data_invitation, invitation))
    session.flush()  # every invitation in one go: their ids, for their answers
    invitation_ids: dict[Any, int] = {}
    organisation_ids: dict[Any, int] = {}
    answer_rows: list[dict[str, Any]] = []
    now = utcnow()
    for data_invitation, invitation in created:
        assert invitation.id is not None
        invitation_ids[data_invitation.key] = invitation.id
        organisation_ids[data_invitation.key] = invitation.organisation_id
        answer_rows.extend(
            {"invitation_id": invitation.id, "version": 1, "updated_at": now, **a.model_dump()}
            for a in data_invitation.answers
        )
    # One statement for every answer (executemany): a thousand respondents are seventy thousand
    # answers, and one round trip each took a minute.
    insert_rows(session, Answer, answer_rows)
    for agreement in file.agreements:
        session.add(ConditionAgreement(round_id=assessment_round.id, **agreement.model_dump()))
    for action in file.actions:
        lead = existing.get(action.lead or "")
        session.add(
            Action(
                round_id=assessment_round.id,
                lead_organisation_id=lead.id if lead else None,
                **action.model_dump(exclude={"lead", "lead_organisation_id"}),
            )
        )
    for quote in file.quotes:
        answer_id = session.exec(
            select(Answer.id).where(
                Answer.invitation_id == invitation_ids.get(quote.invitation),
                Answer.item_id == quote.item_id,
            )
        ).first()
        if answer_id is not None:
            session.add(
                EvidenceQuote(
                    round_id=assessment_round.id,
                    answer_id=answer_id,
                    organisation_id=organisation_ids[quote.invitation],
                    subject_id=quote.subject_id,
                    text=quote.text,
                )
            )
    session.flush()
    return assessment_round


# --- tables for analysis ---------------------------------------------------------------------
