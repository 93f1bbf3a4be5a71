"""End-to-end tests: Debian's Chromium, driven by Playwright, against the whole local stack.

The stack serves the built web app (``make web``) from ``web/dist``, exactly as ``make run`` does.
Playwright never downloads a browser: it launches ``/usr/bin/chromium`` (``make browser``).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from chalicelib.storage.mailers import read_outbox
from devstack.config import ROOT, Ports
from devstack.stack import LocalStack

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which a closed network punishes.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "correct-horse-battery-staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One worker runs every e2e test (tests/conftest.py), so the stack and the browser start once.
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.fail("web/dist is not built: run `make web` (make pytest does it first)")
    ports = Ports(
        front=free_port(), api=free_port(), clock=free_port(), aws=free_port(), simulator=free_port()
    )
    # The job clock runs too: it takes a new connection's backfill from the queue, and tests run a
    # schedule now through its control port (POST /jobs/<name>).
    running = LocalStack(ports=ports, state_dir=Path(tmp_path_factory.mktemp("e2e-stack")))
    running.start()
    yield running
    running.stop()


# Package scope: Playwright's sync API keeps an event loop running in this thread while it lives,
# and the other tests this worker runs afterwards must find none.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Visitor:
    """One browser context (its own cookies), with what the page complained about."""

    context: BrowserContext
    page: Page
    base_url: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def new_visitor(browser: Browser, web_stack: LocalStack) -> Iterator[Callable[..., Visitor]]:
    opened: list[Visitor] = []

    def make(**options: Any) -> Visitor:
        context = browser.new_context(base_url=web_stack.url, **options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        visitor = Visitor(context, page, web_stack.url)

        def on_console(message: ConsoleMessage) -> None:
            # A 401 from the session probe is logged by Chromium as a failed load; that is expected.
            if message.type == "error" and "Failed to load resource" not in message.text:
                visitor.problems.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: visitor.problems.append(str(error)))
        opened.append(visitor)
        return visitor

    yield make
    for visitor in opened:
        visitor.context.close()
    problems = [problem for visitor in opened for problem in visitor.problems]
    assert not problems, f"the page logged errors (CSP violations, exceptions): {problems}"


@pytest.fixture
def visitor(new_visitor: Callable[..., Visitor]) -> Visitor:
    return new_visitor()


def sign_in(visitor: Visitor, email: str, password: str) -> Page:
    page = visitor.open("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    return page


def admin_credentials(stack: LocalStack) -> tuple[str, str]:
    assert stack.seeded is not None
    return stack.seeded.email, stack.seeded.password.reveal()


def latest_link(stack: LocalStack, to: str, kind: str, timeout: float = 10) -> str:
    """The newest link of this kind (accept-invitation, reset-password) mailed to this address."""
    pattern = re.compile(rf"https?://\S+/{kind}#token=\S+")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(read_outbox(stack.outbox)):
            found = pattern.search(message["text"])
            if message["to"] == to and found:
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no {kind} mail to {to} in {stack.outbox}")


class ApiClient:
    """The API as a script would call it (token mode), for setting up what a test is not about."""

    def __init__(self, stack: LocalStack, email: str, password: str) -> None:
        self.http = httpx.Client(base_url=stack.url, timeout=15)
        answer = self.http.post("/api/auth/sign-in", json={"email": email, "password": password})
        answer.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def post(self, path: str, body: object) -> dict[str, object]:
        answer = self.http.post(path, json=body)
        answer.raise_for_status()
        result: dict[str, object] = answer.json()
        return result

    def get(self, path: str, **params: str) -> dict[str, Any]:
        answer = self.http.get(path, params=params)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result


def add_member(stack: LocalStack, admin: ApiClient, email: str, name: str, role: str = "viewer") -> None:
    """An invited and accepted member, made through the API."""
    admin.post("/api/invitations", {"email": email, "role": role})
    token = latest_link(stack, email, "accept-invitation").split("#token=", 1)[1]
    accepted = httpx.post(
        f"{stack.url}/api/invitations/accept",
        json={"token": token, "name": name, "password": PASSWORD},
        timeout=15,
    )
    accepted.raise_for_status()
