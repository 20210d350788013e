"""The browser enforces the Content-Security-Policy, and the `page` fixture hears about it."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_it_blocks_inline_script_and_reports_it(page: Page, console_errors: list[str]):
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert console_errors == []  # htmx, our script and our stylesheet load without a complaint

    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.body.dataset.inline = 'ran'";
            document.body.append(script);
        }"""
    )
    expect(page.locator("body")).not_to_have_attribute("data-inline", "ran")
    assert any("Content Security Policy" in error for error in console_errors), console_errors
    console_errors.clear()
