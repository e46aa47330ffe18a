"""Bodies too large for their route are refused before they are read, against ``placecheck
serve``: a 200 MB body to a respondent link that does not exist was once read and parsed in
full before the 404, the server growing by 285 MB."""

import socket
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.security.body_limit import MEGABYTE
from tests.support.demo import prepare
from tests.support.figures import print_table
from tests.support.pages import post_form
from tests.support.servers import Server, server

ANSWERS = "/api/v1/respondent/no-such-link/answers"
CHUNK = b"x" * 65_536


def _connect(running: Server) -> socket.socket:
    host, port = running.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _read_reply(connection: socket.socket, first: bytes = b"") -> tuple[int, str]:
    """The status and the whole reply: the server closes the connection after a refusal."""
    reply = first
    connection.settimeout(30)
    while chunk := connection.recv(65_536):
        reply += chunk
    return int(reply.split(b" ", 2)[1]), reply.decode("utf-8", "replace")


def _declared_too_large(running: Server) -> tuple[int, str, float]:
    """Headers that announce 200 MB, and nothing more sent: the answer must not wait for it."""
    started = time.monotonic()
    with _connect(running) as connection:
        connection.sendall(
            f"PUT {ANSWERS} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            f"Content-Length: {200 * MEGABYTE}\r\n\r\n".encode()
            + b'{"answers": ['
        )
        status, reply = _read_reply(connection)
    return status, reply, time.monotonic() - started


def _chunked_until_refused(running: Server) -> tuple[int, str, int]:
    """A body sent in chunks, with no length announced, until the server answers."""
    sent = 0
    with _connect(running) as connection:
        connection.sendall(
            f"PUT {ANSWERS} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        connection.settimeout(0.01)
        reply = b""
        while sent < 200 * MEGABYTE and not reply:
            try:
                connection.sendall(f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n")
                sent += len(CHUNK)
                reply = connection.recv(65_536)
            except (TimeoutError, BlockingIOError):
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        status, text = _read_reply(connection, reply)
    return status, text, sent


def test_a_body_too_large_for_its_route_is_refused_before_it_is_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    prepare(url, respondents=0)
    with server(url, tmp_path) as running:
        declared, declared_reply, waited = _declared_too_large(running)
        chunked, chunked_reply, sent = _chunked_until_refused(running)

    print_table(
        "Bodies too large for the respondent API (limit 4 MB)",
        ["body", "status", "before the answer"],
        [
            ["Content-Length of 200 MB, 13 bytes sent", str(declared), f"{waited:.2f} s"],
            ["chunked, no length", str(chunked), f"{sent / MEGABYTE:.1f} MB sent"],
        ],
    )
    assert declared == 413 and waited < 10
    assert "at most 4 MB of answers" in declared_reply and "problem+json" in declared_reply
    assert chunked == 413 and sent < 12 * MEGABYTE
    assert "at most 4 MB of answers" in chunked_reply


@pytest.mark.parametrize("size", [MEGABYTE + 1, 3 * MEGABYTE])
def test_a_form_too_large_is_refused_with_a_page_that_says_so(
    facilitator: TestClient, size: int
) -> None:
    response = post_form(facilitator, "/places", "/places", {"name": "x" * size})

    assert response.status_code == 413
    assert "What was sent is too large: this page takes at most 1 MB" in response.text
