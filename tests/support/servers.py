"""Servers on loopback: the app in a thread (``serving``, for browsers and in-process load) and
``placecheck serve`` or ``placecheck worker`` in processes of their own, as an operator runs
them (``server``, ``job_worker``)."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import Engine

from app.core.config import Environment, Settings
from app.main import create_app
from tests.support.demo import SECRET


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    engine: Engine
    settings: Settings


@contextmanager
def serving(
    engine: Engine, settings: Settings | None = None, port: int | None = None
) -> Iterator[LiveServer]:
    """A real server (uvicorn, on loopback) over ``engine``, for browsers and load tests; on
    ``port`` where something must know its address before it starts."""
    settings = settings or Settings(
        environment=Environment.TEST,
        database_url=engine.url.render_as_string(hide_password=False),
    )
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings=settings, engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", engine, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL to the server and everything it started (workers, PDF renderers)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def descendants(self) -> list[int]:
        """Every process the server started, read from /proc (no extra dependency)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
        found: list[int] = []
        waiting = [self.process.pid]
        while waiting:
            for child in children.get(waiting.pop(), []):
                found.append(child)
                waiting.append(child)
        return found


@contextmanager
def server(
    database_url: str,
    folder: Path,
    workers: int = 1,
    jobs: str = "in-process",
    environment: dict[str, str] | None = None,
    warmed: bool = False,
) -> Iterator[Server]:
    """``placecheck serve`` in its own process group, as an operator runs it, with
    ``environment`` added to its settings (a mail server, say).

    Only ``warmed`` servers build their routes, compile their templates and start their render
    processes before the first request, as a deployed one does (the benchmarks, which time
    that first request): warming costs 2.4 s of CPU per start, paid some fifty times a suite
    by servers most of which never make a report; ``tests/test_warm_up.py`` checks it."""
    port = free_port()
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    settings = {
        "PLACECHECK_ENVIRONMENT": "development" if warmed else "test",
        **(environment or {}),
    }
    process, log = _start(command, database_url, folder, jobs, f"server-{port}", settings)
    running = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{running.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield running
    finally:
        _stop(running)


@contextmanager
def job_worker(database_url: str, folder: Path) -> Iterator[Server]:
    """``placecheck worker`` in its own process group, taking jobs from procrastinate."""
    process, log = _start(["worker"], database_url, folder, "procrastinate", "worker")
    running = Server("", process, log)
    try:
        deadline = time.monotonic() + 60
        while b"taking jobs" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield running
    finally:
        _stop(running)


def _start(
    arguments: list[str],
    database_url: str,
    folder: Path,
    jobs: str,
    name: str,
    extra: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``placecheck`` with ``arguments``, its output logged in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"{name}.log"
    environment = {
        **os.environ,
        "PLACECHECK_DATABASE_URL": database_url,
        "PLACECHECK_SECRET_KEY": SECRET,
        "PLACECHECK_ENVIRONMENT": "test",
        "PLACECHECK_JOBS": jobs,
        **(extra or {}),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "placecheck"), *arguments],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def _stop(running: Server) -> None:
    if running.process.poll() is None:
        os.killpg(running.process.pid, signal.SIGTERM)
        try:
            running.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            running.kill()
