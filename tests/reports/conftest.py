"""The demo place's reports, rendered once per test module: PDFs take seconds each."""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdf
import pytest
from sqlmodel import Session, SQLModel, select

from app.cli.database import find_round
from app.core.db import create_db_engine
from app.demo.place import load_demo
from app.models import Organisation
from app.results.reports import RenderedHtml, report_html
from app.results.rules import load_rules
from reports.kinds import ReportKind
from reports.pdf.renderer import html_to_pdf

SECRET = "test-secret-for-the-demo-place-0123456789"
TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes

    @property
    def pages(self) -> list[str]:
        return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(self.pdf)).pages]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


@dataclass
class DemoPlace:
    session: Session

    def html(self, kind: ReportKind, **options: object) -> RenderedHtml:
        assessment_round = find_round(session=self.session, reference="demo")
        assert assessment_round is not None
        return report_html(
            session=self.session,
            assessment_round=assessment_round,
            kind=kind,
            rules=load_rules(),
            today=TODAY,
            **options,  # type: ignore[arg-type]
        )

    def organisation_id(self, name_contains: str) -> int:
        organisation = self.session.exec(
            select(Organisation).where(Organisation.name.contains(name_contains))  # type: ignore[attr-defined]
        ).one()
        assert organisation.id is not None
        return organisation.id


@pytest.fixture(scope="module")
def demo_place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoPlace]:
    path: Path = tmp_path_factory.mktemp("demo") / "placecheck.db"
    engine = create_db_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        load_demo(session, SECRET)
        yield DemoPlace(session)
    engine.dispose()


@pytest.fixture(scope="module")
def render(demo_place: DemoPlace) -> Iterator[Callable[..., Rendered]]:
    done: dict[tuple[ReportKind, tuple[tuple[str, object], ...]], Rendered] = {}

    def _render(kind: ReportKind, **options: object) -> Rendered:
        key = (kind, tuple(sorted(options.items())))
        if key not in done:
            html = demo_place.html(kind, **options).html
            done[key] = Rendered(html, html_to_pdf(html))
        return done[key]

    yield _render
