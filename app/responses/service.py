"""Answering a questionnaire: the pages a respondent sees, and saving what they send.

Saves are given the request's write session (its transaction holds the lock from the start) and
compare versions, so a stale browser tab is detected and explained instead of silently
overwriting a newer answer. The caller commits.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.core.clock import place_today
from app.core.db import lock_until_commit
from app.core.fields import unstorable
from app.enums import AnswerKind, InvitationStatus, RoundStatus
from app.invitations.service import live_link
from app.models import Answer, AssessmentRound, Invitation, Organisation, utcnow
from app.rounds.deadlines import past_deadline
from app.rounds.definitions import definition_of_round
from questionnaires.schema import (
    OPT_OUT_LABELS,
    Definition,
    Item,
    ItemKind,
    OptOut,
    Part,
    PartKind,
    Variant,
)
from questionnaires.sectors import Sector

MAX_EVIDENCE = 1200


class SectionStatus(StrEnum):
    NOT_STARTED = "Not yet started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"


@dataclass(frozen=True)
class Page:
    """One thing per page: a condition with its statements and importance, or a
    recommendation with its follow-up."""

    id: str
    part: Part
    title: str
    summary: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ResponseContext:
    invitation: Invitation
    organisation: Organisation
    assessment_round: AssessmentRound
    definition: Definition
    variant: Variant
    pages: tuple[Page, ...]

    @property
    def editable(self) -> bool:
        """Open, and its closing date not yet past: answers stop at midnight at the end of the
        closing date, even in the minute before the scheduled check closes the round."""
        return self.assessment_round.status is RoundStatus.OPEN and not past_deadline(
            self.assessment_round, place_today()
        )

    @property
    def plain(self) -> bool:
        return self.variant.plain_language

    def page(self, page_id: str) -> Page | None:
        return next((page for page in self.pages if page.id == page_id), None)

    def pages_of(self, part_id: str) -> list[Page]:
        return [page for page in self.pages if page.part.id == part_id]

    @property
    def parts(self) -> list[Part]:
        return [self.definition.part(part_id) for part_id in self.variant.parts]

    def next_page(self, page: Page) -> Page | None:
        index = self.pages.index(page)
        following = self.pages[index + 1] if index + 1 < len(self.pages) else None
        return following if following and following.part.id == page.part.id else None

    def part_title(self, part: Part) -> str:
        return (part.plain_title or part.title) if self.plain else part.title

    def part_intro(self, part: Part) -> str:
        return (part.plain_intro or part.intro) if self.plain else part.intro


def pages_for(definition: Definition, variant: Variant, items: list[Item]) -> tuple[Page, ...]:
    pages: list[Page] = []
    for part_id in variant.parts:
        part = definition.part(part_id)
        subjects: list[str] = []
        for item in items:
            if item.part == part_id and item.subject not in subjects:
                subjects.append(item.subject)
        for subject in subjects:
            page_items = tuple(i for i in items if i.part == part_id and i.subject == subject)
            if part.kind is PartKind.CONDITIONS:
                condition = definition.condition(subject)
                plain = variant.plain_language
                title = (condition.plain_title or condition.title) if plain else condition.title
                summary = (
                    (condition.plain_summary or condition.summary) if plain else (condition.summary)
                )
            else:
                recommendation = definition.recommendation(subject)
                title, summary = recommendation.numbered_title, recommendation.summary
            pages.append(Page(subject, part, title, summary, page_items))
    return tuple(pages)


def open_response(*, session: Session, token: str) -> ResponseContext | None:
    """The questionnaire behind a link, in one query (a save is the request people wait on
    most); None for unknown and revoked links alike."""
    link = live_link(token)
    if link is None:
        return None
    found = session.exec(
        select(Invitation, AssessmentRound, Organisation)
        .join(AssessmentRound, col(AssessmentRound.id) == col(Invitation.round_id))
        .join(Organisation, col(Organisation.id) == col(Invitation.organisation_id))
        .where(link)
    ).first()
    if found is None:
        return None
    invitation, assessment_round, organisation = found
    definition = definition_of_round(session=session, assessment_round=assessment_round)
    variant, pages = _pages_of(definition, organisation.sector)
    return ResponseContext(
        invitation=invitation,
        organisation=organisation,
        assessment_round=assessment_round,
        definition=definition,
        variant=variant,
        pages=pages,
    )


_sector_pages: dict[tuple[str, Sector], tuple[Variant, tuple[Page, ...]]] = {}


def _pages_of(definition: Definition, sector: Sector) -> tuple[Variant, tuple[Page, ...]]:
    """A sector's questionnaire, page by page: the same for every respondent of the sector,
    so made once per questionnaire version and sector (a few dozen in all), not per save."""
    key = (definition.content_hash, sector)
    if key not in _sector_pages:
        variant = definition.variant_for(sector)
        _sector_pages[key] = variant, pages_for(definition, variant, definition.items_for(sector))
    return _sector_pages[key]


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerState:
    """An answer as stored: its choice ('3', 'dont_know', …, or None), comment and version."""

    choice: str | None
    evidence: str
    version: int


@dataclass(frozen=True)
class AnswerInput:
    item_id: str
    choice: str | None
    evidence: str
    version: int
    """The version the sender last saw: 0 for an answer they believe is new."""


@dataclass
class SaveOutcome:
    saved: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, AnswerState] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts


class StoredAnswer(Protocol):
    """An answer as read: a row of the ``answer`` table, or the ORM object for one."""

    @property
    def kind(self) -> AnswerKind: ...
    @property
    def level(self) -> int | None: ...
    @property
    def evidence(self) -> str | None: ...
    @property
    def version(self) -> int: ...


def state_of(answer: StoredAnswer) -> AnswerState:
    if answer.kind is AnswerKind.LEVEL:
        choice: str | None = str(answer.level)
    elif answer.kind is AnswerKind.TEXT:
        choice = None
    else:
        choice = OptOut(answer.kind.value).value
    return AnswerState(choice=choice, evidence=answer.evidence or "", version=answer.version)


def answers_of(*, session: Session, invitation: Invitation) -> dict[str, AnswerState]:
    rows = session.exec(select(Answer).where(Answer.invitation_id == invitation.id)).all()
    return {answer.item_id: state_of(answer) for answer in rows}


def choices_for(definition: Definition, item: Item) -> list[tuple[str, str]]:
    """(value, label) of every answer the item allows, scale first, then the opt-outs."""
    scale = definition.scale(item.scale)
    return [(str(level.value), level.label) for level in scale.levels] + [
        (opt_out.value, OPT_OUT_LABELS[opt_out]) for opt_out in scale.opt_outs
    ]


def choice_label(definition: Definition, item: Item, choice: str | None) -> str:
    return dict(choices_for(definition, item)).get(choice or "", "Not answered")


def check_input(definition: Definition, item: Item, answer: AnswerInput) -> str | None:
    """Why this answer cannot be stored, in words the respondent can act on, or None."""
    if answer.choice is not None and answer.choice not in dict(choices_for(definition, item)):
        return "Select one of the answers shown"
    if unstorable(answer.evidence):
        return "Your comment has a character that cannot be stored; remove it and try again"
    if len(answer.evidence) > MAX_EVIDENCE:
        return (
            f"Your comment must be {MAX_EVIDENCE:,} characters or fewer; it is "
            f"{len(answer.evidence):,} characters"
        )
    return None


def missing_answer(item: Item) -> str:
    """The prompt for a question left unanswered when the respondent wants to move on."""
    if item.kind is ItemKind.IMPORTANCE:
        return "Select how important this is, or select ‘Don’t know’"
    if item.kind is ItemKind.FOLLOW_UP:
        return "Select whether your organisation would take part, or select ‘Don’t know’"
    return "Select an answer, or select ‘Don’t know’"


def _stored_values(given: AnswerInput) -> dict[str, object] | None:
    """The columns to store for ``given``: None when there is nothing to keep."""
    evidence = given.evidence.strip() or None
    if given.choice is None and evidence is None:
        return None
    if given.choice is None:
        kind, level = AnswerKind.TEXT, None
    elif given.choice in {OptOut.DONT_KNOW.value, OptOut.NOT_APPLICABLE.value}:
        kind, level = AnswerKind(given.choice), None
    else:
        kind, level = AnswerKind.LEVEL, int(given.choice)
    return {"kind": kind, "level": level, "evidence": evidence, "updated_at": utcnow()}


_ANSWERS = Answer.__table__  # type: ignore[attr-defined]
_STORED = sa_select(
    _ANSWERS.c.id,
    _ANSWERS.c.item_id,
    _ANSWERS.c.kind,
    _ANSWERS.c.level,
    _ANSWERS.c.evidence,
    _ANSWERS.c.version,
).where(
    _ANSWERS.c.invitation_id == bindparam("invitation_id"),
    _ANSWERS.c.item_id.in_(bindparam("items", expanding=True)),
)
_INSERT = _ANSWERS.insert()
_UPDATE = (
    _ANSWERS.update()
    .where(_ANSWERS.c.id == bindparam("answer_id"))
    .values(
        kind=bindparam("kind"),
        level=bindparam("level"),
        evidence=bindparam("evidence"),
        version=bindparam("new_version"),
        updated_at=bindparam("updated_at"),
    )
)
_DELETE = _ANSWERS.delete().where(_ANSWERS.c.id.in_(bindparam("ids", expanding=True)))
"""A save's statements, built once and run on the session's connection: a save is the
request people wait on most, and the ORM's loading and flushing of each answer cost a fifth
of it for rows that nothing else in the request reads."""


@dataclass
class CheckedAnswers:
    """What a respondent sent, checked against their questionnaire with nothing read from the
    database: the answers fit to store, and what is wrong with the others."""

    outcome: SaveOutcome
    storable: list[AnswerInput]
    first_answer: bool
    """Their link had not been used to answer before (read before the write lock is taken,
    since taking it reloads every row)."""


def validate_answers(
    *,
    context: ResponseContext,
    answers: list[AnswerInput],
    required: bool = False,
) -> CheckedAnswers:
    """Check every answer sent; with ``required`` (a page's "Save and continue"), an answer
    left blank is an error, though whatever else was typed beside it (a comment) is stored."""
    outcome = SaveOutcome()
    items = {item.id: item for page in context.pages for item in page.items}
    blocked: set[str] = set()
    seen: set[str] = set()
    for given in answers:
        item = items.get(given.item_id)
        if given.item_id in seen:
            outcome.errors[given.item_id] = "This question is answered more than once; send it once"
            blocked.add(given.item_id)
            continue
        seen.add(given.item_id)
        if item is None:
            outcome.errors[given.item_id] = "This question is not part of your questionnaire"
            blocked.add(given.item_id)
            continue
        problem = check_input(context.definition, item, given)
        if problem:
            outcome.errors[given.item_id] = problem
            blocked.add(given.item_id)
        elif required and given.choice is None:
            outcome.errors[given.item_id] = missing_answer(item)
    return CheckedAnswers(
        outcome=outcome,
        storable=[given for given in answers if given.item_id not in blocked],
        first_answer=context.invitation.status is InvitationStatus.NOT_OPENED,
    )


def store_answers(
    *, session: Session, context: ResponseContext, checked: CheckedAnswers, all_or_nothing: bool
) -> SaveOutcome:
    """Store the checked answers that are current, under the write lock the caller's unit of
    work holds (the versions are read under it); report the stale ones as conflicts.

    With ``all_or_nothing`` (the JSON API), one stale answer means nothing is stored.
    Otherwise (form pages) current answers are stored even when others on the page need
    fixing, because nothing a respondent got right should be lost while they correct the rest.
    """
    outcome = checked.outcome
    invitation_id = context.invitation.id
    assert invitation_id is not None
    # One respondent's saves one at a time, so that the versions read are still current when
    # written: PostgreSQL lets two tabs read the same version, and both were acknowledged
    # while one overwrote the other (or both inserted a first answer, and one got a 500).
    lock_until_commit(session, f"answers:{invitation_id}")
    connection = session.connection()
    stored: dict[str, Any] = {
        row.item_id: row
        for row in connection.execute(
            _STORED,
            {
                "invitation_id": invitation_id,
                "items": [given.item_id for given in checked.storable],
            },
        )
    }
    to_save: list[tuple[AnswerInput, Any]] = []
    for given in checked.storable:
        current = stored.get(given.item_id)
        current_state = state_of(current) if current is not None else None
        wanted = AnswerState(given.choice, given.evidence.strip(), 0)
        if current_state and (current_state.choice, current_state.evidence) == (
            wanted.choice,
            wanted.evidence,
        ):
            outcome.saved[given.item_id] = current_state.version
            continue
        if current_state and current_state.version != given.version:
            outcome.conflicts[given.item_id] = current_state
            continue
        to_save.append((given, current))
    if all_or_nothing and outcome.conflicts:
        return outcome
    new, changed, emptied = [], [], []
    for given, current in to_save:
        values = _stored_values(given)
        if values is None:
            if current is not None:
                emptied.append(current.id)
            outcome.saved[given.item_id] = 0
        elif current is None:
            new.append({**values, "invitation_id": invitation_id, "item_id": given.item_id})
            outcome.saved[given.item_id] = 1
        else:
            version = current.version + 1
            changed.append({**values, "answer_id": current.id, "new_version": version})
            outcome.saved[given.item_id] = version
    if new:
        connection.execute(_INSERT, [{**row, "version": 1} for row in new])
    if changed:
        connection.execute(_UPDATE, changed)
    if emptied:
        connection.execute(_DELETE, {"ids": emptied})
    if checked.first_answer:
        session.execute(
            update(Invitation)
            .where(
                col(Invitation.id) == invitation_id,
                col(Invitation.status) == InvitationStatus.NOT_OPENED,
            )
            .values(status=InvitationStatus.STARTED)
        )
    return outcome


def has_answered(session: Session, context: ResponseContext) -> bool:
    """Whether the respondent has answered anything at all: submitting with nothing answered
    is asked about first, and counted apart from real responses."""
    return (
        session.exec(
            select(Answer.id).where(Answer.invitation_id == context.invitation.id).limit(1)
        ).first()
        is not None
    )


NOTHING_ANSWERED = (
    "You have not answered any question yet. Answer at least one, or confirm that you want "
    "to submit without giving a view."
)


def submit(*, session: Session, context: ResponseContext) -> datetime:
    """Mark the respondent's answers submitted, under the caller's write lock."""
    invitation = session.get(Invitation, context.invitation.id)
    assert invitation is not None
    invitation.status = InvitationStatus.SUBMITTED
    invitation.submitted_at = invitation.submitted_at or datetime.now(UTC)
    session.add(invitation)
    session.flush()
    return invitation.submitted_at


def page_status(page: Page, answers: dict[str, AnswerState]) -> SectionStatus:
    answered = [
        item for item in page.items if answers.get(item.id, None) and answers[item.id].choice
    ]
    if not answered:
        return SectionStatus.NOT_STARTED
    return (
        SectionStatus.COMPLETED if len(answered) == len(page.items) else SectionStatus.IN_PROGRESS
    )


def part_status(pages: list[Page], answers: dict[str, AnswerState]) -> SectionStatus:
    statuses = {page_status(page, answers) for page in pages}
    if statuses == {SectionStatus.COMPLETED}:
        return SectionStatus.COMPLETED
    if statuses == {SectionStatus.NOT_STARTED}:
        return SectionStatus.NOT_STARTED
    return SectionStatus.IN_PROGRESS


def unanswered_pages(context: ResponseContext, answers: dict[str, AnswerState]) -> list[Page]:
    return [p for p in context.pages if page_status(p, answers) is not SectionStatus.COMPLETED]
