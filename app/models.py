"""The database tables, and the inputs that create them.

Each entity follows the SQLModel 'quintet': ``XBase`` holds the fields a person types, each with
its limits stated once (and a ``title`` the error messages use); ``X`` is the table, whose
columns carry the same lengths; ``XCreate`` is what a form, an upload row or the API must pass
before anything is written. Table models skip validation, so input always goes through an
``XCreate`` first, and the database's own constraints (CHECKs on statuses, thresholds and
levels; lengths on PostgreSQL) stand behind it. Statuses are stored as short strings, not native
database enums, so migrations stay the same on SQLite and PostgreSQL.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ValidationInfo, field_validator
from sqlmodel import Field, SQLModel

from app.core.fields import EMAIL_MAX, EmailAddress, Secret, one_line, plain_text
from app.enums import (
    ActionStatus,
    AnswerKind,
    AreaType,
    InvitationStatus,
    JobStatus,
    MembershipRole,
    PeerVisibility,
    Region,
    RoundStatus,
    RuralUrban,
    StoryStatus,
)
from questionnaires.sectors import Sector

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIN_THRESHOLD, MAX_THRESHOLD = 2, 20
"""Groups smaller than the anonymity threshold are never shown; 1 would show individuals."""
MIN_REMINDER_DAYS, MAX_REMINDER_DAYS = 1, 28
"""A scheduled reminder goes out between a day and four weeks before a round closes."""
MAX_LEVEL = 10
"""No scale has more levels; the questionnaire decides which of them an item allows."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _string_enum(enum: type[StrEnum]) -> sa.Enum:
    """A short string column that the database refuses any value outside ``enum`` for."""
    return sa.Enum(
        enum,
        name=enum.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda members: [member.value for member in members],
    )


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A moment, always read back with its UTC offset. PostgreSQL keeps the offset; SQLite
    keeps only the digits, so without this the API said "2026-11-23T10:00:00" on SQLite and
    "2026-11-23T10:00:00+00:00" on PostgreSQL for the same moment."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _timestamp(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=UtcDateTime, nullable=True)
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


def _chosen(value: Any, info: ValidationInfo, choices: str, message: str) -> Any:
    """Check a value against the choices the caller passed as validation context."""
    allowed = (info.context or {}).get(choices)
    if value is not None and allowed is not None and value not in allowed:
        raise ValueError(message)
    return value


# --- places and partners -------------------------------------------------------------------


class PlaceBase(SQLModel):
    name: str = Field(
        min_length=1,
        max_length=200,
        title="the place's name",
        schema_extra={"examples": ["Kestrel Vale"]},
    )
    description: str = Field(default="", max_length=2000, title="the description")
    data_contact: str | None = Field(
        default=None,
        max_length=300,
        title="who partners contact about their data",
        description="Printed in the privacy notice the place's respondents read.",
        schema_extra={"examples": ["Place forum team, placeforum@kestrelvale.example"]},
    )
    # What places are compared by across the network (as LG Inform groups councils); each is
    # optional until the place chooses to share its results.
    region: Region | None = Field(default=None, sa_type=_string_enum(Region), title="the region")
    area_type: AreaType | None = Field(
        default=None, sa_type=_string_enum(AreaType), title="the type of area"
    )
    rural_urban: RuralUrban | None = Field(
        default=None, sa_type=_string_enum(RuralUrban), title="the rural and urban class"
    )

    _one_line = field_validator("name", "data_contact")(one_line)

    _plain_text = field_validator("description")(plain_text)


class Place(PlaceBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, description="Short id used in links.")
    created_at: datetime = _timestamp()


class PlaceCreate(PlaceBase):
    pass


class OrganisationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200, title="the organisation's name")
    sector: Sector = Field(sa_type=_string_enum(Sector), title="the organisation's sector")

    _one_line = field_validator("name")(one_line)


