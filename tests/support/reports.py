"""The demo place's reports as the report tests read them: HTML, and the PDF as text per page."""

import io
from dataclasses import dataclass
from datetime import date

import pypdf
from sqlmodel import Session, select

from app.cli.database import find_round
from app.models import Organisation
from app.results.reports import RenderedHtml, report_html
from app.results.rules import load_rules
from reports.kinds import ReportKind

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
class ReportsDemo:
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
