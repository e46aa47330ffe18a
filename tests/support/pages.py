"""Signing in and sending forms as a browser does (the form's own CSRF token), in-process
(``TestClient``) and against a real server (``httpx``), and reading pages back."""

import re

import httpx
from fastapi.testclient import TestClient

PASSWORD = "a-long-enough-password"
"""The workspace people's password."""
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def main_content(html: str) -> str:
    """A page's content, without what changes from one request to the next (the form token),
    so that two readings of a page can be compared."""
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match, "the page has no main element"
    return CSRF.sub("", match.group(0))


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def post_form(client: TestClient, page_path: str, action: str, data: dict[str, str], **kw: object):  # type: ignore[no-untyped-def]
    """Submit a form as a browser would: with the CSRF token from the page it is on."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    return client.post(action, data={**data, "csrf_token": csrf_of(page.text)}, **kw)  # type: ignore[arg-type]


def post_sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    """Sign in to a running server through the form."""
    token = csrf_of(client.get("/sign-in").text)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def signed_in(url: str, email: str, password: str, timeout: float = 300) -> httpx.Client:
    """A client signed in to a running server; the caller closes it."""
    client = httpx.Client(base_url=url, timeout=timeout)
    post_sign_in(client, email, password)
    return client


def download_report(client: TestClient | httpx.Client, path: str) -> httpx.Response:
    """A report's PDF as a person gets it: asked for with the button on the report's page (a
    POST with the page's CSRF token), then waited for. ``path`` ends in ``.pdf``."""
    page = client.get(path.replace(".pdf", "", 1))
    return client.post(path, data={"csrf_token": csrf_of(page.text)})
