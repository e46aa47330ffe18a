"""Settings refuse what would be unsafe in production."""

import pytest
from pydantic import SecretStr, ValidationError

from app.core.config import PLACEHOLDER_SECRET, Environment, JobRunner, Settings


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="PLACECHECK_SECRET_KEY must be set"):
        Settings(environment=Environment.PRODUCTION, secret_key=SecretStr(PLACEHOLDER_SECRET))


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(environment=Environment.PRODUCTION, secret_key=SecretStr("short"))


def test_production_accepts_a_long_random_secret() -> None:
    settings = Settings(environment=Environment.PRODUCTION, secret_key=SecretStr("x" * 48))

    assert not settings.is_development


def test_development_runs_with_the_placeholder_secret() -> None:
    assert Settings(environment=Environment.DEVELOPMENT).is_development


def test_settings_come_from_prefixed_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("PLACECHECK_ANONYMITY_THRESHOLD", "5")

    settings = Settings()

    assert settings.database_url == "sqlite:///elsewhere.db"
    assert settings.anonymity_threshold == 5


def test_an_anonymity_threshold_below_two_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(anonymity_threshold=1)


def test_the_shared_job_queue_is_refused_without_postgresql() -> None:
    with pytest.raises(ValidationError, match="PLACECHECK_JOBS=procrastinate keeps its queue"):
        Settings(database_url="sqlite:///placecheck.db", jobs=JobRunner.PROCRASTINATE)
