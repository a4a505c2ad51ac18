"""Browser tests: Playwright's sync API driving the Chromium installed on this machine
(Debian's /usr/bin/chromium, or HUBBUB_CHROMIUM), against pytest-django's live server.

Playwright's own browser download is never used (no `playwright install`): a missing
Chromium fails the run with a message saying what to install, it is not skipped.

Each test gets a `shots` helper that saves numbered screenshots into
test-results/e2e/<test name>/ so a person can look at what the browser saw.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Playwright, sync_playwright

# Playwright's sync API runs an asyncio event loop on the main thread (inside a greenlet)
# for as long as it is started. Django sees that running loop and refuses ORM calls made
# from the test body (creating users, reading invitations) with SynchronousOnlyOperation,
# although they are ordinary synchronous calls that never run inside a coroutine. The live
# server answers the browser from its own thread, which has no loop, so only the test body
# needs this. It is process-wide once this folder is collected: Django reads it at each call.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("HUBBUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # runs as root in containers, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Nothing but the live server: no update checks, sync or component downloads.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope, not session: the event loop ends with the e2e modules, so the tests
    # collected after them run without a loop on the main thread.
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(
        CHROMIUM
    ):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's package (apt-get install "
            "chromium) or set HUBBUB_CHROMIUM to the path of a Chromium binary; the browser "
            "tests do not download one.",
            pytrace=False,
        )
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server) -> Iterator[Callable[[], BrowserContext]]:
    """Opens a fresh browser profile (its own cookies) on the live server: one per person."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        # A fixed locale: the interface language must come from Hubbub's choices in the
        # test, not from whatever the machine's browser would ask for.
        context = browser.new_context(
            base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Every alert/confirm/prompt a page opened; a page that opens one unasked fails."""
    return []


@pytest.fixture
def open_page(
    new_context: Callable[[], BrowserContext], dialogs: list[str]
) -> Iterator[Callable[[], Page]]:
    def make() -> Page:
        page = new_context().new_page()

        def on_dialog(dialog: Dialog) -> None:
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    # No page in these tests is meant to open a dialog: one that did ran script we did
    # not write (an injected onerror=alert(...), say).
    assert dialogs == [], f"a page opened a dialog: {dialogs}"


@pytest.fixture
def page(open_page: Callable[[], Page]) -> Page:
    return open_page()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """shots(page, "step-name") saves test-results/e2e/<test>/<NN>-step-name.png."""
    folder = RESULTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0

    def shoot(page: Page, step: str) -> Path:
        nonlocal count
        count += 1
        path = folder / f"{count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
