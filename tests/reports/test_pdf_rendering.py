"""The renderer fetches nothing it should not; the web's PDF service renders in worker processes
that give way to pages, and keeps nothing."""

import gc
import io
import os
import signal
import sys
import weakref
import zlib
from pathlib import Path
from typing import Any

import pydyf
import pytest
from pypdf import PdfReader

from reports.assets import FONTS_DIR, REPORTS_STATIC_DIR
from reports.pdf import renderer as renderer_module
from reports.pdf import service as service_module
from reports.pdf.renderer import (
    PDF_COMPRESSION_LEVEL,
    CollectorPause,
    RefusedResourceError,
    ReportURLFetcher,
    StreamZlib,
    html_to_pdf,
    report_document,
    report_user_agent_rules,
)
from reports.pdf.service import PdfService
from tests.support.reports import Rendered

TINY = '<html lang="en-GB"><head><title>t</title></head><body><p>{}</p></body></html>'


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/chart.png",
        "https://example.com/font.ttf",
        "file:///etc/passwd",
        (REPORTS_STATIC_DIR / ".." / ".." / "pyproject.toml").as_uri(),
        "ftp://example.com/x",
    ],
)
def test_the_renderer_refuses_the_network_and_other_files(url: str) -> None:
    with pytest.raises(RefusedResourceError):
        ReportURLFetcher().fetch(url)


def test_the_renderer_serves_its_stylesheet_fonts_and_data_uris() -> None:
    fetcher = ReportURLFetcher()
    css = fetcher.fetch((REPORTS_STATIC_DIR / "report.css").as_uri())
    assert css.headers["Content-Type"] == "text/css"
    assert fetcher.fetch((FONTS_DIR / "Lato-Regular.ttf").as_uri()).status == 200
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_lists_keep_their_markers_under_the_narrowed_user_agent_sheet() -> None:
    """WeasyPrint's sheet gives every element a marker and five footnote pseudo-elements;
    reports narrow it to list items, which must still print their bullets and numbers."""
    sheet = report_user_agent_rules()
    assert "::footnote" not in sheet and "::note-" not in sheet
    assert "li::marker {" in sheet and "\n::marker" not in sheet

    html = TINY.replace("<p>{}</p>", "<ul><li>People focus</li></ul><ol><li>Leadership</li></ol>")
    (page,) = Rendered(html, html_to_pdf(html)).pages
    assert "•" in page and "1." in page


def test_pydyf_compresses_streams_at_our_level_and_answers_page_references_from_its_cache() -> None:
    """The two pydyf costs the renderer removes; if an upgrade moves either, this fails first."""
    stream = pydyf.Stream([b"BT ET"] * 500, compress=True)
    assert zlib.compress(b"\n".join([b"BT ET"] * 500), PDF_COMPRESSION_LEVEL) in stream.data

    pdf = pydyf.PDF()
    for _ in range(2):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references
    assert pdf.page_references is first and len(first) == 2
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(pdf.page_references) == 3 and pdf.page_references[:2] == first

    html = TINY.replace("<p>{}</p>", '<p>One</p><p style="break-before: page">Two</p>')
    reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    assert [page.extract_text().strip() for page in reader.pages] == ["One", "Two"]


def test_pydyf_compresses_each_stream_once_per_write_and_keeps_nothing_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file with an identifier is checksummed over every object's bytes; pydyf made them
    again, compressing each stream twice. The second time now reuses the first."""
    compressions: list[int] = []

    def counted(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        compressions.append(level)
        return zlib.compressobj(PDF_COMPRESSION_LEVEL, *args, **kwargs)

    monkeypatch.setattr(StreamZlib, "compressobj", staticmethod(counted))
    pdf = pydyf.PDF()
    content = pydyf.Stream([b"BT ET"], compress=True)
    pdf.add_object(content)
    pdf.add_page(pydyf.Dictionary({"Type": "/Page", "Contents": content.reference}))
    written = io.BytesIO()
    pdf.write(written, identifier=b"placecheck", compress=True)

    streams = [item for item in pdf.objects if isinstance(item, pydyf.Stream)]
    assert len(streams) == 3  # the page's content, the object stream, the cross-references
    assert len(compressions) == len(streams)
    assert b"/ID [(placecheck)" in written.getvalue()

    content.stream = [b"BT ET", b"BT ET"]
    assert content.data != written.getvalue() and b"/Length" in content.data
    assert zlib.compress(b"BT ET\nBT ET", PDF_COMPRESSION_LEVEL) in content.data


class _Cycle:
    """An object that refers to itself: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _a_cycle() -> weakref.ref[_Cycle]:
    return weakref.ref(_Cycle())


