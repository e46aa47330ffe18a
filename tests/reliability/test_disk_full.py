"""The server's disk fills up under ``placecheck serve``: its SQLite database on a small tmpfs
of the test's own. A report made but not storable says the disk is full (it answered a 500
"OSError"), a save says so with what was typed shown again, pages that only read keep working,
and once there is room the same report is made. Mounting needs root: CI runs as root, so this
runs there and skips loudly elsewhere."""

import contextlib
import errno
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from app.demo.accounts import DEMO_PASSWORD
from tests.support.databases import require_dependency
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import csrf_of, post_sign_in
from tests.support.servers import server

FACILITATOR = "facilitator@kestrel-vale.example"
REPORT_WAIT_SECONDS = 180
LEAVE_FREE = 96 * 1024
"""Room for a small write (a report asked for, its audit row) but not for a report's PDF."""


@contextlib.contextmanager
def _small_disk() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="placecheck-disk-", dir="/tmp"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _fill(folder: Path, leave: int) -> Path:
    """Fill the disk until ``leave`` bytes are free."""
    filler = folder / "filler"
    with filler.open("wb") as out:
        while shutil.disk_usage(folder).free > leave:
            chunk = min(1024 * 1024, shutil.disk_usage(folder).free - leave)
            try:
                out.write(b"\0" * max(chunk, 4096))
                out.flush()
            except OSError as error:
                assert error.errno == errno.ENOSPC
                break
    return filler


def _empty_the_write_ahead_log(database: Path) -> None:
    """SQLite reuses its write-ahead log's space: emptied, the next write needs new room."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _follow(client: httpx.Client, job_page: str) -> str:
    started = time.monotonic()
    while True:
        page = client.get(job_page).text
        if "Preparing your" not in page:
            return page
        assert time.monotonic() - started < REPORT_WAIT_SECONDS, page[-2000:]
        time.sleep(1)


def test_a_full_disk_is_said_plainly_and_pages_keep_working(tmp_path: Path) -> None:
    require_dependency(os.geteuid() == 0 and bool(shutil.which("mount")), "mounting needs root")
    with _small_disk() as disk:
        prepared = prepare(f"sqlite:///{disk / 'placecheck.db'}", respondents=1)
        token = next(iter(prepared.tokens))
        forum = f"/rounds/{prepared.published_round}/reports/forum"
        with (
            server(prepared.url, tmp_path) as running,
            httpx.Client(base_url=running.url, timeout=120) as client,
        ):
            assert post_sign_in(client, FACILITATOR, DEMO_PASSWORD).status_code == 303
            results = f"/rounds/{prepared.published_round}/results"
            csrf = csrf_of(client.get(results).text)
            answering = client.get(f"/r/{token}/tasks").text
            page = re.findall(rf'href="/r/{token}/p/([^"]+)"', answering)[0]
            shown = client.get(f"/r/{token}/p/{page}").text
            item, value = re.findall(r'name="answer-([^"]+)" type="radio" value="([^"]+)"', shown)[
                0
            ]

            filler = _fill(disk, LEAVE_FREE)
            asked = client.post(forum, data={"csrf_token": csrf}, follow_redirects=False)
            kept = _follow(client, asked.headers["location"]) if asked.status_code == 303 else ""
            filler.unlink()
            _empty_the_write_ahead_log(disk / "placecheck.db")
            filler = _fill(disk, 0)
            reading = client.get(results)
            saving = client.post(
                f"/r/{token}/p/{page}",
                data={
                    "csrf_token": csrf_of(shown),
                    "action": "later",
                    f"answer-{item}": value,
                    f"evidence-{item}": "Typed on a full disk",
                },
            )
            filler.unlink()
            again = client.post(forum, data={"csrf_token": csrf}, follow_redirects=False)
            made = _follow(client, again.headers["location"]) if again.status_code == 303 else ""
            log = running.log.read_text()

    print_table(
        "A full disk under placecheck serve (SQLite on a 16 MB tmpfs)",
        ["what", "answer"],
        [
            [
                "forum report asked for with 96 KB free",
                f"{asked.status_code}, then: made, not kept",
            ],
            ["results page with the disk full", str(reading.status_code)],
            ["a respondent's save with the disk full", str(saving.status_code)],
            ["the report asked for again with room", "made" if "is ready" in made else "not made"],
        ],
    )
    assert asked.status_code == 303
    assert "the server's disk is full, so it could not be kept" in kept.replace("&#39;", "'")
    assert "OSError" not in kept
    assert reading.status_code == 200
    assert saving.status_code == 503 and "disk is full" in saving.text.replace("&#39;", "'")
    assert "Typed on a full disk" in saving.text
    assert "disk is full" in log  # the operator is told
    assert "Your forum report is ready" in made
