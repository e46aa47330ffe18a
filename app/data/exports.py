"""A round's data out and back in: JSON that restores it exactly, CSV and XLSX to analyse it.

The JSON holds everything needed to rebuild the round in a place: the questionnaire snapshot
(checked against its hash on the way back in), organisations by name and sector, invitations
with their answers and link nonces (so links keep working with the same secret key), and what
the workshop recorded. Restoring it gives a round whose scores are identical.
"""

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.core.security.tokens import hash_token, new_token
from app.invitations.service import link_token
from app.models import (
    Action,
    ActionStatus,
    Answer,
    AnswerKind,
    AssessmentRound,
    ConditionAgreement,
    EvidenceQuote,
    Invitation,
    InvitationStatus,
    Organisation,
    Place,
    QuestionnaireSnapshot,
    RoundStatus,
)
from app.rounds.definitions import definition_of_round
from questionnaires.schema import Definition
from questionnaires.sectors import Sector
from scoring.types import ScoreResult

FORMAT = "placecheck-round"
FORMAT_VERSION = 1


class ImportRefusedError(ValueError):
    """The file cannot be imported; the message says why."""


def _rows(
    session: Session, assessment_round: AssessmentRound
) -> list[tuple[Invitation, Organisation]]:
    return list(
        session.exec(
            select(Invitation, Organisation)
            .join(Organisation, col(Invitation.organisation_id) == col(Organisation.id))
            .where(Invitation.round_id == assessment_round.id)
            .order_by(col(Invitation.id))
        ).all()
    )


def _answers(session: Session, invitation_ids: list[int]) -> dict[int, list[Answer]]:
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
    rows = _rows(session, assessment_round)
    answers = _answers(session, [i.id for i, _ in rows if i.id is not None])
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


