"""Back after an htmx filter, in a real browser, with htmx's history cache turned off: the
whole page comes back, never the bare fragment, and no id appears twice in the document.

Two ways back are taken on each page. From another page, Back loads the filtered address in
a new document, where the browser's cache may still hold the fragment htmx fetched under
that address (unless the answer varies with HX-Request). Within the page, Back makes htmx
ask the server for the address it no longer holds in its cache (a history restore).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from demo.organizations import DEMO_PASSWORD, demo_seed

# Every document the test opens starts with htmx's history cache turned off. An init script
# runs before the page's own scripts and is not subject to the Content-Security-Policy; htmx
# reads its <meta> configuration on DOMContentLoaded, after this listener has run, and that
# configuration does not name the cache size.
NO_HISTORY_CACHE = """
document.addEventListener("DOMContentLoaded", () => {
  if (window.htmx) htmx.config.historyCacheSize = 0;
});
"""

DUPLICATE_IDS = """
() => {
  const ids = Array.from(document.querySelectorAll("[id]"), (element) => element.id);
  return ids.filter((id, index) => ids.indexOf(id) !== index);
}
"""


@dataclass(frozen=True)
class FilteredPage:
    path: str
    heading: str
    first: Callable[[Page], None]  # a filter whose address the test comes back to
    first_url: str
    second: Callable[[Page], None]  # another filter, to leave the first within the page
    second_url: str

    def __str__(self) -> str:
        return self.heading


PAGES = [
    FilteredPage(
        "/meetings/",
        "All sessions this quarter",
        lambda page: page.get_by_label("Show").select_option("all"),
        r"/meetings/\?quarter=\w+&scope=all$",
        lambda page: page.get_by_label("Quarter").select_option(index=0),
        r"/meetings/\?quarter=\w+&scope=all$",
    ),
    FilteredPage(
        "/partnerships/",
        "Partnerships",
        lambda page: page.get_by_label("Status").select_option("all"),
        r"/partnerships/\?.*status=all",
        lambda page: page.get_by_label("Status").select_option("dissolved"),
        r"/partnerships/\?.*status=dissolved",
    ),
    FilteredPage(
        "/partnerships/changes/",
        "What changed",
        lambda page: page.get_by_label("From").fill("2020-01-01"),
        r"/partnerships/changes/\?since=2020-01-01&until=",
        lambda page: page.get_by_label("From").fill("2021-01-01"),
        r"/partnerships/changes/\?since=2021-01-01&until=",
    ),
]


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the landing page, loaded
    expect(page.locator(".user-name")).to_have_text(username)


def after_htmx(page: Page, event: str, action: Callable[[], object]) -> None:
    """Run the action, then wait until htmx fires the event on the document's body."""
    page.evaluate(
        """(event) => {
          window.htmxDone = false;
          document.body.addEventListener(event, () => { window.htmxDone = true; }, {once: true});
        }""",
        event,
    )
    action()
    page.wait_for_function("() => window.htmxDone === true")


def filter_with_htmx(page: Page, apply: Callable[[Page], None], url: str) -> None:
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        after_htmx(page, "htmx:afterSettle", lambda: apply(page))
    expect(page).to_have_url(re.compile(url))


def assert_the_whole_page(page: Page, filtered: FilteredPage) -> None:
    expect(page.locator("header.site-header nav")).to_have_count(1)
    expect(page.locator("form.filter-form")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(filtered.heading)
    assert page.evaluate(DUPLICATE_IDS) == []


@pytest.mark.parametrize("filtered", PAGES, ids=str)
def test_back_after_a_filter_brings_the_whole_page_back(page: Page, demo, filtered: FilteredPage):
    page.context.add_init_script(NO_HISTORY_CACHE)
    log_in(page, "leader")
    page.goto(filtered.path)
    assert page.evaluate("htmx.config.historyCacheSize") == 0

    filter_with_htmx(page, filtered.first, filtered.first_url)
    assert page.evaluate(DUPLICATE_IDS) == []
    first = page.url

    # To another page, and Back: a new document for the filtered address.
    page.locator("header.site-header nav").get_by_role("link", name="Objectives").click()
    expect(page).to_have_url(re.compile(r"/objectives/$"))
    page.go_back()
    expect(page).to_have_url(first)
    assert_the_whole_page(page, filtered)

    # Filter again, and Back within the page: htmx asks the server for the first address.
    filter_with_htmx(page, filtered.second, filtered.second_url)
    assert page.evaluate(DUPLICATE_IDS) == []
    with page.expect_request(lambda r: r.headers.get("hx-history-restore-request") == "true"):
        after_htmx(page, "htmx:historyRestore", page.go_back)
    expect(page).to_have_url(first)
    assert_the_whole_page(page, filtered)
