"""HTML to PDF with WeasyPrint, locked down: nothing from the network, no file outside ours.

A report's HTML is built from partners' free-text comments, so it is treated as untrusted: the
URL fetcher answers only ``data:`` URIs (the charts) and files under the report stylesheet
folder and the embedded font package. Anything else, ``http:``, ``file:///etc/passwd`` or a
path climbing out with ``..``, is refused and WeasyPrint leaves it out.
"""

import mimetypes
import re
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pydyf
import weasyprint
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from reports.assets import FONTS_DIR, REPORTS_STATIC_DIR

ALLOWED_DIRS = (REPORTS_STATIC_DIR, FONTS_DIR)
PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF: headings, tables and image descriptions reach screen readers."""


class RefusedResourceError(ValueError):
    """The report asked for something outside the files it may use."""


class ReportURLFetcher(URLFetcher):  # type: ignore[misc]
    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlparse(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if any(path.is_relative_to(root) for root in ALLOWED_DIRS) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        raise RefusedResourceError(f"reports may not fetch {url}")


WEASYPRINT_UA_SHEET = Path(weasyprint.__file__).parent / "css" / "html5_ua.css"
UNIVERSAL_PSEUDO_RULE = re.compile(r"^::(?:marker|footnote-[a-z]+|note-[a-z]+) \{[^}]*\}$", re.M)
"""WeasyPrint's own sheet gives every element a ``::marker`` and five footnote pseudo-elements;
reports have no footnotes and only list items show markers, so those rules only cost time."""


@cache
def report_user_agent_rules() -> str:
    """WeasyPrint's HTML sheet, read from the installed package (so it follows upgrades), with
    the rules that match every element narrowed to the elements reports use them on.

    A forum report has about 3,500 elements: the universal rules made about 21,000 computed
    styles for pseudo-elements that never become boxes, nearly all of the styling step.
    """
    text = WEASYPRINT_UA_SHEET.read_text(encoding="utf-8")
    narrowed, found = UNIVERSAL_PSEUDO_RULE.subn(
        lambda rule: (
            rule.group(0).replace("::marker {", "li::marker {")
            if rule.group(0).startswith("::marker")
            else ""
        ),
        text,
    )
    if found != 6:
        raise RuntimeError(f"WeasyPrint's user-agent sheet changed: {found} universal rules")
    return narrowed


@cache
def report_user_agent_sheet() -> CSS:
    return CSS(string=report_user_agent_rules(), base_url=WEASYPRINT_UA_SHEET.as_uri())


class ReportHTML(HTML):  # type: ignore[misc]
    """WeasyPrint's document with the narrowed user-agent sheet; reports have no forms."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [report_user_agent_sheet()]


PDF_COMPRESSION_LEVEL = 6
"""zlib's default. pydyf asks for 9, which on a forum report's 2 MB of streams takes four times
as long (0.13 s against 0.03 s) to make the PDF about 3% smaller (299 KB against 309 KB)."""


class _StreamZlib:
    """The ``zlib`` pydyf sees: the same module, but streams compressed at our level."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(PDF_COMPRESSION_LEVEL, *args, **kwargs)


def _cached_page_references(
    references: Callable[[pydyf.PDF], tuple[bytes, ...]],
) -> Callable[[pydyf.PDF], tuple[bytes, ...]]:
    """pydyf rebuilds the tuple of every page's reference each time one is asked for, and the
    tagging of a PDF/UA file asks once per tag: 8,000 times 26 pages for a forum report. Pages
    are only ever appended, so the tuple holds until the page count changes."""

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = len(pdf.pages["Kids"])
        cached: tuple[int, tuple[bytes, ...]] | None = pdf.__dict__.get("_page_references")
        if cached is None or cached[0] != count:
            cached = (count, references(pdf))
            pdf.__dict__["_page_references"] = cached
        return cached[1]

    return page_references


def tune_pydyf() -> None:
    """Two costs inside pydyf (0.13.x) that a report pays and need not; applied once, on import.
    The tests check both took, so an upgrade that moves them fails a test, not a render."""
    if pydyf.zlib is _StreamZlib:
        return
    pydyf.zlib = _StreamZlib
    pydyf.PDF.page_references = property(_cached_page_references(pydyf.PDF.page_references.fget))


tune_pydyf()


def report_document(html: str) -> ReportHTML:
    """A report's HTML as WeasyPrint sees it: our stylesheet folder, our fetcher, our sheet."""
    return ReportHTML(
        string=html,
        base_url=REPORTS_STATIC_DIR.as_uri() + "/",
        url_fetcher=ReportURLFetcher(allowed_protocols=("data", "file")),
    )


def html_to_pdf(html: str) -> bytes:
    """Render one report. CPU-heavy (seconds): call it from a worker, not an event loop."""
    pdf: bytes = report_document(html).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_identifier=b"placecheck"
    )
    return pdf
