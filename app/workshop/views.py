"""The workshop page: agreed levels, the action plan and the quotes chosen for the report."""

from operator import attrgetter
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from app.accounts.access import RoundAccess
from app.core.exceptions import ChangeRefusedError, ShownError
from app.core.fields import RowId
from app.core.validation import field_messages
from app.deps import FacilitatorRoundPage, RecordId, RoundChange, UnitOfWorkRoute
from app.enums import ActionStatus
from app.models import (
    Action,
    ActionBase,
    ActionCreate,
    ConditionAgreementBase,
    EvidenceQuoteBase,
)
from app.places.service import organisations_of
from app.results.remembered import remembered
from app.results.rules import load_rules
from app.results.service import previous_round, score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import Errors, Visit
from app.workshop.service import (
    action_in,
    actions_of,
    add_action,
    agreements_of,
    change_action,
    comments_of,
    quote_comment,
    quotes_of,
    record_agreements,
    remove_action,
    set_action_status,
    unquote,
)
from questionnaires.schema import Definition
from reports.wording import quote_attribution
from scoring.rounding import one_decimal, percentage

router = APIRouter(
    prefix="/rounds/{round_id}/workshop", include_in_schema=False, route_class=UnitOfWorkRoute
)


class ActionStatusChange(BaseModel):
    action_id: RowId = Field(title="the action")
    status: ActionStatus = Field(title="the action's status")


class CommentChoice(BaseModel):
    answer_id: RowId = Field(title="the comment")


class QuoteRemoval(BaseModel):
    quote_id: RowId = Field(title="the quote")


def _context(visit: Visit[RoundAccess]) -> dict[str, Any]:
    """What every workshop page shows: the numbers the forum discusses and what it recorded."""
    session, access = visit.session, visit.access
    assessment_round = access.assessment_round
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    result = remembered(
        session=session,
        assessment_round=assessment_round,
        what=("scores",),
        compute=lambda: score_round(
            session=session,
            assessment_round=assessment_round,
            rules=load_rules(),
            earlier=previous_round(session=session, assessment_round=assessment_round),
        ),
    )
    organisations = organisations_of(session, access.place.id)
    comments = comments_of(
        session=session, assessment_round=assessment_round, definition=definition
    )
    quotes = quotes_of(session, assessment_round.id)
    return {
        "access": access,
        "place": access.place,
        "round": assessment_round,
        "definition": definition,
        "levels": definition.statement_scale.levels,
        "scores": {cid: one_decimal(c.score) for cid, c in result.conditions.items()},
        "consensus": {cid: percentage(c.spread.consensus) for cid, c in result.conditions.items()},
        "rated": {cid for cid, c in result.conditions.items() if c.spread.consensus is not None},
        "agreements": agreements_of(session, assessment_round.id),
        "actions": actions_of(session, assessment_round.id),
        "organisations": organisations,
        "organisation_names": {o.id: o.name for o in organisations},
        "statuses": {status.value: status.label for status in ActionStatus},
        "comments": comments,
        "quotes": quotes,
        "quoted": {q.answer_id: q for q in quotes},
        "attribution": lambda sector: quote_attribution(sector, result),
    }


DONE = {
    "agreements": "The agreed level was saved.",
    "actions": "The action was added to the plan.",
    "action-status": "The action's status was changed.",
    "quotes": "The comment will appear in the report.",
    "remove-quote": "The comment was taken out of the report.",
    "action-changed": "The action was changed.",
    "action-removed": "The action was removed from the plan.",
}
"""The banner after each workshop change, by the name the address gives (others are ignored)."""


def _render(
    visit: Visit[RoundAccess], errors: Errors | None = None, notice: str | None = None
) -> Response:
    return visit.page("workshop", _context(visit) | {"notice": notice}, errors=errors)


