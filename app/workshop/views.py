"""The workshop page: agreed levels, the action plan and the quotes chosen for the report."""

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.accounts.access import RoundAccess, UserDep, round_for
from app.core import audit
from app.models import Action, ActionStatus, EvidenceQuote, MembershipRole, User
from app.places.service import organisations_of
from app.results.rules import load_rules
from app.results.service import score_round
from app.rounds.definitions import definition_of_round
from app.web.pages import Errors, Form, read_form, render, see_other
from app.workshop.service import (
    AgreementInput,
    actions_of,
    add_action,
    agreements_of,
    comments_of,
    quotes_of,
    record_agreements,
)
from reports.context import ACTION_STATUS_LABELS, one_decimal, quote_attribution

router = APIRouter(include_in_schema=False)


MAX_RATIONALE = 2000
MAX_QUOTE = 1000


def _context(
    session: Session, access: RoundAccess, errors: Errors | None = None
) -> dict[str, object]:
    assessment_round = access.assessment_round
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    result = score_round(session=session, assessment_round=assessment_round, rules=load_rules())
    scale = definition.statement_scale
    organisations = organisations_of(session, access.place.id)
    return {
        "access": access,
        "place": access.place,
        "round": assessment_round,
        "definition": definition,
        "levels": scale.levels,
        "scores": {cid: one_decimal(c.score) for cid, c in result.conditions.items()},
        "consensus": {
            cid: f"{round((c.spread.consensus or 0) * 100)}%"
            for cid, c in result.conditions.items()
        },
        "agreements": agreements_of(session, assessment_round.id),
        "actions": actions_of(session, assessment_round.id),
        "organisations": organisations,
        "organisation_names": {o.id: o.name for o in organisations},
        "statuses": ACTION_STATUS_LABELS,
        "comments": comments_of(
            session=session, assessment_round=assessment_round, definition=definition
        ),
        "quotes": quotes_of(session, assessment_round.id),
        "attribution": lambda sector: quote_attribution(sector, result),
        "errors": errors or Errors(),
        "form": {},
    }


@router.get("/rounds/{round_id}/workshop", response_class=HTMLResponse)
def workshop_page(request: Request, round_id: int, user: UserDep) -> Response:
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        return render(request, "workshop", _context(session, access), user=user)


@router.post("/rounds/{round_id}/workshop/{what}", response_class=HTMLResponse)
async def workshop_change(request: Request, round_id: int, what: str, user: UserDep) -> Response:
    form = await read_form(request, user)
    return await run_in_threadpool(_change, request, round_id, what, user, form)


def _change(request: Request, round_id: int, what: str, user: User, form: Form) -> Response:
    handlers = {
        "agreements": _save_agreements,
        "actions": _add_action,
        "action-status": _action_status,
        "quotes": _choose_quote,
        "remove-quote": _remove_quote,
    }
    if what not in handlers:
        raise HTTPException(404, "There is no such workshop change.")
    with Session(request.app.state.engine) as session:
        access = round_for(session, user, round_id, MembershipRole.FACILITATOR)
        errors = handlers[what](session, access, form)
        if errors:
            context = _context(session, access, errors)
            context["form"] = form.values
            return render(request, "workshop", context, user=user, status=400)
        audit.record(
            session,
            f"workshop-{what}",
            actor_user_id=user.id,
            place_id=access.place.id,
            round_id=round_id,
        )
        session.commit()
    anchors = {"agreements": "agreed-levels", "quotes": "quotes", "remove-quote": "quotes"}
    return see_other(f"/rounds/{round_id}/workshop#{anchors.get(what, 'action-plan')}")


