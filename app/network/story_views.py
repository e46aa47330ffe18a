"""The library of what worked: a place's Stories page (offer one, see what the editor decided,
take one back), and the network's Stories page (the library, and for editors the stories
waiting for review)."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from app.accounts.access import PlaceAccess, may_edit_network
from app.core.exceptions import ChangeRefusedError, ShownError
from app.core.security.tokens import new_token
from app.deps import (
    FacilitatorPlacePage,
    NetworkEditorChange,
    PlaceChange,
    PlacesPage,
    RecordId,
    RegistryDep,
    UnitOfWorkRoute,
)
from app.enums import StoryStatus
from app.models import NetworkStoryBase, StoryReview
from app.network.releases import network_audience
from app.network.stories import (
    library,
    offer_story,
    review_story,
    stories_of,
    take_back_story,
)
from app.web.pages import Errors, OneTimeForm, Visit
from questionnaires.registry import Registry

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

PLACE_DONE = {
    "offered": "Your story was sent to the network's editor. Other places see it once it is "
    "published.",
    "taken-back": "The story was taken back: no one else sees it any more.",
}
LIBRARY_DONE = {
    "published": "The story was published: everyone who reads the network sees it now.",
    "declined": "The story was not published; its place sees why.",
}


def _conditions(registry: Registry) -> dict[str, str]:
    return {c.id: c.title for c in registry.get("trusting-place").conditions}


def _place_page(
    visit: Visit[PlaceAccess],
    registry: Registry,
    errors: Errors | None = None,
    notice: str | None = None,
) -> Response:
    place = visit.access.place
    context = {
        "place": place,
        "stories": stories_of(visit.session, place),
        "conditions": _conditions(registry),
        "published": StoryStatus.PUBLISHED,
        "declined": StoryStatus.DECLINED,
        "form_key": new_token(),
        "notice": notice,
    }
    return visit.page("place_stories", context, errors=errors)


@router.get("/places/{slug}/stories", response_class=HTMLResponse)
def place_stories(
    visit: FacilitatorPlacePage, registry: RegistryDep, done: str | None = None
) -> Response:
    return _place_page(visit, registry, notice=PLACE_DONE.get(done or ""))


@router.post("/places/{slug}/stories", response_class=HTMLResponse)
def offer(change: PlaceChange, registry: RegistryDep) -> Response:
    """The same form sent twice makes one story and lands where the first did."""
    errors = Errors()
    key = change.form.validated(OneTimeForm, errors)
    if key is None:
        raise ShownError(400, "This form has expired. Start again from the Stories page.")
    details = change.form.validated(
        NetworkStoryBase, errors, context={"conditions": set(_conditions(registry))}
    )
    if details is None:
        return _place_page(change, registry, errors)
    story, new = offer_story(
        session=change.session,
        place=change.access.place,
        details=details,
        user=change.user,
        form_key=key.form_key,
    )
    if new:
        change.record("story-offered", story_id=story.id, title=story.title)
    return change.done(f"/places/{change.access.place.slug}/stories?done=offered")


@router.post("/places/{slug}/stories/{story_id}/take-back", response_class=HTMLResponse)
def take_back(story_id: RecordId, change: PlaceChange) -> Response:
    """Taking back a story already taken back changes nothing and says nothing."""
    place = change.access.place
    if take_back_story(session=change.session, place=place, story_id=story_id):
        change.record("story-taken-back", story_id=story_id)
        return change.done(f"/places/{place.slug}/stories?done=taken-back")
    return change.done(f"/places/{place.slug}/stories")


def _library_page(
    visit: Visit[None],
    registry: Registry,
    condition: str | None,
    errors: Errors | None = None,
    reviewing: int | None = None,
    notice: str | None = None,
) -> Response:
    """``reviewing``: the story whose review form comes back with what was typed."""
    editor = may_edit_network(visit.user)
    sees, _ = network_audience(visit.session, visit.user)
    conditions = _conditions(registry)
    chosen = condition if condition in conditions else None  # anything else: every condition
    published = library(visit.session) if sees else []
    context = {
        "sees": sees,
        "editor": editor,
        "conditions": conditions,
        "condition": chosen,
        "stories": [s for s in published if chosen in (None, s.condition_id)],
        "published_count": len(published),
        "waiting": library(visit.session, StoryStatus.SUBMITTED) if editor else [],
        "reviewing": reviewing,
        "notice": notice,
    }
    return visit.page("network_stories", context, errors=errors)


@router.get("/network/stories", response_class=HTMLResponse)
def network_stories(
    visit: PlacesPage,
    registry: RegistryDep,
    condition: Annotated[str | None, Query(max_length=100)] = None,
    done: str | None = None,
) -> Response:
    return _library_page(visit, registry, condition, notice=LIBRARY_DONE.get(done or ""))


@router.post("/network/stories/{story_id}/review", response_class=HTMLResponse)
def review(story_id: RecordId, change: NetworkEditorChange, registry: RegistryDep) -> Response:
    """An editor's decision; the same decision sent again lands on the page as it is."""
    errors = Errors()
    decision = change.form.validated(StoryReview, errors)
    if decision is None:
        return _library_page(change, registry, None, _for_story(errors, story_id), story_id)
    try:
        story, changed = review_story(session=change.session, story_id=story_id, review=decision)
    except ChangeRefusedError as refused:
        errors.add(f"decision-{story_id}", str(refused))
        return _library_page(change, registry, None, errors, story_id)
    if not changed:
        return change.done("/network/stories")
    done = story.status.value  # "published" or "declined"
    change.record(f"story-{done}", place_id=story.place_id, story_id=story_id)
    return change.done(f"/network/stories?done={done}")


def _for_story(errors: Errors, story_id: int) -> Errors:
    """Each story has its own review form, its fields numbered by story, so that the error
    summary links to the right one."""
    return Errors({f"{name}-{story_id}": message for name, message in errors.by_field.items()})