def _render_condition(
    visit: Visit[RoundAccess],
    condition_id: str,
    errors: Errors | None = None,
    notice: str | None = None,
) -> Response:
    """One condition's page (or a recommendation's): its numbers, the level the forum agreed,
    its actions and the comments partners wrote about it, grouped by statement and filtered as
    asked."""
    context = _context(visit)
    definition: Definition = context["definition"]
    condition = next((c for c in definition.conditions if c.id == condition_id), None)
    recommendation = next((r for r in definition.recommendations if r.id == condition_id), None)
    if condition is None and recommendation is None:
        raise ShownError(404, "There is no such condition or recommendation in this round.")
    query = visit.request.query_params
    sector = query.get("sector", "")
    shown = query.get("shown", "")
    quoted = context["quoted"]
    comments = [
        c
        for c in context["comments"]
        if c.subject_id == condition_id
        and (not sector or c.sector.value == sector)
        and (shown != "chosen" or c.answer_id in quoted)
        and (shown != "not-chosen" or c.answer_id not in quoted)
    ]
    statements = [
        (item, [c for c in comments if c.item_id == item.id])
        for item in definition.items
        if item.subject == condition_id
    ]
    context |= {
        "condition": condition,
        "recommendation": recommendation,
        "subject_title": condition.title
        if condition
        else getattr(recommendation, "numbered_title", ""),
        "statements": [(item, found) for item, found in statements if found],
        "all_comments": sum(1 for c in context["comments"] if c.subject_id == condition_id),
        "shown_comments": len(comments),
        "sectors": sorted({c.sector for c in context["comments"]}, key=attrgetter("label")),
        "chosen_sector": sector,
        "chosen_shown": shown,
        "condition_actions": [
            a for a in context["actions"] if condition_id in (a.condition_id, a.recommendation_id)
        ],
        "notice": notice,
    }
    return visit.page("workshop_condition", context, errors=errors)


@router.get("", response_class=HTMLResponse)
def workshop_page(visit: FacilitatorRoundPage, done: str | None = None) -> Response:
    return _render(visit, notice=DONE.get(done or ""))


@router.get("/conditions/{condition_id}", response_class=HTMLResponse)
def condition_page(
    condition_id: Annotated[str, Path(max_length=80)],
    visit: FacilitatorRoundPage,
    done: str | None = None,
) -> Response:
    return _render_condition(visit, condition_id, notice=DONE.get(done or ""))


def _after_change(change: Visit[RoundAccess], what: str, anchor: str, errors: Errors) -> Response:
    """Where every workshop change ends: a form sent from a condition's page names the
    condition, and the facilitator is returned there (with any errors shown on it)."""
    definition = definition_of_round(
        session=change.session, assessment_round=change.access.assessment_round
    )
    from_condition = change.form.get("from_condition")
    subjects = {c.id for c in definition.conditions} | {r.id for r in definition.recommendations}
    if from_condition not in subjects:
        from_condition = ""
    if errors:
        if from_condition:
            return _render_condition(change, from_condition, errors)
        return _render(change, errors)
    change.record(f"workshop-{what}")
    page = f"/rounds/{change.access.assessment_round.id}/workshop"
    if from_condition:
        page += f"/conditions/{from_condition}"
    return change.done(f"{page}?done={what}#{anchor}")


@router.post("/agreements", response_class=HTMLResponse)
def save_agreements(change: RoundChange) -> Response:
    """The levels the forum agreed (or could not), each with its reasons."""
    session, access, form = change.session, change.access, change.form
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    levels = {str(level.value) for level in definition.statement_scale.levels}
    errors = Errors()
    agreements: dict[str, ConditionAgreementBase | None] = {}
    # Only the conditions the form carried: a condition's own page sends only its own.
    for condition in (c for c in definition.conditions if f"level-{c.id}" in form.values):
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
    return _after_change(change, "agreements", "agreed-levels", errors)


def _action_choices(session: Session, access: RoundAccess) -> dict[str, set[Any]]:
    """What an action may point at: the round's conditions and recommendations, and the
    place's organisations as its lead."""
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    return {
        "conditions": {c.id for c in definition.conditions},
        "recommendations": {r.id for r in definition.recommendations},
        "organisations": {o.id for o in organisations_of(session, access.place.id)},
    }


@router.post("/actions", response_class=HTMLResponse)
def add_to_action_plan(change: RoundChange) -> Response:
    session, access = change.session, change.access
    errors = Errors()
    details = change.form.validated(ActionCreate, errors, context=_action_choices(session, access))
    if details is not None:
        add_action(session=session, assessment_round=access.assessment_round, details=details)
    return _after_change(change, "actions", "action-plan", errors)


@router.post("/action-status", response_class=HTMLResponse)
def change_action_status(change: RoundChange) -> Response:
    errors = Errors()
    wanted = change.form.validated(ActionStatusChange, errors)
    if wanted is not None:
        action = _action_in(change.session, change.access, wanted.action_id)
        set_action_status(session=change.session, action=action, status=wanted.status)
    return _after_change(change, "action-status", "action-plan", errors)


