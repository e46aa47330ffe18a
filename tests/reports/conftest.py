"""The demo place's reports, each rendered once per test session (per worker with ``-n``): PDFs
take seconds each, and several modules read the same one."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel

from app.core.db import create_db_engine, write_session
from app.demo.place import load_demo
from reports.kinds import ReportKind
from reports.pdf.renderer import html_to_pdf
from tests.support.reports import SECRET, Rendered, ReportsDemo


@pytest.fixture(scope="session")
def demo_place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportsDemo]:
    path: Path = tmp_path_factory.mktemp("demo") / "placecheck.db"
    engine = create_db_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with write_session(engine) as session:
        load_demo(session, SECRET)
    with Session(engine) as session:
        yield ReportsDemo(session)
    engine.dispose()


@pytest.fixture(scope="session")
def render(demo_place: ReportsDemo) -> Iterator[Callable[..., Rendered]]:
    done: dict[tuple[ReportKind, tuple[tuple[str, object], ...]], Rendered] = {}

    def _render(kind: ReportKind, **options: object) -> Rendered:
        key = (kind, tuple(sorted(options.items())))
        if key not in done:
            html = demo_place.html(kind, **options).html
            done[key] = Rendered(html, html_to_pdf(html))
        return done[key]

    yield _render
