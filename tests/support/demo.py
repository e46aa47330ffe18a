"""The demo place as the reliability suites and benchmarks use it: its accounts, and more
invitations in its open round whose tokens the test knows."""

import sqlite3
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import col, select

from app.core.db import create_db_engine, write_session
from app.core.migrations import upgrade_to_head
from app.demo.accounts import ensure_demo_accounts
from app.demo.place import load_demo
from app.enums import RoundStatus
from app.invitations.service import invite
from app.models import AssessmentRound, InvitationBase, Organisation, Place
from tests.support.databases import copy_postgres_template, new_postgres_template, on_test_server

SECRET = "reliability-suite-secret-of-at-least-32-characters"

RESPONDENTS = 60


@dataclass
class Prepared:
    url: str
    open_round: int
    published_round: int
    tokens: dict[str, int] = field(default_factory=dict)
    """Each new invitation's link token, with its invitation id."""


_TEMPLATES: dict[tuple[str, int], Prepared] = {}
"""The database ``prepare`` built once per backend and number of respondents in this test
process, which later calls copy."""


def prepare(database_url: str, respondents: int = RESPONDENTS) -> Prepared:
    """The demo place, its accounts, and ``respondents`` new invitations in its open round,
    spread over its organisations (so every sector has people answering).

    Built once per test process (migrations and the demo take 2.4 s) and copied after: into a
    SQLite file, or a database on the test PostgreSQL server; another server (a throwaway
    cluster) gets it built afresh."""
    if database_url.startswith("sqlite:///"):
        backend = "sqlite"
    elif on_test_server(database_url):
        backend = "postgresql"
    else:
        return _build(database_url, respondents)
    key = (backend, respondents)
    if key not in _TEMPLATES:
        template = (
            f"sqlite:///{tempfile.mkdtemp(prefix='placecheck-prepared-')}/prepared.db"
            if backend == "sqlite"
            else new_postgres_template()
        )
        _TEMPLATES[key] = _build(template, respondents)
    template = _TEMPLATES[key]
    if backend == "sqlite":
        target = Path(database_url.removeprefix("sqlite:///"))
        target.parent.mkdir(parents=True, exist_ok=True)
        source, copy = (
            sqlite3.connect(template.url.removeprefix("sqlite:///")),
            sqlite3.connect(target),
        )
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
    else:
        copy_postgres_template(template.url, database_url)
    return replace(template, url=database_url, tokens=dict(template.tokens))


def _build(database_url: str, respondents: int) -> Prepared:
    engine = create_db_engine(database_url)
    try:
        upgrade_to_head(engine)
        with write_session(engine) as session:
            summary = load_demo(session, SECRET)
            place = session.get(Place, summary.place_id)
            assert place is not None
            ensure_demo_accounts(session, place)
            session.commit()
        with write_session(engine) as session:
            # Oldest first, so the published round kept is the latest (the baseline, not the pilot).
            rounds = {
                r.status: r
                for r in session.exec(
                    select(AssessmentRound)
                    .where(AssessmentRound.place_id == summary.place_id)
                    .order_by(col(AssessmentRound.created_at))
                ).all()
            }
            organisations = session.exec(
                select(Organisation).where(Organisation.place_id == summary.place_id)
            ).all()
            prepared = Prepared(
                database_url,
                rounds[RoundStatus.OPEN].id or 0,
                rounds[RoundStatus.PUBLISHED].id or 0,
            )
            for number in range(respondents):
                invitation, token = invite(
                    session=session,
                    assessment_round=rounds[RoundStatus.OPEN],
                    organisation=organisations[number % len(organisations)],
                    invitee=InvitationBase(role_title=f"Burst respondent {number}"),
                    secret=SECRET,
                )
                prepared.tokens[token] = invitation.id or 0
        return prepared
    finally:
        engine.dispose()