@router.post("/quotes", response_class=HTMLResponse)
def choose_quote(change: RoundChange) -> Response:
    """Put a partner's comment in the report, as the facilitator trimmed it."""
    session, access = change.session, change.access
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    comments = {
        c.answer_id: c
        for c in comments_of(
            session=session, assessment_round=access.assessment_round, definition=definition
        )
    }
    picked = change.form.validated(CommentChoice, Errors())
    comment = comments.get(picked.answer_id) if picked else None
    if comment is None:
        raise ShownError(404, "There is no such comment among this round's submitted answers.")
    errors, problems = Errors(), Errors()
    quote = change.form.validated(EvidenceQuoteBase, problems)
    if quote is None:
        errors.add(f"quote-{comment.answer_id}", next(iter(problems.by_field.values())))
    else:
        try:
            quote_comment(
                session=session,
                assessment_round=access.assessment_round,
                comment=comment,
                text=quote.text,
            )
        except ChangeRefusedError as refused:
            errors.add(refused.field or f"comment-{comment.answer_id}", str(refused))
    return _after_change(change, "quotes", "quotes", errors)


@router.post("/remove-quote", response_class=HTMLResponse)
def remove_quote(change: RoundChange) -> Response:
    removal = change.form.validated(QuoteRemoval, Errors())
    if removal is None or not unquote(
        session=change.session,
        assessment_round=change.access.assessment_round,
        quote_id=removal.quote_id,
    ):
        raise ShownError(404, "There is no such quote in this round.")
    return _after_change(change, "remove-quote", "quotes", Errors())


def _action_in(session: Session, access: RoundAccess, action_id: int) -> Action:
    """One of the round's actions, or 404 (another round's is never found)."""
    action = action_in(session, access.assessment_round, action_id)
    if action is None:
        raise ShownError(404, "There is no such action in this round.")
    return action


def _action_page(
    visit: Visit[RoundAccess], action: Action, errors: Errors | None = None
) -> Response:
    context = _context(visit) | {"action": action}
    return visit.page("action", context, errors=errors)


@router.get("/actions/{action_id}", response_class=HTMLResponse)
def edit_action_page(action_id: RecordId, visit: FacilitatorRoundPage) -> Response:
    return _action_page(visit, _action_in(visit.session, visit.access, action_id))


@router.post("/actions/{action_id}", response_class=HTMLResponse)
def edit_action(action_id: RecordId, change: RoundChange) -> Response:
    """Correct an action: its words, what it works on, its lead, due date and status."""
    session, access = change.session, change.access
    action = _action_in(session, access, action_id)
    errors = Errors()
    details = change.form.validated(ActionCreate, errors, context=_action_choices(session, access))
    status = change.form.validated(ActionStatusChange, errors, extra={"action_id": action_id})
    if details is None or status is None:
        return _action_page(change, action, errors)
    wanted = {**details.model_dump(include=set(ActionBase.model_fields)), "status": status.status}
    changed = change_action(session=session, action=action, wanted=wanted)
    change.record("workshop-action-changed", action_id=action_id, fields=changed)
    return change.done(
        f"/rounds/{access.assessment_round.id}/workshop?done=action-changed#action-plan"
    )


@router.get("/actions/{action_id}/remove", response_class=HTMLResponse)
def confirm_remove_action(action_id: RecordId, visit: FacilitatorRoundPage) -> Response:
    action = _action_in(visit.session, visit.access, action_id)
    round_id = visit.access.assessment_round.id
    context = {
        "place": visit.access.place,
        "round": visit.access.assessment_round,
        "question": "Remove this action from the plan?",
        "consequences": (
            f"“{action.description}”",
            "It goes from the action plan, the results and every report made after this. "
            "To record that the forum stopped it instead, change its status to Dropped.",
        ),
        "action": f"/rounds/{round_id}/workshop/actions/{action_id}/remove",
        "fields": {},
        "button": "Remove the action",
        "destructive": True,
        "back": f"/rounds/{round_id}/workshop/actions/{action_id}",
    }
    return visit.page("confirm", context)


@router.post("/actions/{action_id}/remove", response_class=HTMLResponse)
def remove_from_action_plan(action_id: RecordId, change: RoundChange) -> Response:
    action = _action_in(change.session, change.access, action_id)
    remove_action(session=change.session, action=action)
    change.record("workshop-action-removed", action_id=action_id)
    return change.done(
        f"/rounds/{change.access.assessment_round.id}/workshop?done=action-removed#action-plan"
    )
