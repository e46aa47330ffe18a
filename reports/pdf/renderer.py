"""HTML to PDF with WeasyPrint, locked down: nothing from the network, no file outside ours.

A report's HTML is built from partners' free-text comments, so it is treated as untrusted: the
URL fetcher answers only ``data:`` URIs (the charts) and files under the report stylesheet
folder and the embedded font package. Anything else, ``http:``, ``file:///etc/passwd`` or a
path climbing out with ``..``, is refused and WeasyPrint leaves it out.
"""

import gc
import mimetypes
import re
import threading
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


class StreamZlib:
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


_writing = threading.local()
"""Per thread, the bytes of each object already serialised by the write in progress, if any."""


def _serialised_once(data: Callable[[Any], bytes]) -> property:
    """An object's bytes, computed once per write. pydyf serialises every object twice when the
    file has an identifier: once to write it and once more, streams compressed again, for the
    identifier's checksum. Nothing changes an object while the file is written, so the second
    time can reuse the first; outside a write nothing is kept."""

    def serialised(item: Any) -> bytes:
        written: dict[int, tuple[Any, bytes]] | None = getattr(_writing, "objects", None)
        if written is None:
            return data(item)
        # The object is kept beside its bytes so that its id cannot pass to a new object.
        known = written.get(id(item))
        if known is None:
            known = written[id(item)] = (item, data(item))
        return known[1]

    return property(serialised)


def _writing_each_object_once(
    write: Callable[..., None],
) -> Callable[..., None]:
    def write_once(pdf: pydyf.PDF, *args: Any, **kwargs: Any) -> None:
        _writing.objects = {}
        try:
            write(pdf, *args, **kwargs)
        finally:
            _writing.objects = None

    return write_once


SERIALISED_CLASSES = (pydyf.Dictionary, pydyf.Stream, pydyf.Array, pydyf.String)


def tune_pydyf() -> None:
    """Three costs inside pydyf (0.13.x) that a report pays and need not; applied once, on
    import. The tests check each took, so an upgrade that moves one fails a test, not a render."""
    if pydyf.zlib is StreamZlib:
        return
    pydyf.zlib = StreamZlib
    pydyf.PDF.page_references = property(_cached_page_references(pydyf.PDF.page_references.fget))
    for kind in SERIALISED_CLASSES:
        kind.data = _serialised_once(kind.data.fget)
    pydyf.PDF.write = _writing_each_object_once(pydyf.PDF.write)


tune_pydyf()


def report_document(html: str) -> ReportHTML:
    """A report's HTML as WeasyPrint sees it: our stylesheet folder, our fetcher, our sheet."""
    return ReportHTML(
        string=html,
        base_url=REPORTS_STATIC_DIR.as_uri() + "/",
        url_fetcher=ReportURLFetcher(allowed_protocols=("data", "file")),
    )


class CollectorPause:
    """Python's cycle collector, off while a report renders; what the render left is freed as
    it ends.

    A render builds some 130,000 objects (boxes, styles, PDF objects) that nearly all live until
    the file is written. With the collector on, it walked them again and again as they grew:
    about a sixth of a forum report's render (0.5 s of 3.1 s warm), and a fifth in a process
    holding other data (0.9 s of 4.6 s). Paused, the render's objects stay in the youngest
    generation, and collecting that generation as the render ends frees its cycles (0.2 s), so a
    render process's memory is back where it was after each report. Render processes run one
    report at a time; renders in threads of one process share the pause, each freeing its own
    leftovers as it ends, and the collector comes back with the last. If something else had
    turned it off, it stays off.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._renders = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._renders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._renders += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._renders -= 1
            resume = self._resume
            if self._renders == 0 and resume:
                gc.enable()
        if resume:
            gc.collect(0)


collector_paused = CollectorPause()


def html_to_pdf(html: str) -> bytes:
    """Render one report. CPU-heavy (seconds): call it from a worker, not an event loop."""
    with collector_paused:
        pdf: bytes = report_document(html).write_pdf(
            pdf_variant=PDF_VARIANT, pdf_identifier=b"placecheck"
        )
    return pdf