def _save_agreements(session: Session, access: RoundAccess, form: Form) -> Errors:
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    levels = {str(level.value) for s in definition.scales for level in s.levels}
    errors = Errors()
    agreements: dict[str, AgreementInput | None] = {}
    for condition in definition.conditions:
        choice = form.get(f"level-{condition.id}")
        rationale = form.get(f"rationale-{condition.id}")
        if len(rationale) > MAX_RATIONALE:
            errors.add(
                f"rationale-{condition.id}",
                f"The reason for {condition.title} must be {MAX_RATIONALE} characters or fewer",
            )
        if choice == "":
            agreements[condition.id] = None
        elif choice == "could-not-agree":
            agreements[condition.id] = AgreementInput(None, True, rationale)
        elif choice in levels:
            agreements[condition.id] = AgreementInput(int(choice), False, rationale)
        else:
            errors.add(f"level-{condition.id}", f"Choose a level for {condition.title}")
    if not errors:
        record_agreements(
            session=session, assessment_round=access.assessment_round, agreements=agreements
        )
    return errors


def _add_action(session: Session, access: RoundAccess, form: Form) -> Errors:
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    errors = Errors()
    description = form.get("description")
    if not description:
        errors.add(
            "description", "Describe the action, for example 'Agree a data-sharing protocol'"
        )
    elif len(description) > 1000:
        errors.add("description", "The action must be 1000 characters or fewer")
    condition_id = form.get("condition_id") or None
    if condition_id and condition_id not in {c.id for c in definition.conditions}:
        errors.add("condition_id", "Choose a condition from the list")
    recommendation_id = form.get("recommendation_id") or None
    if recommendation_id and recommendation_id not in {r.id for r in definition.recommendations}:
        errors.add("recommendation_id", "Choose a recommendation from the list")
    lead = form.get("lead_organisation_id")
    organisations = {str(o.id): o for o in organisations_of(session, access.place.id)}
    if lead and lead not in organisations:
        errors.add("lead_organisation_id", "Choose a lead organisation from the list")
    due_on = None
    if form.get("due_on"):
        try:
            due_on = date.fromisoformat(form.get("due_on"))
        except ValueError:
            errors.add("due_on", "The due date must be a real date, like 2027-03-31")
    if not errors:
        add_action(
            session=session,
            assessment_round=access.assessment_round,
            description=description,
            condition_id=condition_id,
            recommendation_id=recommendation_id,
            lead_organisation_id=organisations[lead].id if lead else None,
            due_on=due_on,
        )
    return errors


def _action_status(session: Session, access: RoundAccess, form: Form) -> Errors:
    action = session.get(Action, form.id("action_id"))
    if action is None or action.round_id != access.assessment_round.id:
        raise HTTPException(404, "There is no such action in this round.")
    errors = Errors()
    if form.get("status") not in {s.value for s in ActionStatus}:
        errors.add(f"status-{action.id}", "Choose the action's status")
        return errors
    action.status = ActionStatus(form.get("status"))
    session.add(action)
    return errors


def _choose_quote(session: Session, access: RoundAccess, form: Form) -> Errors:
    definition = definition_of_round(session=session, assessment_round=access.assessment_round)
    comments = {
        str(c.answer_id): c
        for c in comments_of(
            session=session, assessment_round=access.assessment_round, definition=definition
        )
    }
    comment = comments.get(form.get("answer_id"))
    if comment is None:
        raise HTTPException(404, "There is no such comment among this round's submitted answers.")
    errors = Errors()
    text = form.get("text")
    field = f"quote-{comment.answer_id}"
    if not text:
        errors.add(field, "Enter the words to quote (you can shorten the comment)")
    elif len(text) > MAX_QUOTE:
        errors.add(field, f"The quote must be {MAX_QUOTE} characters or fewer")
    if not errors:
        session.add(
            EvidenceQuote(
                round_id=access.assessment_round.id or 0,
                answer_id=comment.answer_id,
                subject_id=comment.subject_id,
                text=text,
            )
        )
    return errors


def _remove_quote(session: Session, access: RoundAccess, form: Form) -> Errors:
    quote = session.get(EvidenceQuote, form.id("quote_id"))
    if quote is None or quote.round_id != access.assessment_round.id:
        raise HTTPException(404, "There is no such quote in this round.")
    session.delete(quote)
    return Errors()