def test_a_render_runs_without_the_cycle_collector_and_frees_its_cycles_as_it_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []

    def document(html: str) -> Any:
        seen.append(gc.isenabled())
        return report_document(html)

    monkeypatch.setattr(renderer_module, "report_document", document)
    html = TINY.replace("<p>{}</p>", "<p>Leadership</p>")
    assert Rendered(html, html_to_pdf(html)).pages == ["Leadership"]
    assert seen == [False] and gc.isenabled()


def test_renders_in_two_threads_share_the_pause_and_each_frees_its_own_cycles() -> None:
    pause = CollectorPause()
    pause.__enter__()
    first = _a_cycle()
    pause.__enter__()
    second = _a_cycle()
    pause.__exit__(None, None, None)
    assert not gc.isenabled(), "the other render is still running"
    assert first() is None and second() is None

    pause.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off_after_a_render() -> None:
    pause = CollectorPause()
    gc.disable()
    try:
        with pause:
            cycle = _a_cycle()
        assert not gc.isenabled() and cycle() is not None
    finally:
        gc.enable()


def test_a_render_gives_the_pdf_of_its_html_and_keeps_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made reports are kept only in the database (their jobs' rows), so that erasing someone
    there reaches every copy, whichever machine made it."""
    monkeypatch.chdir(tmp_path)
    service = PdfService(workers=1)
    try:
        pdf = service.render(TINY.format("Kestrel Vale"))
    finally:
        service.shutdown()

    assert pdf.startswith(b"%PDF")
    assert list(tmp_path.rglob("*")) == []


def test_the_pool_never_has_more_workers_than_cores(tmp_path: Path) -> None:
    assert PdfService(workers=64).workers == (os.cpu_count() or 1)


def test_a_dead_worker_does_not_stop_the_next_report(tmp_path: Path) -> None:
    """A killed worker breaks its whole process pool; the service replaces the pool."""
    service = PdfService(workers=1)
    try:
        first = service.render("<p>First report</p>")
        assert service._pool is not None
        for process in list(service._pool._processes.values()):  # the pool's own workers
            os.kill(process.pid, signal.SIGKILL)
            process.join(timeout=10)

        second = service.render("<p>Second report</p>")
    finally:
        service.shutdown()

    assert first.startswith(b"%PDF") and second.startswith(b"%PDF")
    assert first != second


def test_render_processes_give_way_to_pages(tmp_path: Path) -> None:
    service = PdfService(workers=1)
    try:
        assert service.run(os.nice, 0) == os.nice(0) + service_module.RENDER_NICENESS
        if hasattr(os, "SCHED_IDLE"):
            assert service.run(os.sched_getscheduler, 0) == os.SCHED_IDLE
    finally:
        service.shutdown()


def test_warming_starts_every_render_process_with_what_its_tasks_need(tmp_path: Path) -> None:
    service = PdfService(workers=2, preload=("tests.reports.preloaded",))
    try:
        started = service.warm()
        assert len(started) == service.workers
        assert service.run(_loaded, "tests.reports.preloaded")
        assert "tests.reports.preloaded" not in sys.modules  # loaded there, not here
    finally:
        service.shutdown()


def _loaded(module: str) -> bool:
    return module in sys.modules
