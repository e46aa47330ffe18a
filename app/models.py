"""The database tables (and the shapes the API reads and writes).

Each entity follows the SQLModel 'quintet': ``XBase`` holds the shared fields, ``X`` is the table,
``XCreate``/``XPublic`` are what the API accepts and returns. Enumerations are stored as short
strings, not native database enums, so migrations stay the same on SQLite and PostgreSQL.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from questionnaires.sectors import Sector

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _string_enum(enum: type[StrEnum]) -> sa.Enum:
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [member.value for member in members],
    )


def _timestamp(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class InvitationStatus(StrEnum):
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


class MembershipRole(StrEnum):
    FACILITATOR = "facilitator"
    VIEWER = "viewer"


# --- places and partners -------------------------------------------------------------------


class PlaceBase(SQLModel):
    name: str = Field(max_length=200, description="The place, as the forum calls it.")
    slug: str = Field(max_length=80, unique=True, description="Short id used in links.")
    description: str = Field(default="", max_length=2000)


class Place(PlaceBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _timestamp()


class PlaceCreate(PlaceBase):
    pass


class PlacePublic(PlaceBase):
    id: int


class OrganisationBase(SQLModel):
    name: str = Field(max_length=200)
    sector: Sector = Field(sa_type=_string_enum(Sector))


class Organisation(OrganisationBase, table=True):
    __table_args__ = (sa.UniqueConstraint("place_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True, ondelete="CASCADE")


class OrganisationCreate(OrganisationBase):
    pass


class OrganisationPublic(OrganisationBase):
    id: int
    place_id: int


# --- assessment rounds and invitations -----------------------------------------------------


class QuestionnaireSnapshot(SQLModel, table=True):
    """A questionnaire definition exactly as a round was created with it.

    Stored once per content hash; editing the definition files later never changes the
    questions, scores or reports of an existing round.
    """

    __tablename__ = "questionnaire_snapshot"

    content_hash: str = Field(primary_key=True, max_length=64)
    questionnaire_id: str = Field(max_length=80, index=True)
    version: str = Field(max_length=40)
    canonical_json: str = Field(sa_type=sa.Text)
    created_at: datetime = _timestamp()


class AssessmentRoundBase(SQLModel):
    title: str = Field(max_length=200)
    opens_on: date | None = None
    closes_on: date | None = None


class AssessmentRound(AssessmentRoundBase, table=True):
    __tablename__ = "assessment_round"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True, ondelete="CASCADE")
    questionnaire_hash: str = Field(
        foreign_key="questionnaire_snapshot.content_hash", index=True, ondelete="RESTRICT"
    )
    status: RoundStatus = Field(default=RoundStatus.DRAFT, sa_type=_string_enum(RoundStatus))
    anonymity_threshold: int = Field(default=3, ge=2)
    created_at: datetime = _timestamp()


class AssessmentRoundPublic(AssessmentRoundBase):
    id: int
    place_id: int
    status: RoundStatus
    anonymity_threshold: int


class Invitation(SQLModel, table=True):
    """One respondent's place in a round. The link's token is never stored, only its hash and
    a nonce from which the secret key (kept out of the database) derives it again."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    role_title: str = Field(max_length=200)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    token_hash: str = Field(max_length=64, unique=True)
    link_nonce: str | None = Field(
        default=None,
        max_length=120,
        description="With the deployment's secret, re-creates the link for the facilitator.",
    )
    status: InvitationStatus = Field(
        default=InvitationStatus.NOT_OPENED, sa_type=_string_enum(InvitationStatus)
    )
    created_at: datetime = _timestamp()
    submitted_at: datetime | None = _timestamp(nullable=True)
    emailed_at: datetime | None = _timestamp(nullable=True)


class Answer(SQLModel, table=True):
    """One respondent's answer to one item; ``version`` rises on every save so that a stale
    browser tab can be detected instead of silently overwriting a newer answer."""

    __table_args__ = (
        sa.UniqueConstraint("invitation_id", "item_id"),
        sa.CheckConstraint(
            "(kind = 'level') = (level IS NOT NULL)", name="level_only_for_level_answers"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", index=True, ondelete="CASCADE")
    item_id: str = Field(max_length=120)
    kind: AnswerKind = Field(sa_type=_string_enum(AnswerKind))
    level: int | None = None
    evidence: str | None = Field(default=None, max_length=4000)
    version: int = Field(default=1, ge=1)
    updated_at: datetime = _timestamp()


# --- the workshop: what the forum agreed ------------------------------------------------------


class ActionStatus(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    DROPPED = "dropped"


class ConditionAgreement(SQLModel, table=True):
    """The level the forum agreed for one condition after discussion, or that it could not
    agree: the second stage that individual ratings alone cannot give."""

    __tablename__ = "condition_agreement"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "condition_id"),
        sa.CheckConstraint(
            "(agreed_level IS NULL) = could_not_agree", name="level_or_could_not_agree"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    condition_id: str = Field(max_length=120)
    agreed_level: int | None = Field(default=None, ge=1)
    could_not_agree: bool = False
    rationale: str = Field(default="", max_length=2000)
    recorded_at: datetime = _timestamp()


class Action(SQLModel, table=True):
    """One line of the forum's action plan, linked to a condition or recommendation."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    description: str = Field(max_length=1000)
    condition_id: str | None = Field(default=None, max_length=120)
    recommendation_id: str | None = Field(default=None, max_length=8)
    lead_organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", ondelete="SET NULL"
    )
    due_on: date | None = None
    status: ActionStatus = Field(
        default=ActionStatus.NOT_STARTED, sa_type=_string_enum(ActionStatus)
    )
    created_at: datetime = _timestamp()


class EvidenceQuote(SQLModel, table=True):
    """A comment the facilitator chose for the report, as they edited it (names taken out).
    It goes when the answer it came from is erased."""

    __tablename__ = "evidence_quote"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    answer_id: int = Field(foreign_key="answer.id", index=True, ondelete="CASCADE")
    subject_id: str = Field(max_length=120, description="The condition or recommendation.")
    text: str = Field(max_length=1000)
    chosen_at: datetime = _timestamp()


# --- facilitators ----------------------------------------------------------------------------


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    display_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_administrator: bool = False
    is_active: bool = True
    created_at: datetime = _timestamp()


class PlaceMembership(SQLModel, table=True):
    __tablename__ = "place_membership"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    place_id: int = Field(foreign_key="place.id", primary_key=True, ondelete="CASCADE")
    role: MembershipRole = Field(
        default=MembershipRole.FACILITATOR, sa_type=_string_enum(MembershipRole)
    )


class AuditEvent(SQLModel, table=True):
    """Who did what and when: sign-ins, exports, status changes and deletions."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = _timestamp()
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    action: str = Field(max_length=80, index=True)
    place_id: int | None = Field(default=None, foreign_key="place.id", ondelete="SET NULL")
    round_id: int | None = Field(
        default=None, foreign_key="assessment_round.id", ondelete="SET NULL"
    )
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
