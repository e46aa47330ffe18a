"""Settings, read once from the environment (prefix ``PLACECHECK_``) or a ``.env`` file."""

from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value we refuse, not a real secret


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class JobRunner(StrEnum):
    IN_PROCESS = "in-process"
    PROCRASTINATE = "procrastinate"


class SignInProvider(BaseModel):
    """An organisation's own accounts, through OpenID Connect: Microsoft Entra ID for most
    councils and NHS bodies, Google Workspace for some. Set as JSON in
    ``PLACECHECK_SIGN_IN_PROVIDERS`` (a list of these)."""

    key: str = Field(pattern=r"^[a-z0-9-]{1,40}$", description="Its name in addresses.")
    label: str = Field(
        min_length=1,
        max_length=100,
        description="The button's words, such as 'Sign in with your council or NHS account'.",
    )
    issuer: str = Field(
        min_length=1,
        max_length=500,
        description="The issuer its ID tokens carry. For Microsoft Entra ID's multi-tenant "
        "endpoints, the template https://login.microsoftonline.com/{tenantid}/v2.0, checked "
        "against each token's own tenant.",
    )
    discovery_url: str | None = Field(
        default=None,
        description="Its discovery document (default: the issuer's "
        "/.well-known/openid-configuration).",
    )
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: SecretStr
    domains: list[str] = Field(
        min_length=1,
        description="The e-mail domains that may sign in through it, such as kestrel-vale.gov.uk.",
    )

    @property
    def discovery(self) -> str:
        if self.discovery_url:
            return self.discovery_url
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class InsecureSettingsError(ValueError):
    """Raised when production would start with settings that are only safe on a laptop."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PLACECHECK_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="development, test or production; production refuses unsafe defaults.",
    )
    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path('data') / 'placecheck.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql://user:pass@host/db.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Signs session cookies and CSRF tokens.",
    )
    debug: bool = False
    questionnaire_dirs: list[Path] = Field(
        default_factory=list,
        description="Extra folders of questionnaire definitions, as a JSON list of paths.",
    )
    anonymity_threshold: int = Field(
        default=3,
        ge=2,
        description="Groups with fewer respondents than this never appear with a score.",
    )
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(
        default_factory=list,
        description="Reverse proxies whose X-Forwarded-For is believed, as a JSON list of "
        'addresses or ranges, for example ["10.0.0.0/8"]; empty: none.',
    )
    report_workers: int = Field(
        default=0,
        ge=0,
        description="Processes rendering PDFs at once; 0 means one per CPU core.",
    )

    require_two_factor: bool = Field(
        default=False,
        description="Administrators and facilitators who sign in with a password must turn on "
        "a code from an authenticator app before they can use anything but their account.",
    )
    prepare_reports_in_advance: bool = Field(
        default=True,
        description="Make a round's forum and workshop reports as soon as it is closed or "
        "published, so that they download at once.",
    )
    jobs: JobRunner = Field(
        default=JobRunner.IN_PROCESS,
        description="Who prepares reports and runs the scheduled checks: 'in-process' (each "
        "app process, on threads; works on SQLite) or 'procrastinate' (PostgreSQL only: "
        "`placecheck worker` processes, on any machine, take them from the database).",
    )

    smtp_host: str | None = Field(
        default=None, description="Mail server for sending invitation links; unset: no e-mail."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    mail_from: str = Field(
        default="placecheck@localhost", description="The From address of invitation e-mails."
    )
    network_minimum_places: int = Field(
        default=5,
        ge=3,
        le=100,
        description="The network shows a group of places only with at least this many.",
    )
    network_release_every_days: int | None = Field(
        default=None,
        ge=1,
        le=366,
        description="Release the network's figures on a schedule, when the last release is at "
        "least this many days old and places' sharing has changed since; unset, only an editor "
        "releases them.",
    )
    network_restricted_days: int = Field(
        default=90,
        ge=0,
        le=3660,
        description="A release's figures become open data (a CSV anyone may download, with no "
        "place named) this many days after it was made.",
    )
    sign_in_providers: list[SignInProvider] = Field(
        default_factory=list,
        description="Organisations' own accounts people may sign in with (OpenID Connect).",
    )
    public_url: str | None = Field(
        default=None,
        description="The address people reach Placecheck at, for links in e-mails "
        "(default: the address the facilitator is using).",
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> "Settings":
        if self.environment is Environment.PRODUCTION and (
            self.secret_key.get_secret_value() in {PLACEHOLDER_SECRET, ""}
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise InsecureSettingsError(
                "PLACECHECK_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')."
            )
        return self

    @model_validator(mode="after")
    def _job_queue_needs_postgresql(self) -> "Settings":
        if self.jobs is JobRunner.PROCRASTINATE and not self.database_url.startswith("postgres"):
            raise ValueError(
                "PLACECHECK_JOBS=procrastinate keeps its queue in PostgreSQL: set "
                "PLACECHECK_DATABASE_URL to a postgresql:// address, or use "
                "PLACECHECK_JOBS=in-process with SQLite."
            )
        return self

    @property
    def secret(self) -> str:
        """The secret key itself: signs cookies and CSRF tokens and derives invitation links."""
        return self.secret_key.get_secret_value()

    @property
    def is_development(self) -> bool:
        return self.environment is not Environment.PRODUCTION


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead of patching this."""
    return Settings()
