"""The workshop page: agreed levels, the action plan and the quotes chosen for the report."""

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from app.accounts.access import RoundAccess
from app.core.exceptions import ShownError
from app.core.validation import field_messages
from app.deps import FacilitatorRoundPage, RoundChange
from app.enums import ActionStatus
from app.models import (
    Action,
    ActionCreate,
    ConditionAgreementBase,
    EvidenceQuote,
    EvidenceQuoteBase,
)
from app.places.service import organisations_of
from app.results.rules import load_rules
from app.results.service import score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import Errors, Form, Visit
from app.workshop.service import (
    actions_of,
    add_action,
    agreements_of,
    comments_of,
    quotes_of,
    record_agreements,
)
from reports.context import one_decimal, quote_attribution

router = APIRouter(prefix="/rounds/{round_id}/workshop", include_in_schema=False)


class ActionStatusChange(BaseModel):
    action_id: int = Field(ge=1, title="the action")
    status: ActionStatus = Field(title="the action's status")


class CommentChoice(BaseModel):
    answer_id: int = Field(ge=1, title="the comment")


class QuoteRemoval(BaseModel):
    quote_id: int = Field(ge=1, title="the quote")


def _render(visit: Visit[RoundAccess], errors: Errors | None = None) -> Response:
    session, access = visit.session, visit.access
    assessment_round = access.assessment_round
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    result = score_round(session=session, assessment_round=assessment_round, rules=load_rules())
    organisations = organisations_of(session, access.place.id)
    context = {
        "access": access,
        "place": access.place,
        "round": assessment_round,
        "definition": definition,
        "levels": definition.statement_scale.levels,
        "scores": {cid: one_decimal(c.score) for cid, c in result.conditions.items()},
        "consensus": {
            cid: f"{round((c.spread.consensus or 0) * 100)}%"
            for cid, c in result.conditions.items()
        },
        "agreements": agreements_of(session, assessment_round.id),
        "actions": actions_of(session, assessment_round.id),
        "organisations": organisations,
        "organisation_names": {o.id: o.name for o in organisations},
        "statuses": {status.value: status.label for status in ActionStatus},
        "comments": comments_of(
            session=session, assessment_round=assessment_round, definition=definition
        ),
        "quotes": quotes_of(session, assessment_round.id),
        "attribution": lambda sector: quote_attribution(sector, result),
    }
    return visit.page("workshop", context, errors=errors)


@router.get("", response_class=HTMLResponse)
def workshop_page(visit: FacilitatorRoundPage) -> Response:
    return _render(visit)


def _save_agreements(session: Session, access: RoundAccess, form: Form) -> Errors:
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    levels = {str(level.value) for level in definition.statement_scale.levels}
    errors = Errors()
    agreements: dict[str, ConditionAgreementBase | None] = {}
    for condition in definition.conditions:
        choice = form.get(f"level-{condition.id}")
        rationale = form.get(f"rationale-{condition.id}")
        if choice and choice != "could-not-agree" and choice not in levels:
            errors.add(f"level-{condition.id}", f"Choose a level for {condition.title}")
            continue
        try:
            agreements[condition.id] = (
                ConditionAgreementBase.model_validate(
                    {
                        "agreed_level": None if choice == "could-not-agree" else choice,
                        "could_not_agree": choice == "could-not-agree",
                        "rationale": rationale,
                    }
                )
                if choice
                else None
            )
        except ValidationError as error:
            for message in field_messages(ConditionAgreementBase, error).values():
                errors.add(f"rationale-{condition.id}", f"{condition.title}: {message}")
    if not errors:
        record_agreements(
            session=session, assessment_round=access.assessment_round, agreements=agreements
        )
    return errors


def _add_action(session: Session, access: RoundAccess, form: Form) -> Errors:
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    errors = Errors()
    choices = {
        "conditions": {c.id for c in definition.conditions},
        "recommendations": {r.id for r in definition.recommendations},
        "organisations": {o.id for o in organisations_of(session, access.place.id)},
    }
    details = form.validated(ActionCreate, errors, context=choices)
    if details is not None:
        add_action(session=session, assessment_round=access.assessment_round, details=details)
    return errors


def _action_status(session: Session, access: RoundAccess, form: Form) -> Errors:
    errors = Errors()
    change = form.validated(ActionStatusChange, errors)
    if change is None:
        return errors
    action = session.get(Action, change.action_id)
    if action is None or action.round_id != access.assessment_round.id:
        raise ShownError(404, "There is no such action in this round.")
    action.status = change.status
    session.add(action)
    return errors


def _choose_quote(session: Session, access: RoundAccess, form: Form) -> Errors:
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    comments = {
        c.answer_id: c
        for c in comments_of(
            session=session, assessment_round=access.assessment_round, definition=definition
        )
    }
    picked = form.validated(CommentChoice, Errors())
    comment = comments.get(picked.answer_id) if picked else None
    if comment is None:
        raise ShownError(404, "There is no such comment among this round's submitted answers.")
    problems = Errors()
    quote = form.validated(EvidenceQuoteBase, problems)
    errors = Errors()
    if quote is None:
        errors.add(f"quote-{comment.answer_id}", next(iter(problems.by_field.values())))
        return errors
    session.add(
        EvidenceQuote(
            round_id=access.assessment_round.id or 0,
            answer_id=comment.answer_id,
            subject_id=comment.subject_id,
            text=quote.text,
        )
    )
    return errors


def _remove_quote(session: Session, access: RoundAccess, form: Form) -> Errors:
    errors = Errors()
    removal = form.validated(QuoteRemoval, errors)
    quote = session.get(EvidenceQuote, removal.quote_id) if removal else None
    if quote is None or quote.round_id != access.assessment_round.id:
        raise ShownError(404, "There is no such quote in this round.")
    session.delete(quote)
    return errors


CHANGES: dict[str, tuple[Callable[[Session, RoundAccess, Form], Errors], str]] = {
    "agreements": (_save_agreements, "agreed-levels"),
    "actions": (_add_action, "action-plan"),
    "action-status": (_action_status, "action-plan"),
    "quotes": (_choose_quote, "quotes"),
    "remove-quote": (_remove_quote, "quotes"),
}


@router.post("/{what}", response_class=HTMLResponse)
def workshop_change(what: str, change: RoundChange) -> Response:
    if what not in CHANGES:
        raise ShownError(404, "There is no such workshop change.")
    apply, anchor = CHANGES[what]
    errors = apply(change.session, change.access, change.form)
    if errors:
        return _render(change, errors)
    change.record(f"workshop-{what}")
    return change.done(f"/rounds/{change.access.assessment_round.id}/workshop#{anchor}")
