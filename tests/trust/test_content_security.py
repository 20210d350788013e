"""The Content-Security-Policy is on every answer of every route, and no page needs inline
script or style: no <script> without src, no <style>, no style="" or on...="" attributes,
no hx-on, no javascript: URLs. Pages are walked as in test_isolation (tests/trust/routes.py),
as each role that may see them, whole and as HTMX fragments, and re-rendered after an empty
POST (forms with their errors)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.trust.routes import ROUTES

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block or what needs JavaScript written inline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name == "style":
                self.problems.append(f'style="" on <{tag}>')
            elif name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"{name} on <{tag}>")
            elif name in {"hx-vals", "hx-vars"} and value.startswith(("js:", "javascript:")):
                self.problems.append(f"{name} with script on <{tag}>")
            elif value.startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name} on <{tag}>")

    handle_startendtag = handle_starttag


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def test_the_finder_catches_what_it_looks_for():
    html = (
        '<script>alert(1)</script><script src="/s.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()"></p><button hx-on:click="x()"></button>'
        '<a href="javascript:void(0)">x</a><div hx-vals="js:{a: 1}"></div>'
        '<svg><rect fill="red" stroke="blue"/></svg>'
    )
    assert inline_problems(html) == [
        "<script> without src",
        "<style> element",
        'style="" on <p>',
        "onclick= handler on <p>",
        "hx-on:click on <button>",
        "javascript: URL in href on <a>",
        "hx-vals with script on <div>",
    ]


def assert_strict_policy(response, context: str) -> None:
    policy = response.get("Content-Security-Policy")
    assert policy, f"{context} has no Content-Security-Policy"
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    for name, value in REQUIRED_DIRECTIVES.items():
        assert directives.get(name) == value, f"{context}: {name} is {directives.get(name)!r}"
    assert "unsafe" not in policy, context


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and not response.streaming


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_answer_carries_the_policy_and_no_page_needs_inline_code(
    name, clients, world_a, world_b
):
    route = ROUTES[name]
    for kwargs in route.kwargs(world_a):
        url = reverse(name, kwargs=kwargs)
        for role, client in clients.items():
            requests = []
            if route.get is not None:
                requests += [("GET", False), ("GET", True)]
            if route.post is not None and role in route.post:
                requests += [("POST", False), ("POST", True)]
            for method, htmx in requests:
                context = f"{role} {method} {url}{' (htmx)' if htmx else ''}"
                headers = {"HX-Request": "true"} if htmx else {}
                with transaction.atomic():
                    if method == "GET":
                        response = client.get(url, headers=headers)
                    else:
                        response = client.post(url, {}, headers=headers)
                    transaction.set_rollback(True)
                assert_strict_policy(response, context)
                if is_html(response):
                    problems = inline_problems(response.content.decode())
                    assert not problems, f"{context}: {problems}"


@pytest.mark.parametrize("url", ["/login/", "/healthz", "/no-such-page/"])
def test_public_answers_carry_the_policy_too(db, url):
    response = Client().get(url)
    assert_strict_policy(response, url)
    if is_html(response):
        assert not inline_problems(response.content.decode()), url
