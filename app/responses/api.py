"""The respondent's JSON API, for integrations and for the pages' background saving.

It follows the pages' rules exactly: the same validation messages, and a stale version is a
409 listing the newer answers rather than an overwrite. Unlike a page, a request is all or
nothing: if any answer is refused, none is saved.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from app.core.errors import PROBLEM_RESPONSES, InvalidParam, Problem, problem_response
from app.core.exceptions import ShownError
from app.core.fields import MAX_ID
from app.deps import (
    RespondentContext,
    RespondentLinkDep,
    SessionDep,
    UnitOfWorkRoute,
)
from app.enums import InvitationStatus
from app.models import MAX_LEVEL
from app.responses.service import (
    MAX_EVIDENCE,
    NOTHING_ANSWERED,
    AnswerInput,
    AnswerState,
    ResponseContext,
    answers_of,
    has_answered,
    store_answers,
    submit,
    validate_answers,
)

router = APIRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/respondent/{token}",
    tags=["respondent"],
    responses=PROBLEM_RESPONSES,
)

OptOutValue = Literal["dont_know", "not_applicable"]


class ScaleLevelOut(BaseModel):
    value: int = Field(examples=[3])
    label: str = Field(examples=["Developing"])


class QuestionOut(BaseModel):
    id: str = Field(description="The item id to answer.", examples=["people-focus.1"])
    part: str = Field(examples=["conditions"])
    subject: str = Field(description="Condition or recommendation id.", examples=["people-focus"])
    subject_title: str = Field(examples=["People focus"])
    kind: str = Field(examples=["statement"])
    question: str
    descriptors: dict[int, str] = Field(description="What each level looks like, if described.")
    levels: list[ScaleLevelOut]
    opt_outs: list[OptOutValue] = Field(examples=[["dont_know", "not_applicable"]])
    evidence_prompt: str | None = None


class AnswerOut(BaseModel):
    item_id: str = Field(examples=["people-focus.1"])
    value: int | OptOutValue | None = Field(examples=[3])
    evidence: str = ""
    version: int = Field(description="Send it back when you change this answer.", examples=[2])


class RespondentView(BaseModel):
    round_title: str
    round_status: str = Field(examples=["open"])
    closes_on: date | None
    organisation: str
    sector: str = Field(examples=["local-authority"])
    variant: str = Field(examples=["professional"])
    editable: bool = Field(description="False once the round has closed.")
    status: str = Field(examples=["started"])
    submitted_at: datetime | None
    questions: list[QuestionOut]
    answers: list[AnswerOut]


Level = Annotated[StrictInt, Field(ge=1, le=MAX_LEVEL)]


class AnswerIn(BaseModel):
    """One answer, taken exactly as JSON types it: ``true`` is not a version, ``"3"`` no level."""

    model_config = ConfigDict(strict=True)

    item_id: str = Field(max_length=120, examples=["people-focus.1"])
    value: Level | OptOutValue | None = Field(
        default=None,
        description="A level of the item's scale, 'dont_know', 'not_applicable', or null for none.",
    )
    evidence: str = Field(
        default="", description=f"Optional comment, up to {MAX_EVIDENCE} characters."
    )
    version: StrictInt = Field(
        default=0, ge=0, le=MAX_ID, description="The version you last read; 0 for a new answer."
    )


class SaveAnswersIn(BaseModel):
    answers: list[AnswerIn] = Field(min_length=1, max_length=200)


class SavedOut(BaseModel):
    item_id: str
    version: int


class SaveAnswersOut(BaseModel):
    saved: list[SavedOut]


class SubmitOut(BaseModel):
    status: str = Field(examples=["submitted"])
    submitted_at: datetime


def _answer_out(item_id: str, state: AnswerState) -> AnswerOut:
    value: int | OptOutValue | None
    if state.choice is None:
        value = None
    elif state.choice.isdigit():
        value = int(state.choice)
    else:
        value = _opt_out(state.choice)
    return AnswerOut(item_id=item_id, value=value, evidence=state.evidence, version=state.version)


def _opt_out(value: str) -> OptOutValue:
    return "dont_know" if value == "dont_know" else "not_applicable"


def _refuse_if_closed(context: ResponseContext) -> None:
    if not context.editable:
        raise ShownError(409, "This assessment is not open, so answers cannot be changed.")


@router.get("", summary="Read your questionnaire and answers", response_model=RespondentView)
def read_respondent(context: RespondentContext, session: SessionDep) -> RespondentView:
    answers = answers_of(session=session, invitation=context.invitation)
    definition = context.definition
    questions = []
    for page in context.pages:
        for item in page.items:
            scale = definition.scale(item.scale)
            questions.append(
                QuestionOut(
                    id=item.id,
                    part=item.part,
                    subject=item.subject,
                    subject_title=item.subject_title,
                    kind=item.kind.value,
                    question=item.question,
                    descriptors=item.descriptors,
                    levels=[ScaleLevelOut(value=v.value, label=v.label) for v in scale.levels],
                    opt_outs=[_opt_out(o.value) for o in scale.opt_outs],
                    evidence_prompt=item.evidence_prompt,
                )
            )
    return RespondentView(
        round_title=context.assessment_round.title,
        round_status=context.assessment_round.status.value,
        closes_on=context.assessment_round.closes_on,
        organisation=context.organisation.name,
        sector=context.organisation.sector.value,
        variant=context.variant.id,
        editable=context.editable,
        status=context.invitation.status.value,
        submitted_at=context.invitation.submitted_at,
        questions=questions,
        answers=[_answer_out(item_id, state) for item_id, state in sorted(answers.items())],
    )


@router.put(
    "/answers",
    summary="Save one or many answers",
    response_model=SaveAnswersOut,
    description="All or nothing. A stale `version` gives 409 with the newer answers in "
    "`conflicts`; invalid answers give 422 with each problem in `invalid-params`.",
)
def save(request: Request, body: SaveAnswersIn, link: RespondentLinkDep) -> JSONResponse:
    work, context = link.work, link.open_to_save()
    _refuse_if_closed(context)
    inputs = [
        AnswerInput(
            item_id=a.item_id,
            choice=None if a.value is None else str(a.value),
            evidence=a.evidence,
            version=a.version,
        )
        for a in body.answers
    ]
    checked = validate_answers(context=context, answers=inputs)
    outcome = (
        checked.outcome
        if checked.outcome.errors
        else store_answers(
            session=work.write(), context=context, checked=checked, all_or_nothing=True
        )
    )
    if outcome.errors:
        return problem_response(
            request,
            Problem(
                title="Some of what was sent is not valid",
                status=422,
                instance=request.url.path,
                detail="Nothing was saved. Correct the answers listed and send them again.",
                invalid_params=[
                    InvalidParam(name=f"answers.{item_id}", reason=reason)
                    for item_id, reason in outcome.errors.items()
                ],
            ),
        )
    if outcome.conflicts:
        return problem_response(
            request,
            Problem(
                title="Conflict",
                status=409,
                instance=request.url.path,
                detail="Nothing was saved: some answers were changed elsewhere after you read "
                "them. Read the newer answers in 'conflicts' and send yours again with their "
                "versions if you still want them.",
                conflicts=[
                    _answer_out(item_id, state).model_dump()
                    for item_id, state in outcome.conflicts.items()
                ],
            ),
        )
    saved = SaveAnswersOut(saved=[SavedOut(item_id=i, version=v) for i, v in outcome.saved.items()])
    # A response FastAPI need not check against the model again: for a plain ``def`` route it
    # does so on a thread of its own, a third hand-over per save.
    return JSONResponse(saved.model_dump(mode="json"))


@router.post("/submit", summary="Submit your answers", response_model=SubmitOut)
def submit_answers(
    link: RespondentLinkDep,
    without_answers: Annotated[
        bool,
        Query(description="Submit although nothing has been answered (counted apart)."),
    ] = False,
) -> SubmitOut:
    work, context = link.work, link.open_to_save()
    _refuse_if_closed(context)
    if not without_answers and not has_answered(work.write(), context):
        raise ShownError(409, NOTHING_ANSWERED + " (send without_answers=true)")
    submitted_at = submit(session=work.write(), context=context)
    return SubmitOut(status=InvitationStatus.SUBMITTED.value, submitted_at=submitted_at)
