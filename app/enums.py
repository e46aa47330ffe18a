"""The domain's statuses and roles, each with the words a person reads for it.

They are stored as their short ``value`` strings (with a CHECK constraint behind each column);
pages and the facts handed to ``reports`` use ``label``, so no other module spells them out.
"""

from enum import StrEnum


class Labelled(StrEnum):
    """A stored value with the words a person reads for it: 'in-progress' is 'In progress'."""

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class RoundStatus(Labelled):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def interim(self) -> bool:
        """Answers may still come in, so any result is provisional."""
        return self in (RoundStatus.DRAFT, RoundStatus.OPEN)


class InvitationStatus(Labelled):
    NOT_OPENED = "not-opened"
    STARTED = "started"
    SUBMITTED = "submitted"
    REVOKED = "revoked"


class AnswerKind(StrEnum):
    """What sort of answer a row holds: a level on the item's scale, or one of the two opt-outs.

    'Don't know' and 'not applicable' are answers in their own right (counted, never averaged),
    so they are stored as such rather than as a missing level.
    """

    LEVEL = "level"
    DONT_KNOW = "dont_know"
    NOT_APPLICABLE = "not_applicable"
    TEXT = "text"


class MembershipRole(Labelled):
    FACILITATOR = "facilitator"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """'Viewer' is the stored word; people call them the place forum's members."""
        return "Forum member" if self is MembershipRole.VIEWER else "Facilitator"


class ActionStatus(Labelled):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    DROPPED = "dropped"


class JobStatus(Labelled):
    """Where a report being prepared in the background has got to."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"
    """The report cannot be made as asked (no answers yet, a partner below the threshold)."""
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.REFUSED, JobStatus.FAILED)


class Region(Labelled):
    """England's nine regions (ITL 1), as LG Inform compares councils by."""

    NORTH_EAST = "north-east"
    NORTH_WEST = "north-west"
    YORKSHIRE_AND_THE_HUMBER = "yorkshire-and-the-humber"
    EAST_MIDLANDS = "east-midlands"
    WEST_MIDLANDS = "west-midlands"
    EAST_OF_ENGLAND = "east-of-england"
    LONDON = "london"
    SOUTH_EAST = "south-east"
    SOUTH_WEST = "south-west"

    @property
    def label(self) -> str:
        return " ".join(
            w if w in {"and", "of"} else "The" if w == "the" else w.capitalize()
            for w in self.value.split("-")
        )


class AreaType(Labelled):
    """The kind of local government area the place is, as comparison groups are drawn."""

    COUNTY = "county"
    UNITARY = "unitary"
    METROPOLITAN = "metropolitan"
    LONDON_BOROUGH = "london-borough"
    DISTRICT = "district"
    COMBINED_AUTHORITY = "combined-authority"

    @property
    def label(self) -> str:
        return _AREA_TYPE_LABELS.get(self, super().label)


_AREA_TYPE_LABELS = {
    AreaType.COUNTY: "County",
    AreaType.UNITARY: "Unitary authority",
    AreaType.METROPOLITAN: "Metropolitan district",
    AreaType.LONDON_BOROUGH: "London borough",
    AreaType.DISTRICT: "District",
    AreaType.COMBINED_AUTHORITY: "Combined authority area",
}


class RuralUrban(Labelled):
    """The ONS Rural Urban Classification (2011) of local authority districts: six classes."""

    MAINLY_RURAL = "mainly-rural"
    LARGELY_RURAL = "largely-rural"
    URBAN_WITH_SIGNIFICANT_RURAL = "urban-with-significant-rural"
    URBAN_WITH_CITY_AND_TOWN = "urban-with-city-and-town"
    URBAN_WITH_MINOR_CONURBATION = "urban-with-minor-conurbation"
    URBAN_WITH_MAJOR_CONURBATION = "urban-with-major-conurbation"

    @property
    def label(self) -> str:
        return super().label + _RURAL_SHARES.get(self, "")


_RURAL_SHARES = {
    RuralUrban.MAINLY_RURAL: " (80% or more of people in rural areas or hub towns)",
    RuralUrban.LARGELY_RURAL: " (50% to 79% in rural areas or hub towns)",
    RuralUrban.URBAN_WITH_SIGNIFICANT_RURAL: " (26% to 49% in rural areas or hub towns)",
}


class PeerVisibility(Labelled):
    """Whether other places in the network see a sharing place's name and may contact it."""

    NAMED = "named"
    UNNAMED = "unnamed"

    @property
    def label(self) -> str:
        return _PEER_VISIBILITY_LABELS[self]


_PEER_VISIBILITY_LABELS = {
    PeerVisibility.NAMED: "Named, and other places may contact us",
    PeerVisibility.UNNAMED: "Not named: our figures count, but no one sees which place we are",
}


class StoryStatus(Labelled):
    """Where a story stands in the network's library: no one but its place and the network's
    editors sees it until an editor publishes it."""

    SUBMITTED = "submitted"
    PUBLISHED = "published"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return _STORY_STATUS_LABELS[self]


_STORY_STATUS_LABELS = {
    StoryStatus.SUBMITTED: "Waiting for the network's editor",
    StoryStatus.PUBLISHED: "Published in the library",
    StoryStatus.DECLINED: "Not published",
}