def _need(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise ImportRefusedError(f"the file has no valid '{key}'")
    return value


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _datetime(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def import_json(*, session: Session, place: Place, data: Any, secret: str) -> AssessmentRound:
    """Rebuild a round in ``place``. Everything is checked before anything is written."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefusedError("this is not a Placecheck round export (format placecheck-round)")
    if data.get("format_version") != FORMAT_VERSION:
        raise ImportRefusedError(f"this export's format version is not {FORMAT_VERSION}")
    questionnaire = _need(data, "questionnaire", dict)
    try:
        definition = Definition.model_validate(questionnaire.get("definition"))
    except ValueError as error:
        raise ImportRefusedError("the questionnaire in the file is not valid") from error
    if definition.content_hash != questionnaire.get("content_hash"):
        raise ImportRefusedError("the questionnaire in the file does not match its hash")
    round_data = _need(data, "round", dict)
    invitations = _need(data, "invitations", list)
    organisations_data = _need(data, "organisations", list)
    items = definition.items_by_id
    try:
        sectors = {o["name"]: Sector(o["sector"]) for o in organisations_data}
        for invitation in invitations:
            if invitation["organisation"] not in sectors:
                raise ImportRefusedError(
                    f"invitation {invitation.get('key')} names an organisation not in the file"
                )
            InvitationStatus(invitation["status"])
            for answer in invitation["answers"]:
                if answer["item_id"] not in items:
                    raise ImportRefusedError(
                        f"an answer is to {answer['item_id']!r}, which the questionnaire lacks"
                    )
                AnswerKind(answer["kind"])
        status = RoundStatus(round_data["status"])
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ImportRefusedError):
            raise
        raise ImportRefusedError(
            f"the file is incomplete or has a wrong value ({error})"
        ) from error

    existing = {
        o.name: o
        for o in session.exec(select(Organisation).where(Organisation.place_id == place.id)).all()
    }
    assert place.id is not None
    for name, sector in sectors.items():
        if name not in existing:
            organisation = Organisation(place_id=place.id, name=name, sector=sector)
            session.add(organisation)
            existing[name] = organisation
    if session.get(QuestionnaireSnapshot, definition.content_hash) is None:
        session.add(
            QuestionnaireSnapshot(
                content_hash=definition.content_hash,
                questionnaire_id=definition.id,
                version=definition.version,
                canonical_json=definition.canonical_json(),
            )
        )
    session.flush()
    assessment_round = AssessmentRound(
        place_id=place.id,
        title=str(round_data.get("title", "Imported round"))[:200],
        questionnaire_hash=definition.content_hash,
        status=status,
        opens_on=_date(round_data.get("opens_on")),
        closes_on=_date(round_data.get("closes_on")),
        anonymity_threshold=int(round_data.get("anonymity_threshold", 3)),
        created_at=_datetime(round_data.get("created_at")) or datetime.now().astimezone(),
    )
    session.add(assessment_round)
    session.flush()
    assert assessment_round.id is not None
    answer_ids: dict[tuple[Any, str], int] = {}
    for data_invitation in invitations:
        nonce = data_invitation.get("link_nonce") or new_token()
        token_hash = hash_token(link_token(secret, nonce))
        if session.exec(select(Invitation).where(Invitation.token_hash == token_hash)).first():
            nonce = new_token()  # the original round still exists: give the copy new links
            token_hash = hash_token(link_token(secret, nonce))
        organisation = existing[data_invitation["organisation"]]
        assert organisation.id is not None
        invitation = Invitation(
            round_id=assessment_round.id,
            organisation_id=organisation.id,
            role_title=str(data_invitation.get("role_title") or "Respondent")[:200],
            name=data_invitation.get("name"),
            email=data_invitation.get("email"),
            token_hash=token_hash,
            link_nonce=nonce,
            status=InvitationStatus(data_invitation["status"]),
            submitted_at=_datetime(data_invitation.get("submitted_at")),
        )
        session.add(invitation)
        session.flush()
        assert invitation.id is not None
        for data_answer in data_invitation["answers"]:
            answer = Answer(
                invitation_id=invitation.id,
                item_id=data_answer["item_id"],
                kind=AnswerKind(data_answer["kind"]),
                level=data_answer.get("level"),
                evidence=data_answer.get("evidence"),
            )
            session.add(answer)
            session.flush()
            assert answer.id is not None
            answer_ids[(data_invitation.get("key"), answer.item_id)] = answer.id
    for agreement in data.get("agreements", []):
        session.add(
            ConditionAgreement(
                round_id=assessment_round.id,
                condition_id=agreement["condition_id"],
                agreed_level=agreement.get("agreed_level"),
                could_not_agree=bool(agreement.get("could_not_agree")),
                rationale=agreement.get("rationale") or "",
            )
        )
    for action in data.get("actions", []):
        lead = existing.get(action.get("lead") or "")
        session.add(
            Action(
                round_id=assessment_round.id,
                description=action["description"],
                condition_id=action.get("condition_id"),
                recommendation_id=action.get("recommendation_id"),
                lead_organisation_id=lead.id if lead else None,
                due_on=_date(action.get("due_on")),
                status=ActionStatus(action.get("status", "not-started")),
            )
        )
    for quote in data.get("quotes", []):
        answer_id = answer_ids.get((quote.get("invitation"), quote.get("item_id") or ""))
        if answer_id is not None:
            session.add(
                EvidenceQuote(
                    round_id=assessment_round.id,
                    answer_id=answer_id,
                    subject_id=quote["subject_id"],
                    text=quote["text"],
                )
            )
    session.flush()
    return assessment_round


# --- tables for analysis ---------------------------------------------------------------------

ANSWER_COLUMNS = [
    "respondent",
    "organisation",
    "sector",
    "status",
    "item_id",
    "answer_kind",
    "level",
    "level_label",
    "comment",
]


def answer_rows(*, session: Session, assessment_round: AssessmentRound) -> list[list[Any]]:
    """One row per answer. Respondents are numbered, never named."""
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    rows = _rows(session, assessment_round)
    answers = _answers(session, [i.id for i, _ in rows if i.id is not None])
    table: list[list[Any]] = []
    for number, (invitation, organisation) in enumerate(rows, start=1):
        for answer in answers.get(invitation.id or 0, []):
            item = definition.items_by_id.get(answer.item_id)
            label = (
                definition.scale(item.scale).label_of(answer.level)
                if item is not None and answer.level is not None
                else ""
            )
            table.append(
                [
                    f"R{number:03d}",
                    organisation.name,
                    organisation.sector.label,
                    invitation.status.value,
                    answer.item_id,
                    answer.kind.value,
                    answer.level,
                    label,
                    answer.evidence or "",
                ]
            )
    return table


def answers_csv(*, session: Session, assessment_round: AssessmentRound) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ANSWER_COLUMNS)
    writer.writerows(answer_rows(session=session, assessment_round=assessment_round))
    return out.getvalue()


def workbook(
    *,
    session: Session,
    assessment_round: AssessmentRound,
    definition: Definition,
    result: ScoreResult,
) -> bytes:
    """Answers, scores and a codebook, one sheet each."""
    book = Workbook()
    answers = book.active
    assert answers is not None
    answers.title = "Answers"
    answers.append(ANSWER_COLUMNS)
    for row in answer_rows(session=session, assessment_round=assessment_round):
        answers.append(row)
    scores = book.create_sheet("Scores")
    scores.append(
        [
            "condition_id",
            "condition",
            "score",
            "score_headcount",
            "band",
            "respondents",
            "consensus",
            "split",
            "importance",
            "priority",
            "dont_know_share",
            "no_score_reason",
        ]
    )
    for cid, c in result.conditions.items():
        scores.append(
            [
                cid,
                definition.condition(cid).title,
                c.score,
                c.score_headcount,
                c.band,
                c.respondents,
                c.spread.consensus,
                c.spread.split,
                c.importance,
                c.priority,
                c.dont_know_share,
                c.no_score_reason,
            ]
        )
    scores.append([])
    scores.append(
        ["rules_version", result.rules_version, "anonymity_threshold", result.anonymity_threshold]
    )
    codebook = book.create_sheet("Codebook")
    codebook.append(["item_id", "kind", "part", "subject", "question", "scale", "values"])
    for item in definition.items:
        scale = definition.scale(item.scale)
        values = "; ".join(f"{lv.value} = {lv.label}" for lv in scale.levels)
        values += "".join(f"; {o.value}" for o in scale.opt_outs)
        codebook.append(
            [item.id, item.kind.value, item.part, item.subject, item.question, scale.label, values]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
