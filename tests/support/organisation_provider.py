"""A real OpenID Connect provider on loopback for the sign-in tests: the npm package
``oidc-provider`` (OpenID Certified), run with the Node.js the front-end build already needs,
by ``oidc_provider.mjs`` beside this file. PKCE is required; any login at its development
sign-in page is an account whose e-mail address is that login."""

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from app.core.config import SignInProvider
from app.core.paths import PROJECT_ROOT
from tests.support.databases import require_dependency
from tests.support.servers import free_port

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
PACKAGE = PROJECT_ROOT / "node_modules" / "oidc-provider"
CLIENT_ID = "placecheck-test"
CLIENT_SECRET = "a-client-secret-for-the-sign-in-tests-0123456789"  # noqa: S105 - a test's own
LABEL = "Sign in with your council or NHS account"


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    code_seconds: int

    def settings(self, domains: list[str]) -> SignInProvider:
        """How Placecheck is configured for it: the e-mail domains it may sign in."""
        return SignInProvider(
            key="council",
            label=LABEL,
            issuer=self.issuer,
            client_id=CLIENT_ID,
            client_secret=SecretStr(CLIENT_SECRET),
            domains=domains,
        )


@contextmanager
def organisation_provider(redirect_uri: str, code_seconds: int = 60) -> Iterator[RunningProvider]:
    """The provider, with Placecheck registered at ``redirect_uri``; its authorisation codes
    last ``code_seconds``."""
    require_dependency(
        shutil.which("node") is not None and PACKAGE.exists(),
        "Node.js or the npm package oidc-provider is missing (run make setup)",
    )
    port = free_port()
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": redirect_uri,
        "code_seconds": code_seconds,
    }
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(port), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while (line := process.stdout.readline()) and line.strip() != "ready":
            if time.monotonic() > deadline:
                break
        if process.poll() is not None or line.strip() != "ready":
            log.seek(0)
            raise RuntimeError(f"the OpenID Connect provider did not start: {log.read()}")
        yield RunningProvider(f"http://127.0.0.1:{port}", code_seconds)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