class Organisation(OrganisationBase, table=True):
    __table_args__ = (sa.UniqueConstraint("place_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True, ondelete="CASCADE")


class OrganisationCreate(OrganisationBase):
    pass


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
    title: str = Field(
        min_length=1,
        max_length=200,
        title="a title for the round",
        schema_extra={"examples": ["Spring 2027 assessment"]},
    )
    opens_on: date | None = Field(default=None, title="the opening date")
    closes_on: date | None = Field(default=None, title="the closing date")
    anonymity_threshold: int = Field(
        default=3, ge=MIN_THRESHOLD, le=MAX_THRESHOLD, title="the anonymity threshold"
    )

    remind_days_before: int | None = Field(
        default=None,
        ge=MIN_REMINDER_DAYS,
        le=MAX_REMINDER_DAYS,
        title="the number of days before closing to send a reminder",
        description="E-mail a reminder to everyone who has not submitted this many days before "
        "the closing date.",
    )

    @field_validator("closes_on")
    @classmethod
    def _closes_after_it_opens(cls, closes_on: date | None, info: ValidationInfo) -> date | None:
        opens_on = info.data.get("opens_on")
        if closes_on and opens_on and closes_on < opens_on:
            raise ValueError("The closing date must be on or after the opening date")
        return closes_on

    @field_validator("remind_days_before")
    @classmethod
    def _reminder_needs_a_deadline(cls, days: int | None, info: ValidationInfo) -> int | None:
        # A closing date that was entered but is not a real date is missing from ``data``; its
        # own message says so, and saying that none was entered would contradict it.
        if days is not None and "closes_on" in info.data and info.data["closes_on"] is None:
            raise ValueError("Enter a closing date to send a reminder before it")
        return days

    _one_line = field_validator("title")(one_line)


class AssessmentRound(AssessmentRoundBase, table=True):
    __tablename__ = "assessment_round"
    __table_args__ = (
        sa.CheckConstraint(
            f"anonymity_threshold BETWEEN {MIN_THRESHOLD} AND {MAX_THRESHOLD}",
            name="anonymity_threshold_in_range",
        ),
        sa.CheckConstraint(
            f"remind_days_before BETWEEN {MIN_REMINDER_DAYS} AND {MAX_REMINDER_DAYS}",
            name="remind_days_before_in_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True, ondelete="CASCADE")
    questionnaire_hash: str = Field(
        foreign_key="questionnaire_snapshot.content_hash", index=True, ondelete="RESTRICT"
    )
    status: RoundStatus = Field(default=RoundStatus.DRAFT, sa_type=_string_enum(RoundStatus))
    reminder_sent_on: date | None = Field(
        default=None, description="When the scheduled reminder went out, so it goes only once."
    )
    created_at: datetime = _timestamp()


class AssessmentRoundCreate(AssessmentRoundBase):
    questionnaire_id: str = Field(
        title="a questionnaire", description="The definition's id and version: id@version."
    )

    @field_validator("questionnaire_id")
    @classmethod
    def _known_questionnaire(cls, value: str, info: ValidationInfo) -> str:
        return str(_chosen(value, info, "questionnaires", "Choose a questionnaire"))


class InvitationBase(SQLModel):
    role_title: str = Field(
        min_length=1,
        max_length=200,
        title="the person's role",
        schema_extra={"examples": ["Head of Policy"]},
    )
    name: str | None = Field(default=None, max_length=200, title="the person's name")
    email: EmailAddress | None = Field(default=None, title="the person's e-mail address")

    _one_line = field_validator("role_title", "name", "email")(one_line)


class Invitation(InvitationBase, table=True):
    """One respondent's place in a round. The link's token is never stored, only its hash and
    a nonce from which the secret key (kept out of the database) derives it again."""

    __table_args__ = (
        sa.UniqueConstraint("round_id", "paper_sheet_hash", name="uq_invitation_paper_sheet"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
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
    paper_sheet_hash: str | None = Field(
        default=None,
        max_length=64,
        description="For answers typed in from paper: a digest of the sheet, so the same sheet "
        "is never imported twice.",
    )


class InvitationCreate(InvitationBase):
    organisation_id: int = Field(title="the organisation the person answers for")

    @field_validator("organisation_id")
    @classmethod
    def _partner_of_the_place(cls, value: int, info: ValidationInfo) -> int:
        message = "Choose the organisation the person answers for"
        return int(_chosen(value, info, "organisations", message))


class Answer(SQLModel, table=True):
    """One respondent's answer to one item; ``version`` rises on every save so that a stale
    browser tab can be detected instead of silently overwriting a newer answer."""

    __table_args__ = (
        sa.UniqueConstraint("invitation_id", "item_id"),
        sa.CheckConstraint(
            "(kind = 'level') = (level IS NOT NULL)", name="level_only_for_level_answers"
        ),
        sa.CheckConstraint(f"level BETWEEN 1 AND {MAX_LEVEL}", name="level_in_range"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
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


class ConditionAgreementBase(SQLModel):
    agreed_level: int | None = Field(default=None, ge=1, le=MAX_LEVEL, title="the agreed level")
    could_not_agree: bool = False
    rationale: str = Field(default="", max_length=2000, title="the reason")

    _plain_text = field_validator("rationale")(plain_text)


class ConditionAgreement(ConditionAgreementBase, table=True):
    """The level the forum agreed for one condition after discussion, or that it could not
    agree: the second stage that individual ratings alone cannot give."""

    __tablename__ = "condition_agreement"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "condition_id"),
        sa.CheckConstraint(
            "(agreed_level IS NULL) = could_not_agree", name="level_or_could_not_agree"
        ),
        sa.CheckConstraint(f"agreed_level BETWEEN 1 AND {MAX_LEVEL}", name="agreed_level_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    condition_id: str = Field(max_length=120)
    recorded_at: datetime = _timestamp()


class ActionBase(SQLModel):
    description: str = Field(
        min_length=1,
        max_length=1000,
        title="the action",
        schema_extra={"examples": ["Agree a data-sharing protocol"]},
    )
    condition_id: str | None = Field(default=None, max_length=120, title="a condition")
    recommendation_id: str | None = Field(default=None, max_length=8, title="a recommendation")
    lead_organisation_id: int | None = Field(default=None, title="a lead organisation")
    due_on: date | None = Field(default=None, title="the due date")

    _plain_text = field_validator("description")(plain_text)


class Action(ActionBase, table=True):
    """One line of the forum's action plan, linked to a condition or recommendation."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    lead_organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", ondelete="SET NULL"
    )
    status: ActionStatus = Field(
        default=ActionStatus.NOT_STARTED, sa_type=_string_enum(ActionStatus)
    )
    created_at: datetime = _timestamp()


class ActionCreate(ActionBase):
    @field_validator("condition_id")
    @classmethod
    def _known_condition(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _chosen(value, info, "conditions", "Choose a condition from the list")  # type: ignore[no-any-return]

    @field_validator("recommendation_id")
    @classmethod
    def _known_recommendation(cls, value: str | None, info: ValidationInfo) -> str | None:
        message = "Choose a recommendation from the list"
        return _chosen(value, info, "recommendations", message)  # type: ignore[no-any-return]

    @field_validator("lead_organisation_id")
    @classmethod
    def _known_lead(cls, value: int | None, info: ValidationInfo) -> int | None:
        message = "Choose a lead organisation from the list"
        return _chosen(value, info, "organisations", message)  # type: ignore[no-any-return]


class EvidenceQuoteBase(SQLModel):
    text: str = Field(
        min_length=1,
        max_length=1000,
        title="the words to quote (you can shorten the comment)",
    )

    _plain_text = field_validator("text")(plain_text)


class EvidenceQuote(EvidenceQuoteBase, table=True):
    """A comment the facilitator chose for the report, as they edited it (names taken out),
    with the partner it came from kept beside it, so that what forum members read of it never
    reaches back into the answers. It goes when the answer it came from is erased."""

    __tablename__ = "evidence_quote"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    answer_id: int = Field(foreign_key="answer.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    subject_id: str = Field(max_length=120, description="The condition or recommendation.")
    chosen_at: datetime = _timestamp()


# --- facilitators ----------------------------------------------------------------------------


MINIMUM_PASSWORD_LENGTH = 12


def lower_case(email: str) -> str:
    return email.lower()


def typed_twice(message: str) -> Callable[[str, ValidationInfo], str]:
    """A check that ``confirm_password`` repeats ``new_password``, saying ``message`` if not."""

    def check(confirm: str, info: ValidationInfo) -> str:
        if "new_password" in info.data and confirm != info.data["new_password"]:
            raise ValueError(message)
        return confirm

    return check


class UserBase(SQLModel):
    email: EmailAddress = Field(title="their e-mail address")
    display_name: str = Field(min_length=1, max_length=200, title="the person's name")
    is_administrator: bool = False
    may_create_places: bool = Field(
        default=False,
        description="May set up new places (administrators always may).",
        sa_column_kwargs={"server_default": sa.false()},
    )
    reads_network: bool = Field(
        default=False,
        description="A network reader (LGA staff, a region, an integrated care system): reads "
        "the network's releases across places, given by an administrator.",
        sa_column_kwargs={"server_default": sa.false()},
    )
    edits_network: bool = Field(
        default=False,
        description="A network editor: reviews the stories places offer the library before "
        "anyone else sees them, and releases the network's figures. Administrators always may.",
        sa_column_kwargs={"server_default": sa.false()},
    )

    _one_line = field_validator("display_name")(one_line)


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=255)
    must_choose_password: bool = Field(
        default=False,
        description="The password was set by someone else (an administrator, the command "
        "line): until they choose their own, the account opens only its own page.",
        sa_column_kwargs={"server_default": sa.false()},
    )
    is_active: bool = True
    created_at: datetime = _timestamp()

    @property
    def signs_in_with_password(self) -> bool:
        """False for someone who signs in only through their organisation's account."""
        return bool(self.password_hash)


class UserCreate(UserBase):
    password: Secret = Field(
        min_length=MINIMUM_PASSWORD_LENGTH, max_length=1000, title="the password"
    )

    _lower_case = field_validator("email")(lower_case)


class PasswordChange(SQLModel):
    """A signed-in user's own change of password: the current one, and the new one twice."""

    current_password: Secret = Field(min_length=1, max_length=1000, title="your current password")
    new_password: Secret = Field(
        min_length=MINIMUM_PASSWORD_LENGTH, max_length=1000, title="a new password"
    )
    confirm_password: Secret = Field(min_length=1, max_length=1000, title="the new password again")

    _typed_the_same_twice = field_validator("confirm_password")(
        typed_twice("Enter the same new password in both boxes")
    )


class CodeEntry(SQLModel):
    """A code typed at signing in, or to turn the code on or off: six digits from an
    authenticator app, or a recovery code (ten letters and digits, with or without spaces)."""

    code: Secret = Field(min_length=1, max_length=40, title="the code")


class TwoFactor(SQLModel, table=True):
    """A password account's second factor: the secret its authenticator app shares (TOTP,
    RFC 6238). Until it is confirmed with a code, the recovery codes shown with it wait here;
    once confirmed they are kept only as hashes (``RecoveryCode``)."""

    __tablename__ = "two_factor"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    secret: str = Field(max_length=64)
    confirmed_at: datetime | None = _timestamp(nullable=True)
    last_step: int | None = Field(
        default=None, description="The time step of the last code accepted: each is good once."
    )
    pending_codes: str | None = Field(default=None, max_length=200)


class RecoveryCode(SQLModel, table=True):
    """One of the codes that stand in for the app once each (a lost phone)."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = _timestamp(nullable=True)


class AccountInvitationBase(SQLModel):
    """Whom a facilitator (or an administrator) asks to join a place, and as what."""

    display_name: str = Field(min_length=1, max_length=200, title="the person's name")
    email: EmailAddress = Field(title="their e-mail address")
    role: MembershipRole = Field(sa_type=_string_enum(MembershipRole), title="a role")

    _one_line = field_validator("display_name")(one_line)

    _lower_case = field_validator("email")(lower_case)


class AccountInvitation(AccountInvitationBase, table=True):
    """A one-time, expiring link that makes (or, for someone who has one, extends) an account.

    The link is HMAC(secret key, nonce), as respondents' are, so whoever invited can copy it
    again while it waits; once it is used, withdrawn or past ``expires_at`` it opens nothing.
    ``form_key`` is the one-time key of the form it came from: the same form sent twice makes
    one invitation and one e-mail."""

    __tablename__ = "account_invitation"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int | None = Field(
        default=None, foreign_key="place.id", index=True, ondelete="CASCADE"
    )
    """The place it gives ``role`` in; None for a network reader (an administrator's
    invitation), where ``role`` means nothing."""
    email: str = Field(max_length=EMAIL_MAX, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    link_nonce: str = Field(max_length=64)
    form_key: str = Field(max_length=64, unique=True)
    invited_by_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    emailed_at: datetime | None = _timestamp(nullable=True)
    accepted_at: datetime | None = _timestamp(nullable=True)
    withdrawn_at: datetime | None = _timestamp(nullable=True)


class JoinWithPassword(SQLModel):
    """Accepting an invitation with a new password: the address it was sent to (so a
    forwarded link is not enough on its own) and the password twice."""

    email: str = Field(min_length=1, max_length=EMAIL_MAX, title="your e-mail address")
    new_password: Secret = Field(
        min_length=MINIMUM_PASSWORD_LENGTH, max_length=1000, title="a password"
    )
    confirm_password: Secret = Field(min_length=1, max_length=1000, title="the password again")

    _typed_the_same_twice = field_validator("confirm_password")(
        typed_twice("Enter the same password in both boxes")
    )


class OrganisationAccount(SQLModel, table=True):
    """A person's account at their own organisation (an OpenID Connect issuer and subject),
    bound to their Placecheck account when they first sign in with it through their
    invitation. Later sign-ins match on these two, never on an e-mail claim: Microsoft Entra ID
    does not say whether an address was verified, and an address can be given to someone else.
    """

    __tablename__ = "organisation_account"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=40)
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    bound_at: datetime = _timestamp()


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds the token; only its hash is kept here, and
    deleting the row (signing out) ends the session wherever the cookie has been copied."""

    __tablename__ = "user_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    browser: str | None = Field(
        default=None,
        max_length=80,
        description="'Firefox on Windows': enough for a person to know their own browsers "
        "in the list, and no more (no address, no full user agent).",
    )


class Publication(SQLModel, table=True):
    """One published version of a round's results: what forum members read (``snapshot``: the
    figures already gated and rounded, see ``app.results.snapshots``), and what it was computed
    from (``contributions``: each contributor's groups and a digest of their answers, with no
    identity). Publishing again is refused while comparing two versions of the place's results
    would single out fewer than k people."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    published_at: datetime = _timestamp()
    contributions: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON(none_as_null=True))
    """None only for versions published before snapshots were kept."""


class NetworkShareBase(SQLModel):
    visibility: PeerVisibility = Field(
        sa_type=_string_enum(PeerVisibility),
        title="whether other places may see your place's name and contact you",
    )
    contact: str | None = Field(
        default=None,
        max_length=300,
        title="whom other places contact",
        schema_extra={
            "examples": ["Place forum team, placeforum@kestrelvale.example"],
            "validate_default": True,  # a named place must give one, so blank is checked too
        },
    )

    _one_line = field_validator("contact")(one_line)

    @field_validator("contact")
    @classmethod
    def _named_places_give_a_contact(cls, contact: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("visibility") is PeerVisibility.NAMED and not contact:
            raise ValueError(
                "Enter whom other places contact, or choose not to be named to other places"
            )
        return contact


class NetworkShare(NetworkShareBase, table=True):
    """A published round's results joining the network of places, as its facilitator chose:
    there while the row is, and gone from every network view the moment it is deleted (the
    choice withdrawn, or the round's publication withdrawn). Who chose, and when, is in the
    audit."""

    __tablename__ = "network_share"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(
        foreign_key="assessment_round.id", unique=True, index=True, ondelete="CASCADE"
    )
    shared_at: datetime = _timestamp()


class NetworkRelease(SQLModel, table=True):
    """The network's figures as released: what every network page shows until the next
    release, never live. ``figures`` is what readers see (groups passed by the gate, their
    bands, named places); ``members`` is which shared rounds each shown group held, kept so
    that later releases are checked against this one (a reader keeps every release)."""

    __tablename__ = "network_release"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=200, index=True)
    """The questionnaire and rules version its figures are of: versions are never pooled."""
    minimum_places: int = Field(ge=2)
    made_at: datetime = _timestamp()
    figures: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    members: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class NetworkStoryBase(SQLModel):
    """A short story of what worked, from a place's workshop, for the network's library
    (*Trusting place*, Recommendation 22)."""

    title: str = Field(min_length=3, max_length=120, title="the story's title")
    condition_id: str = Field(max_length=100, title="the condition it is about")
    what_they_did: str = Field(min_length=20, max_length=2000, title="what you did")
    what_changed: str = Field(min_length=20, max_length=2000, title="what changed")
    contact: str = Field(min_length=3, max_length=300, title="whom other places contact")

    _one_line = field_validator("title", "contact")(one_line)
    _plain_text = field_validator("what_they_did", "what_changed")(plain_text)

    @field_validator("condition_id")
    @classmethod
    def _known_condition(cls, value: str, info: ValidationInfo) -> str:
        return str(_chosen(value, info, "conditions", "Choose the condition the story is about"))


class NetworkStory(NetworkStoryBase, table=True):
    """A story as the library holds it: seen by its place and the network's editors until an
    editor publishes it; then by everyone who sees the network, beside the places strong on its
    condition, in the national report, and in the forum reports of places weak on it."""

    __tablename__ = "network_story"

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True, ondelete="CASCADE")
    status: StoryStatus = Field(
        default=StoryStatus.SUBMITTED, sa_type=_string_enum(StoryStatus), index=True
    )
    form_key: str = Field(max_length=64, unique=True)
    """The one-time key of the form it came from: the same form sent twice makes one story."""
    submitted_by_user_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL"
    )
    submitted_at: datetime = _timestamp()
    reviewed_at: datetime | None = _timestamp(nullable=True)
    editor_note: str | None = Field(default=None, max_length=500)
    """Why the editor did not publish it (or took it out), for the place."""


class StoryReview(SQLModel):
    """An editor's decision on a story: published, or not (with why, for the place)."""

    decision: Literal["publish", "decline"] = Field(title="whether to publish the story")
    editor_note: str | None = Field(
        default=None,
        max_length=500,
        title="why it is not published",
        schema_extra={"validate_default": True},
    )

    _plain_text = field_validator("editor_note")(plain_text)

    @field_validator("editor_note")
    @classmethod
    def _say_why_not(cls, note: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("decision") == "decline" and not (note or "").strip():
            raise ValueError("Say why the story is not published, so its place can change it")
        return note.strip() if note else None


class FailedAttempt(SQLModel, table=True):
    """A wrong password or a link that named no invitation, kept only for its limit's window;
    while ``pending``, an attempt whose password is still being checked.

    Counted in the database, not in a worker's memory, so every worker (and every machine)
    sees the same guesses. The key is hashed: an e-mail address or network address is
    personal data and the count needs only to match it.
    """

    __tablename__ = "failed_attempt"
    __table_args__ = (
        sa.Index("ix_failed_attempt_scope_key_time", "scope", "key_hash", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=40)
    key_hash: str = Field(max_length=64)
    occurred_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    pending: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


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


class OutboxMessage(SQLModel, table=True):
    """An e-mail with someone's link, written when a facilitator confirms a send, in the same
    transaction, and marked once the mail server took it (or refused it).

    ``send_key`` is the one-time key of the confirmation page the send came from: a repeated
    request (a reload, a double click, a retry after a slow answer) finds its messages already
    written and sends nothing, while a deliberate reminder next week comes from a new page,
    with a new key.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (sa.UniqueConstraint("send_key", "invitation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    invitation_id: int = Field(foreign_key="invitation.id", index=True, ondelete="CASCADE")
    send_key: str = Field(max_length=64, index=True)
    reminder: bool = False
    email: str = Field(max_length=EMAIL_MAX)
    requested_by_user_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL"
    )
    created_at: datetime = _timestamp()
    sent_at: datetime | None = _timestamp(nullable=True)
    failure: str | None = Field(default=None, max_length=1000)


class ReportJob(SQLModel, table=True):
    """A report asked for and prepared in the background, with its file once made.

    The file is kept in the database, not on one machine's disk, so any app process can hand
    it over whichever worker made it; erasing a respondent deletes the place's jobs with it.
    """

    __tablename__ = "report_job"
    __table_args__ = (sa.Index("ix_report_job_status_created", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="assessment_round.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", ondelete="CASCADE"
    )
    variant: str | None = Field(default=None, max_length=80)
    inputs: str | None = Field(default=None, max_length=64)
    """The fingerprint of everything the report is made from (``report_inputs``): a finished
    job with the same one is the same report, handed over again without making it."""
    requested_by_user_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL"
    )
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_type=_string_enum(JobStatus))
    message: str | None = Field(default=None, max_length=1000)
    filename: str | None = Field(default=None, max_length=300)
    pdf: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = _timestamp()
    started_at: datetime | None = _timestamp(nullable=True)
    finished_at: datetime | None = _timestamp(nullable=True)
