#!/usr/bin/env python3
"""Refresh the README's screenshots of the quadrant diagram on the demo data.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Builds the demo organization in a throwaway SQLite database, serves it with Django's
development server on a free local port, and photographs the pages with Playwright driving
Chromium (Debian's `chromium`, as the browser tests use). Nothing is left behind except the
PNG files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VIEWPORT = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}  # what a common phone shows, in CSS pixels


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The development server stopped (exit code {server.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The development server did not answer at {url}.")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def photograph(base_url: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Chromium is not installed: run `make browser-deps` first.")
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1, base_url=base_url)
        page.goto("/login/")
        page.get_by_label("Username").fill("leader")
        page.get_by_label("Password").fill("partnership-demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/diagram/")

        def shoot(name: str) -> None:
            path = out / name
            page.locator("main").screenshot(path=path)
            saved.append(path)

        shoot("diagram.png")

        page.locator("svg.diagram-overview a[data-quadrant='E']").click()
        expect(page.locator("#panel-title")).to_contain_text("Employees")
        shoot("diagram-employees-panel.png")

        page.locator("svg.diagram-overview a[data-flow='MT']").click()
        expect(page.locator("#panel-title")).to_contain_text("Guidance")
        page.locator("#panel .panel-list li a[href*='/diagram/partnerships/']").first.click()
        page.wait_for_url("**/diagram/partnerships/*/")
        shoot("partnership-map.png")

        page.locator("svg.diagram-network a.diagram-node[data-member]").last.click()
        page.wait_for_url("**/diagram/members/*/")
        shoot("member-place.png")

        for path, name in [
            ("/health/", "health.png"),
            ("/meetings/progress/", "dashboard.png"),
            ("/meetings/checklist/", "checklist.png"),
            ("/org/members/", "people.png"),
        ]:
            page.goto(path)
            if path == "/health/":  # the brokers follow by htmx once the page has loaded
                expect(page.locator("section#brokers ol, section#brokers .empty")).to_be_visible()
            shoot(name)

        # A manager's week: their sessions this quarter, and one session's log.
        page.context.clear_cookies()
        page.goto("/login/")
        page.get_by_label("Username").fill("manager")
        page.get_by_label("Password").fill("partnership-demo")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/meetings/")
        shoot("my-sessions.png")
        page.locator("main a[href*='/meetings/sessions/']").first.click()
        page.wait_for_url("**/meetings/sessions/*/")
        shoot("session.png")
        session_url = page.url

        # The same on a phone: the first screen of the diagram (a leader's) and of the session.
        def shoot_phone(name: str) -> None:
            path = out / name
            phone.screenshot(path=path)
            saved.append(path)

        phone = browser.new_page(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, base_url=base_url
        )
        phone.goto("/login/")
        phone.get_by_label("Username").fill("manager")
        phone.get_by_label("Password").fill("partnership-demo")
        phone.get_by_role("button", name="Log in").click()
        phone.wait_for_url("**/meetings/")
        phone.goto(session_url)
        shoot_phone("phone-session.png")
        phone.context.clear_cookies()
        phone.goto("/login/")
        phone.get_by_label("Username").fill("leader")
        phone.get_by_label("Password").fill("partnership-demo")
        phone.get_by_role("button", name="Log in").click()
        phone.wait_for_url("**/diagram/")
        expect(phone.locator("svg.diagram-compact")).to_be_visible()
        shoot_phone("phone-diagram.png")
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
    args = parser.parse_args()
    out = (ROOT / args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="partnership-map-shots-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        port = free_port()
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base_url}/healthz", server)
            for path in photograph(base_url, out):
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
