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
