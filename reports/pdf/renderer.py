"""HTML to PDF with WeasyPrint, locked down: nothing from the network, no file outside ours.

A report's HTML is built from partners' free-text comments, so it is treated as untrusted: the
URL fetcher answers only ``data:`` URIs (the charts) and files under the report stylesheet
folder and the embedded font package. Anything else, ``http:``, ``file:///etc/passwd`` or a
path climbing out with ``..``, is refused and WeasyPrint leaves it out.
"""

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from weasyprint import HTML, URLFetcher
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


def html_to_pdf(html: str) -> bytes:
    """Render one report. CPU-heavy (seconds): call it from a worker, not an event loop."""
    document = HTML(
        string=html,
        base_url=REPORTS_STATIC_DIR.as_uri() + "/",
        url_fetcher=ReportURLFetcher(allowed_protocols=("data", "file")),
    )
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=b"placecheck")
    return pdf
