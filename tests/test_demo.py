"""The demo place shows every kind of result a user can get."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli.database import find_round
from app.cli.main import cli
from app.core.config import get_settings
from app.demo.national import load_national
from app.demo.place import load_demo
from app.enums import InvitationStatus
from app.invitations.outbox import last_reminded
from app.models import AssessmentRound, Invitation, Place
from app.results.records import round_facts
from app.results.rules import load_rules
from app.results.service import earlier_rounds, previous_round, respondents_of_round, score_round
from questionnaires.sectors import Sector
from reports.forum import partners_changed

SECRET = "test-secret"


def test_loading_twice_changes_nothing(session: Session) -> None:
    first = load_demo(session, SECRET)
    second = load_demo(session, SECRET)

    assert first.created and not second.created
    assert (first.rounds, first.invitations, first.submitted) == (
        second.rounds,
        second.invitations,
        second.submitted,
    )
    assert len(session.exec(select(AssessmentRound)).all()) == 3


def test_the_demo_round_shows_every_kind_of_result(session: Session) -> None:
    load_demo(session, SECRET)
    current = find_round(session=session, reference="demo")
    assert current is not None

    result = score_round(
        session=session,
        assessment_round=current,
        rules=load_rules(),
        earlier=previous_round(session=session, assessment_round=current),
    )

    rules_seen = {finding.rule for finding in result.findings}
    assert {
        "strength",
        "priority",
        "split-view",
        "sector-gap",
        "mostly-dont-know",
        "not-started-weak-foundations",
        "improved",
    } <= rules_seen
    fire = [
        c.by_sector["fire-and-rescue"]
        for c in result.conditions.values()
        if "fire-and-rescue" in c.by_sector
    ]
    assert fire and all(group.suppressed and group.score is None for group in fire)
    assert result.respondents_by_sector["fire-and-rescue"] == 2
    assert sum(c.counts.dont_know for c in result.conditions.values()) > 20
    assert sum(c.counts.not_applicable for c in result.conditions.values()) > 0
    assert len(result.respondents_by_sector) >= 7


def test_the_demo_has_a_previous_round_and_people_part_way_through(session: Session) -> None:
    load_demo(session, SECRET)
    current = find_round(session=session, reference="demo")
    assert current is not None

    earlier = previous_round(session=session, assessment_round=current)
    statuses = {
        invitation.status
        for invitation in session.exec(
            select(Invitation).where(Invitation.round_id == current.id)
        ).all()
    }

    assert earlier is not None and earlier.title.startswith("Baseline")
    assert statuses == {
        InvitationStatus.SUBMITTED,
        InvitationStatus.STARTED,
        InvitationStatus.NOT_OPENED,
    }


def test_community_members_answer_the_plain_language_version(session: Session) -> None:
    load_demo(session, SECRET)
    current = find_round(session=session, reference="demo")
    assert current is not None

    community = [
        r
        for r in respondents_of_round(session=session, assessment_round=current)
        if r.sector is Sector.COMMUNITY_MEMBER
    ]

    assert community
    assert all(not any(item.startswith("R") for item in r.answers) for r in community)


def test_the_demo_can_compare_any_two_rounds_and_shows_a_change_of_partners(
    session: Session,
) -> None:
    load_demo(session, SECRET)
    current = find_round(session=session, reference="demo")
    assert current is not None
    earlier = earlier_rounds(session=session, assessment_round=current)
    baseline, pilot = earlier

    against_pilot = round_facts(
        session=session, assessment_round=current, today=date.today(), earlier=pilot
    )
    baseline_facts = round_facts(
        session=session,
        assessment_round=baseline,
        today=date.today(),
        earlier=previous_round(session=session, assessment_round=baseline),
    )

    assert [r.title for r in earlier] == [
        "Baseline assessment, spring 2025",
        "Pilot assessment, autumn 2024",
    ]
    assert against_pilot.previous_title == pilot.title
    warning = " ".join(partners_changed(baseline_facts))
    assert "8 partner organisations answered this time, against 5" in warning
    assert "Fenmoor Police" in warning and "Answered only this time" in warning


def test_the_national_demo_adds_places_with_three_rounds_each_and_loads_once(
    session: Session,
) -> None:
    first = load_national(session, SECRET, places=3)
    second = load_national(session, SECRET, places=3)

    places = session.exec(select(Place).where(col(Place.slug).startswith("national-"))).all()
    assert first.created and not second.created
    assert (first.places, first.invitations) == (3, 3 * 3 * 30)
    assert first.answers > 3 * 3 * 30 * 30
    assert len({p.name for p in places}) == 3
    scores = []
    for place in places:
        rounds = session.exec(
            select(AssessmentRound)
            .where(AssessmentRound.place_id == place.id)
            .order_by(col(AssessmentRound.created_at))
        ).all()
        assert [r.status for r in rounds] == ["published", "published", "closed"]
        result = score_round(
            session=session,
            assessment_round=rounds[-1],
            rules=load_rules(),
            earlier=previous_round(session=session, assessment_round=rounds[-1]),
        )
        scores.append(tuple(c.score for c in result.conditions.values()))
        assert result.respondents >= 20
    assert len(set(scores)) == 3, "each place has its own profile"


def test_the_demo_command_loads_the_national_scale_when_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLACECHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'national.db'}")
    monkeypatch.setattr("app.demo.national.PLACES", 2)
    get_settings.cache_clear()
    try:
        assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
        result = CliRunner().invoke(cli, ["demo", "--scale", "national"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert "Loaded the national demo: 2 places, 180 invitations" in result.output
    assert "2 places share their published results with other places, 1 of them named" in (
        result.output
    )
    assert "/network as network@placecheck.example" in result.output
    assert "placecheck network release" in result.output
    assert "/network/open-data.csv" in result.output
    assert "/network/stories as editor@placecheck.example" in result.output
    # The demo released already; with nothing changed since, releasing again makes nothing.
    again = CliRunner().invoke(cli, ["network", "release"])
    assert again.exit_code == 0, again.output
    assert "Nothing to release" in again.output
    report = CliRunner().invoke(cli, ["report", "network", "--out", str(tmp_path / "n.pdf")])
    assert report.exit_code == 1
    assert "the network has released no figures of every sharing place yet" in report.output


def test_the_demo_has_people_e_mailed_and_reminded_through_the_outbox(session: Session) -> None:
    load_demo(session, SECRET)
    current = find_round(session=session, reference="demo")
    assert current is not None

    reminded = last_reminded(session, current)
    waiting = session.exec(
        select(Invitation).where(
            Invitation.round_id == current.id,
            col(Invitation.status).in_([InvitationStatus.NOT_OPENED, InvitationStatus.STARTED]),
        )
    ).all()

    assert waiting and {i.id for i in waiting} == set(reminded)
    assert all(i.email and i.emailed_at for i in waiting)
