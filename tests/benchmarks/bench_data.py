"""Data at the scale of a national service: importing a large round from its JSON file, and the
list of places with hundreds of them against one."""

import json
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from app.accounts.service import create_user
from app.core.db import create_db_engine, write_session
from app.data.round_file import export_json, import_json, read_round_file
from app.demo.accounts import DEMO_PASSWORD, NETWORK_READER, ensure_network_reader
from app.demo.national import load_national
from app.models import AssessmentRound, PlaceCreate, User, UserCreate
from app.network.releases import make_releases
from app.network.report import network_report_html
from app.places.service import create_place
from app.results.reports import report_html
from app.results.rules import load_rules
from questionnaires.registry import Registry
from reports.kinds import ReportKind
from reports.pdf.renderer import html_to_pdf
from tests.benchmarks.harness import Row, interleaved, median, timed
from tests.support.demo import SECRET, prepare
from tests.support.pages import signed_in
from tests.support.servers import server

RESPONDENTS = 1000
PLACES = 300
ADMIN = "admin@bench.example"


def round_file(url: str, published_round: int, respondents: int) -> bytes:
    """The demo's published round, its invitations copied until there are ``respondents``."""
    engine = create_db_engine(url)
    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, published_round)
        assert assessment_round is not None
        data = export_json(session=session, assessment_round=assessment_round)
    engine.dispose()
    originals = data["invitations"]
    data["invitations"] = [
        {**originals[n % len(originals)], "key": n, "link_nonce": None, "name": None, "email": None}
        for n in range(respondents)
    ]
    data["quotes"] = []
    return json.dumps(data).encode()


def _import_seconds(url: str, content: bytes, number: int) -> float:
    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            admin = session.exec(select(User).where(User.is_administrator)).first()
            creator = admin or session.exec(select(User)).first()
            assert creator is not None
            place = create_place(
                session=session, creator=creator, details=PlaceCreate(name=f"Imported {number}")
            )

            def run() -> None:
                import_json(
                    session=session, place=place, file=read_round_file(content), secret=SECRET
                )
                session.commit()

            return timed(run)
    finally:
        engine.dispose()


def rows(folder: Path) -> list[Row]:
    prepared = prepare(f"sqlite:///{folder / 'data.db'}", respondents=0)
    content = round_file(prepared.url, prepared.published_round, RESPONDENTS)
    seconds = median([_import_seconds(prepared.url, content, n) for n in range(3)])
    found = [
        Row(
            f"importing a {RESPONDENTS:,}-respondent round from JSON ({len(content) // 1024:,} KB)",
            f"{seconds:.1f} s",
            "–",
            None,
            "≤ 5 s",
            seconds <= 5,
        )
    ]
    found.extend(_national_rows(folder))
    return found


