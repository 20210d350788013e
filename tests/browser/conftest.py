"""Playwright driving Debian's Chromium against pytest-django's live_server.

Every test in this folder is marked `browser`. A missing Chromium fails the tests instead of
skipping them: CI must run them (`make test` installs Chromium through `make browser-deps`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

# The Playwright sync API runs an event loop in this thread; Django's ORM would otherwise
# refuse to be called from the tests while it runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed; the browser tests need it. Run `make browser-deps` "
            "(apt-get install chromium).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors() -> list[str]:
    """What the browser reported as errors during the test; the `page` fixture fails on any.

    A test that provokes an error on purpose (say, a 403 it expects) clears this list.
    """
    return []


@pytest.fixture
def open_tab(
    browser: Browser,
    live_server,
    transactional_db,
    django_db_serialized_rollback,
    console_errors,
) -> Iterator[Callable[..., Page]]:
    """Opens browser tabs against the live server, each in a context of its own (its own
    cookies, so its own login, and its own viewport); fails the test on any browser error.

    A live-server test commits for real and ends by emptying every table, rows written by data
    migrations (the 13 actions) included; serialized rollback puts those rows back at the
    start of each browser test, and tests/conftest.py's `_thirteen_actions` writes the actions
    again when it could not (after a transactional test without serialized rollback).

    The strict Content-Security-Policy blocks anything inline, and Chromium reports each
    blocked script or style on the console: those count as errors here, as do failed
    requests (a 500 behind an htmx swap) and uncaught script errors.
    """
    contexts: list[BrowserContext] = []

    def open_tab(**options) -> Page:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on(
            "console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None
        )
        tab.on("pageerror", lambda error: console_errors.append(str(error)))
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    assert not console_errors, f"The browser reported errors: {console_errors}"


@pytest.fixture
def page(open_tab) -> Page:
    """A fresh browser tab pointed at the live server; fails the test on any browser error."""
    return open_tab()
