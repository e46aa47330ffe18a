"""Stories for the network's library in the demo: Kestrel Vale's own (one published, one
waiting for the editor, so that reviewing can be tried), and, at national scale, published
stories from a few named places, on the conditions places find hardest. All fictional."""

from sqlmodel import Session, col, select

from app.enums import PeerVisibility, StoryStatus
from app.models import AssessmentRound, NetworkShare, NetworkStory, NetworkStoryBase, Place, utcnow

KESTREL_VALE_STORIES = (
    (
        StoryStatus.PUBLISHED,
        NetworkStoryBase(
            title="A residents' panel that sets the forum's agenda twice a year",
            condition_id="co-production-with-lived-experience",
            what_they_did=(
                "We paid twelve residents with lived experience of the services we fund to sit "
                "on a standing panel. Twice a year they choose two items for the forum's agenda, "
                "and one of them co-chairs that meeting."
            ),
            what_changed=(
                "Two of our four priorities for the year came from the panel. Partners say the "
                "discussions are shorter and more honest, and the panel's members now help "
                "design the plain-language questionnaire."
            ),
            contact="Kestrel Vale place forum team, placeforum@kestrel-vale.example",
        ),
    ),
    (
        StoryStatus.SUBMITTED,
        NetworkStoryBase(
            title="One outcomes framework signed by every partner's board",
            condition_id="shared-outcomes-and-accountability",
            what_they_did=(
                "We replaced five partners' separate performance reports with six shared "
                "outcomes, each with one lead partner, and took the framework to every "
                "partner's board for signature."
            ),
            what_changed=(
                "The forum now spends its time on the two outcomes that are off track rather "
                "than on reading reports, and the ICB has moved one budget line to follow them."
            ),
            contact="Kestrel Vale place forum team, placeforum@kestrel-vale.example",
        ),
    ),
)

NATIONAL_STORIES = (
    NetworkStoryBase(
        title="Neighbourhood teams that own a pooled budget for small changes",
        condition_id="risk-appetite-and-experimentation",
        what_they_did=(
            "Each of our six neighbourhood teams holds a small pooled budget that it can spend "
            "on any change it can explain on one page, with no further approval."
        ),
        what_changed=(
            "Forty small changes in a year, eight of them adopted across the place; staff say "
            "they no longer wait for permission to try things."
        ),
        contact="Place forum team, placeforum@{slug}.example",
    ),
    NetworkStoryBase(
        title="A coordinating officer shared by the council and the ICB",
        condition_id="coordination-role",
        what_they_did=(
            "The council and the ICB jointly fund one officer whose only job is to keep the "
            "forum's work moving between meetings, reporting to both chief executives."
        ),
        what_changed=(
            "Actions agreed at the forum are now followed up within a fortnight, and partners "
            "outside the council and the NHS say they finally know whom to ask."
        ),
        contact="Place forum team, placeforum@{slug}.example",
    ),
    NetworkStoryBase(
        title="Writing the place's way of working into every new contract",
        condition_id="embedding-the-approach",
        what_they_did=(
            "We added a short clause on working with the place forum, and on sharing data "
            "with partners, to every contract and grant agreement the partners let."
        ),
        what_changed=(
            "New providers join the forum in their first month, and the approach survived a "
            "change of council leader without a restart."
        ),
        contact="Place forum team, placeforum@{slug}.example",
    ),
    NetworkStoryBase(
        title="One data sharing agreement for every partner",
        condition_id="data-and-evidence",
        what_they_did=(
            "Our partners' information governance leads wrote a single data sharing agreement "
            "for the place, with a short list of shared measures, in six weeks."
        ),
        what_changed=(
            "The forum sees the same figures as each partner's board, and a joint analysis of "
            "frequent hospital attenders led to a new community service."
        ),
        contact="Place forum team, placeforum@{slug}.example",
    ),
)


def ensure_place_stories(session: Session, place: Place) -> None:
    """Kestrel Vale's two stories, made once."""
    for number, (status, details) in enumerate(KESTREL_VALE_STORIES):
        _ensure(session, place, details, status, f"demo-story-{place.slug}-{number}")


def ensure_national_stories(session: Session) -> None:
    """One published story from each of the first few named national places, made once."""
    named = session.exec(
        select(Place)
        .join(AssessmentRound, col(AssessmentRound.place_id) == col(Place.id))
        .join(NetworkShare, col(NetworkShare.round_id) == col(AssessmentRound.id))
        .where(NetworkShare.visibility == PeerVisibility.NAMED, Place.slug != "kestrel-vale")
        .order_by(col(Place.id))
        .distinct()
        .limit(len(NATIONAL_STORIES))
    ).all()
    for place, details in zip(named, NATIONAL_STORIES, strict=False):
        story = details.model_copy(update={"contact": details.contact.format(slug=place.slug)})
        _ensure(session, place, story, StoryStatus.PUBLISHED, f"demo-story-{place.slug}-0")


def _ensure(
    session: Session, place: Place, details: NetworkStoryBase, status: StoryStatus, key: str
) -> None:
    if session.exec(select(NetworkStory.id).where(NetworkStory.form_key == key)).first():
        return
    reviewed = utcnow() if status is StoryStatus.PUBLISHED else None
    session.add(
        NetworkStory(
            **details.model_dump(),
            place_id=place.id or 0,
            status=status,
            form_key=key,
            reviewed_at=reviewed,
        )
    )