def _national_rows(folder: Path) -> list[Row]:
    """Kestrel Vale's pages and the list of places, on a database holding Kestrel Vale alone
    and on one also holding the national demo (300 places, 27,000 invitations, 1.8 million
    answers), side by side; an administrator sees every place."""
    alone = prepare(f"sqlite:///{folder / 'alone.db'}", respondents=0)
    national = prepare(f"sqlite:///{folder / 'national.db'}", respondents=0)
    engine = create_db_engine(national.url)
    with write_session(engine) as session:
        loading = timed(lambda: load_national(session, SECRET))
    with write_session(engine) as session:
        releasing = timed(lambda: make_releases(session, 5))
        ensure_network_reader(session)
    engine.dispose()
    for prepared in (alone, national):
        engine = create_db_engine(prepared.url)
        with write_session(engine) as session:
            details = UserCreate(
                email=ADMIN,
                display_name="Bench admin",
                password=DEMO_PASSWORD,
                is_administrator=True,
            )
            create_user(session=session, details=details)
        engine.dispose()
    pages = [
        "/places/kestrel-vale",
        f"/rounds/{alone.open_round}/progress",
        f"/rounds/{alone.published_round}/results",
        f"/rounds/{alone.published_round}/results/tables",
    ]
    assert (alone.open_round, alone.published_round) == (
        national.open_round,
        national.published_round,
    )
    with (
        server(alone.url, folder / "alone", warmed=True) as small,
        server(national.url, folder / "national", warmed=True) as large,
    ):
        clients = {
            url: signed_in(url, "facilitator@kestrel-vale.example", DEMO_PASSWORD)
            for url in (small.url, large.url)
        }

        def visit(url: str) -> float:
            return sum(timed(lambda p=p: clients[url].get(p).raise_for_status()) for p in pages)

        visit(small.url), visit(large.url)  # warm both
        on_national, on_alone = interleaved(lambda: visit(large.url), lambda: visit(small.url), 7)
        admins = {url: signed_in(url, ADMIN, DEMO_PASSWORD) for url in (small.url, large.url)}
        sizes = [len(admins[url].get("/places").content) for url in (large.url, small.url)]
        many, one = interleaved(
            lambda: timed(lambda: admins[large.url].get("/places").raise_for_status()),
            lambda: timed(lambda: admins[small.url].get("/places").raise_for_status()),
            15,
        )
        viewer = signed_in(large.url, "viewer@kestrel-vale.example", DEMO_PASSWORD)
        results = f"/rounds/{national.published_round}/results"
        viewer.get(results).raise_for_status()
        read, healthy = interleaved(
            lambda: timed(lambda: viewer.get(results).raise_for_status()),
            lambda: timed(lambda: viewer.get("/healthz").raise_for_status()),
            80,
        )
        reader = signed_in(large.url, NETWORK_READER, DEMO_PASSWORD)
        reader.get("/network").raise_for_status()
        network, place_results = interleaved(
            lambda: timed(lambda: reader.get("/network").raise_for_status()),
            lambda: timed(lambda: viewer.get(results).raise_for_status()),
            40,
        )
        for client in (*clients.values(), *admins.values(), viewer, reader):
            client.close()
    national_report, forum_report = _report_times(national.url, national.published_round)
    report_ratio = median(national_report) / median(forum_report)
    pages_ratio = median(on_national) / median(on_alone)
    list_ratio = median(many) / median(one)
    reader_ratio = median(read) / median(healthy)
    network_ratio = median(network) / median(place_results)
    return [
        Row(
            f"the network page vs a place's results page, national demo (p50; released in "
            f"{releasing:.1f} s)",
            f"{median(network) * 1000:,.1f} ms",
            f"{median(place_results) * 1000:,.1f} ms",
            network_ratio,
            "≤ 2",
            network_ratio <= 2,
        ),
        Row(
            "the national report vs a place's forum report, national demo (HTML to PDF, whole "
            "path)",
            f"{median(national_report):.2f} s",
            f"{median(forum_report):.2f} s",
            report_ratio,
            "≤ 1",
            report_ratio <= 1,
        ),
        Row(
            "a forum member's results page vs /healthz, with the national demo (p50)",
            f"{median(read) * 1000:,.1f} ms",
            f"{median(healthy) * 1000:,.1f} ms",
            reader_ratio,
            "≤ 3",
            reader_ratio <= 3,
        ),
        Row(
            f"places list, {PLACES + 1} places vs 1 (25 a page, searchable)",
            f"{median(many) * 1000:,.1f} ms, {sizes[0] // 1024} KB",
            f"{median(one) * 1000:,.1f} ms, {sizes[1] // 1024} KB",
            list_ratio,
            "≤ 1.5",
            list_ratio <= 1.5,
        ),
        Row(
            f"a place's pages with 300 more places in the database (loaded in {loading:.0f} s)",
            f"{median(on_national) * 1000:,.0f} ms for {len(pages)} pages",
            f"{median(on_alone) * 1000:,.0f} ms alone",
            pages_ratio,
            "≤ 1.5",
            pages_ratio <= 1.5,
        ),
    ]


def _report_times(url: str, published_round: int) -> tuple[list[float], list[float]]:
    """The national report and Kestrel Vale's published forum report, each from its stored
    figures to its PDF, side by side, after one of each (fonts and templates loaded)."""
    engine = create_db_engine(url)
    definition = Registry().get("trusting-place")
    today = date.today()
    with Session(engine) as session:
        assessment_round = session.get(AssessmentRound, published_round)
        assert assessment_round is not None

        def national() -> None:
            html = network_report_html(session, definition, today)
            assert html is not None
            html_to_pdf(html)

        def forum() -> None:
            html_to_pdf(
                report_html(
                    session=session,
                    assessment_round=assessment_round,
                    kind=ReportKind.FORUM,
                    rules=load_rules(),
                    today=today,
                ).html
            )

        national()
        forum()
        times = interleaved(lambda: timed(national), lambda: timed(forum), 3)
    engine.dispose()
    return times
