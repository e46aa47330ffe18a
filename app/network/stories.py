"""The network's library of what worked (*Trusting place*, Recommendation 22): a place offers a
short story from its workshop, and no one outside the place sees it until one of the network's
editors publishes it. A published story is read beside the places strong on its condition, in
the national report, and in the forum report of a place weak on that condition.

A story names its place by its nature: offering one is the place's own choice, apart from
whether its figures are shared or named, and the place can take it back at any time.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.core.db import lock_until_commit
from app.core.exceptions import ChangeRefusedError
from app.enums import StoryStatus
from app.models import NetworkStory, NetworkStoryBase, Place, StoryReview, User, utcnow
from reports.network import Story


def offer_story(
    *, session: Session, place: Place, details: NetworkStoryBase, user: User, form_key: str
) -> tuple[NetworkStory, bool]:
    """The story, waiting for an editor; True when this request offered it, False when the
    same form (``form_key``) already had."""
    lock_until_commit(session, f"network-story-{form_key}")
    made = session.exec(select(NetworkStory).where(NetworkStory.form_key == form_key)).first()
    if made is not None:
        return made, False
    story = NetworkStory(
        **details.model_dump(),
        place_id=place.id or 0,
        form_key=form_key,
        submitted_by_user_id=user.id,
    )
    session.add(story)
    session.flush()
    return story, True


def stories_of(session: Session, place: Place) -> list[NetworkStory]:
    return list(
        session.exec(
            select(NetworkStory)
            .where(NetworkStory.place_id == place.id)
            .order_by(col(NetworkStory.submitted_at).desc(), col(NetworkStory.id).desc())
        ).all()
    )


def take_back_story(*, session: Session, place: Place, story_id: int) -> bool:
    """The place takes its story out of the library (or out of the editor's queue); False
    when it has none by that number (already taken back, or another place's)."""
    story = session.get(NetworkStory, story_id)
    if story is None or story.place_id != place.id:
        return False
    session.delete(story)
    return True


def review_story(
    *, session: Session, story_id: int, review: StoryReview
) -> tuple[NetworkStory, bool]:
    """Publish a waiting story, or decline it (or take a published one out) with why; True
    when the decision changed it. The same decision sent again changes nothing."""
    lock_until_commit(session, f"network-story-review-{story_id}")
    story = session.get(NetworkStory, story_id)
    if story is None:
        raise ChangeRefusedError("There is no such story: its place may have taken it back")
    wanted = StoryStatus.PUBLISHED if review.decision == "publish" else StoryStatus.DECLINED
    if story.status is wanted:
        return story, False
    if wanted is StoryStatus.PUBLISHED and story.status is not StoryStatus.SUBMITTED:
        raise ChangeRefusedError(
            "A story that was not published can only be published once its place offers it again",
            field="decision",
        )
    story.status = wanted
    story.editor_note = review.editor_note if wanted is StoryStatus.DECLINED else None
    story.reviewed_at = utcnow()
    session.add(story)
    return story, True


@dataclass(frozen=True)
class LibraryStory:
    id: int
    place: str
    place_id: int
    title: str
    condition_id: str
    what_they_did: str
    what_changed: str
    contact: str


def library(session: Session, status: StoryStatus = StoryStatus.PUBLISHED) -> list[LibraryStory]:
    """The stories in ``status`` (the library itself, or the editor's queue), newest first,
    with their places' names."""
    rows = session.exec(
        select(NetworkStory, Place.name)
        .join(Place, col(Place.id) == col(NetworkStory.place_id))
        .where(NetworkStory.status == status)
        .order_by(col(NetworkStory.submitted_at).desc(), col(NetworkStory.id).desc())
    ).all()
    return [
        LibraryStory(
            story.id or 0,
            name,
            story.place_id,
            story.title,
            story.condition_id,
            story.what_they_did,
            story.what_changed,
            story.contact,
        )
        for story, name in rows
    ]


def stories_by_condition(stories: list[LibraryStory]) -> dict[str, list[LibraryStory]]:
    by_condition: dict[str, list[LibraryStory]] = {}
    for story in stories:
        by_condition.setdefault(story.condition_id, []).append(story)
    return by_condition


def published_stories(session: Session, but_place: int | None = None) -> list[Story]:
    """The library as reports cite it (a place's own stories left out of its own report)."""
    return [
        Story(s.place, s.title, s.condition_id, s.what_they_did, s.what_changed, s.contact)
        for s in library(session)
        if s.place_id != but_place
    ]


def library_version(session: Session) -> tuple[int, ...]:
    """Which stories are published: what a made national report depends on."""
    published = session.exec(
        select(NetworkStory.id)
        .where(NetworkStory.status == StoryStatus.PUBLISHED)
        .order_by(col(NetworkStory.id))
    ).all()
    return tuple(story_id or 0 for story_id in published)
