"""Hostile input: arbitrary text, huge values, NUL bytes, wrong types and unknown fields,
thrown at every form of the app, at the query string of every page, at the login and at the
import. Nothing answers 500, and nothing invalid is stored.

The forms are not listed by hand: the test crawls every page the route registry knows
(tests/trust/routes.py) as each role, reads every <form> on them (its action, method, fields
and their offered values), and attacks each one as a role that was shown it. A new form is
attacked the day it appears.

After each request, every row it added or changed must pass the model's full_clean() (field
lengths, choices, validators, constraints), hold no NUL character, and refer only to objects
of its own organization; organization B's rows must be untouched. Each example runs in a
savepoint that is rolled back, so examples do not pile up.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.selectors import current_quarter
from tests.trust.routes import ROLES, ROUTES
from tests.trust.world import World

APPS = ("org", "partnerships", "meetings")
# Examples per form and page: a few in CI; HOSTILE_EXAMPLES=200 for a longer hunt.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Forms never attacked, and why.
SKIPPED_ACTIONS = {
    "/logout/": "ends the session the attack runs in; it takes no input",
}

# --- values -------------------------------------------------------------------------------------

TRICKY = [
    "", " ", "\x00", "a\x00b", "\x00" * 3, "x" * 5000, "9" * 400, "9" * 5000, "-1", "0",
    "1.5", "1e309", "NaN", "inf", "-0", "2147483648", "9223372036854775808", "²", "1²",
    "٣", "0001-01-01", "9999-12-31", "10000-01-01", "2024-02-30", "2024-13-01", "24:00",
    "99:99", "23:59:60", "2026Q5", "1999Q1", "0000Q1", "<script>alert(1)</script>",
    "' OR 1=1 --", "\u202eevil", "😀" * 50, "null", "[]", "{}", "%00", "../../etc/passwd",
    "javascript:alert(1)", "http://", "https://example.com/" + "a" * 300, "a" * 201,
    "  padded  ", "\r\n", "=cmd|' /C calc'!A0", "on", "off", "true", "L", "T", "LM",
]  # fmt: skip
# Tried alone in every field: NUL (PostgreSQL refuses it in text), a digit that str.isdigit()
# accepts and int() refuses, more digits than int() converts, past 64 bits, and the ends of the
# calendar (and past them) that date arithmetic falls off.
TRAPS = ["\x00", "²", "9" * 5000, "9223372036854775808", "0001-01-01", "9999-12-31", "10000-01-01"]
PARAMETER_NAMES = [
    "organization", "page", "objective", "quarter", "next", "back_to_session", "keep", "pair",
    "partnership", "kind", "scope", "as_of", "q", "member", "status", "since", "until",
    "from_member", "to_member", "days", "person", "action", "version", "fingerprint", "on",
]  # fmt: skip

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)


def scalar(offered: list[str], ids: list[str]) -> st.SearchStrategy[str]:
    choices = [st.sampled_from(TRICKY), text, st.sampled_from(ids)]
    if offered:
        choices.insert(0, st.sampled_from(offered))
    return st.one_of(*choices)


def value(offered: list[str], ids: list[str]) -> st.SearchStrategy:
    one = scalar(offered, ids)
    return st.one_of(one, one, one, st.lists(one, min_size=2, max_size=3))


def hostile_data(fields: dict[str, list[str]], ids: list[str]) -> st.SearchStrategy[dict]:
    """Some of the form's fields (each offered, odd or arbitrary), and unknown ones."""
    known = st.fixed_dictionaries({}, optional={n: value(v, ids) for n, v in fields.items()})
    unknown = st.dictionaries(
        st.one_of(
            st.sampled_from(PARAMETER_NAMES), st.from_regex(r"[a-z_\-]{1,20}", fullmatch=True)
        ),
        value([], ids),
        max_size=3,
    )
    return st.tuples(known, unknown).map(lambda pair: {**pair[1], **pair[0]})


def object_ids(*worlds: World) -> list[str]:
    ids = []
    for world in worlds:
        for name in World.__dataclass_fields__:
            obj = getattr(world, name)
            if isinstance(obj, models.Model):
                ids.append(str(obj.pk))
    return sorted(set(ids))


# --- the forms of every page -----------------------------------------------------------------


@dataclass
class FoundForm:
    method: str
    action: str
    role: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name: the values offered
    files: set[str] = field(default_factory=set)
    chosen: dict[str, str] = field(default_factory=dict)  # the values a browser would send

    @property
    def key(self) -> tuple:
        """Forms alike (one per checklist action, one per relationship) count once."""
        try:
            where = resolve(self.action).view_name
        except Resolver404:
            where = self.action
        return (self.method, where, tuple(sorted(re.sub(r"\d+", "N", f) for f in self.fields)))


class PageReader(HTMLParser):
    """The forms of a page (action, method, fields, offered and chosen values) and the query
    parameters its links use, by path."""

    def __init__(self, page_url: str, role: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url, self.role = page_url, role
        self.forms: list[FoundForm] = []
        self.parameters: dict[str, set[str]] = {}
        self.current: FoundForm | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        for link in (a.get("href"), a.get("hx-get")):
            if link and "?" in link:
                parts = urlsplit(link)
                names = {pair.split("=")[0] for pair in parts.query.split("&") if pair}
                self.parameters.setdefault(parts.path or self.page_url, set()).update(names)
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_url).path or self.page_url
            method = (a.get("method") or "get").upper()
            self.current = FoundForm(method=method, action=action, role=self.role)
            self.forms.append(self.current)
        elif tag == "option" and self.current is not None and self.select:
            if a.get("value"):
                self.current.fields[self.select].append(a["value"])
                if "selected" in a:
                    self.current.chosen[self.select] = a["value"]
        elif self.current is not None and a.get("name", "csrfmiddlewaretoken") != (
            "csrfmiddlewaretoken"
        ):
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        name = a["name"]
        if tag == "input" and a.get("type") == "file":
            self.current.files.add(name)
        elif tag in {"input", "textarea"}:
            offered = self.current.fields.setdefault(name, [])
            if a.get("value"):
                offered.append(a["value"])
                if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                    self.current.chosen.setdefault(name, a["value"])
        elif tag == "select":
            self.select = name
            self.current.fields.setdefault(name, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def read_page(html: str, page_url: str, role: str) -> PageReader:
    reader = PageReader(page_url, role)
    reader.feed(html)
    reader.close()
    return reader


def forms_on(html: str, page_url: str, role: str) -> list[FoundForm]:
    return read_page(html, page_url, role).forms


# Forms the personas are not shown, attacked all the same.
UNSEEN_FORMS = [
    # The organization switcher appears only for people in several organizations.
    FoundForm("POST", "/org/switch/", "member", fields={"organization": []}),
]


@dataclass
class Crawl:
    forms: list[FoundForm]
    parameters: dict[str, set[str]]  # path: the query parameters links and GET forms send


def crawl(clients: dict[str, Client], world: World) -> Crawl:
    """Every distinct form on every page of the registry as each role may see it, and every
    query parameter the pages' links and GET forms use."""
    forms: dict[tuple, FoundForm] = {}
    parameters: dict[str, set[str]] = {}
    quarter = current_quarter(world.organization).next().key  # A's partnership has none yet
    extra_pages = [
        f"/meetings/plan/?quarter={quarter}&days=0&days=1&days=2&day_starts=09:00"
        "&day_ends=17:00&duration_minutes=90",
    ]
    for name, route in sorted(ROUTES.items()):
        if route.get is None:
            continue
        for kwargs in route.kwargs(world):
            url = reverse(name, kwargs=kwargs)
            for role in [r for r in ROLES if r in route.get]:
                for page in [url] + [p for p in extra_pages if urlsplit(p).path == url]:
                    response = clients[role].get(page)
                    if response.status_code != 200 or not response.get(
                        "Content-Type", ""
                    ).startswith("text/html"):
                        continue
                    reader = read_page(response.content.decode(), url, role)
                    for path, names in reader.parameters.items():
                        parameters.setdefault(path, set()).update(names)
                    for form in reader.forms:
                        if form.method == "GET":
                            parameters.setdefault(form.action, set()).update(form.fields)
                        if form.action not in SKIPPED_ACTIONS:
                            forms.setdefault(form.key, form)
    for form in UNSEEN_FORMS:
        forms.setdefault(form.key, form)
    return Crawl(list(forms.values()), parameters)


# --- what may be stored ------------------------------------------------------------------------


def tenant_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APPS and model._meta.model_name != "loginattempt"
    ]


def snapshot(tables: set[str] | None = None) -> dict:
    """The rows of the app's tables (or of the named ones) as plain values."""
    return {
        model: {row["pk"]: row for row in model.objects.values("pk", *_columns(model))}
        for model in tenant_models()
        if tables is None or model._meta.db_table in tables
    }


def _columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@contextlib.contextmanager
def tables_written():
    """The names of the tables the block writes to."""
    written: set[str] = set()

    def note(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match:
            written.add(match.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        yield written


def organization_of(obj: models.Model) -> int | None:
    return getattr(obj, "organization_id", None)


def problems_in(before: dict, after: dict, stranger_id: int) -> list[str]:
    problems = []
    for model, rows in after.items():
        for pk, row in rows.items():
            old = before[model].get(pk)
            if old == row:
                continue
            label = f"{model._meta.label} #{pk}"
            if stranger_id in {row.get("organization_id"), (old or {}).get("organization_id")}:
                problems.append(f"{label}: organization B's row changed")
            for name, stored in row.items():
                if isinstance(stored, str) and "\x00" in stored:
                    problems.append(f"{label}: NUL stored in {name}")
            obj = model.objects.get(pk=pk)
            orgs = {organization_of(obj)} - {None}
            for f in model._meta.concrete_fields:
                if f.is_relation and getattr(obj, f.attname) is not None:
                    target = getattr(obj, f.name)
                    if organization_of(target) is not None:
                        orgs.add(organization_of(target))
                    if isinstance(target, apps.get_model("org", "Organization")):
                        orgs.add(target.pk)
            if len(orgs) > 1:
                problems.append(f"{label}: refers to objects of another organization")
            if not model._meta.auto_created:
                try:
                    obj.full_clean(validate_unique=True, validate_constraints=True)
                except Exception as error:  # noqa: BLE001 - any refusal is the finding
                    problems.append(f"{label}: stored invalid: {error}")
    for model, rows in after.items():
        for pk, row in before[model].items():
            if pk not in rows and row.get("organization_id") == stranger_id:
                problems.append(f"{model._meta.label} #{pk}: organization B's row deleted")
    return problems


def attack(
    client: Client,
    method: str,
    url: str,
    data: dict,
    *,
    baseline: dict,
    stranger_id: int,
    htmx: bool = False,
) -> int:
    """Send the request in a savepoint, check what it wrote against the baseline (the rows as
    they are before every example), and roll it back."""
    headers = {"HX-Request": "true"} if htmx else {}
    with transaction.atomic():
        with tables_written() as written:
            if method == "GET":
                response = client.get(url, data, headers=headers)
            else:
                response = client.post(url, data, headers=headers)
        problems = problems_in(baseline, snapshot(written), stranger_id) if written else []
        transaction.set_rollback(True)
    assert response.status_code < 500, f"{method} {url} {data!r}: {response.status_code}"
    assert not problems, f"{method} {url} {data!r}: {problems}"
    return response.status_code


def describe(error: Exception) -> str:
    notes = "\n".join(getattr(error, "__notes__", []))
    return f"{type(error).__name__}: {str(error)[:500]}\n{notes[:1500]}"


def throw_at_form(client: Client, form: FoundForm, ids: list[str], baseline: dict) -> None:
    @HYPOTHESIS
    @given(
        data=hostile_data(form.fields, ids),
        upload=st.binary(max_size=3000),
        htmx=st.booleans(),
    )
    def throw(data, upload, htmx):
        for name in form.files:
            data[name] = SimpleUploadedFile("people.csv", upload, content_type="text/csv")
        attack(client, form.method, form.action, data, htmx=htmx, **baseline)

    throw()


def throw_at_query_string(
    client: Client, url: str, names: set[str], ids: list[str], baseline: dict
) -> None:
    @HYPOTHESIS
    @given(data=hostile_data(dict.fromkeys(sorted(names), []), ids), htmx=st.booleans())
    def throw(data, htmx):
        attack(client, "GET", url, data, htmx=htmx, **baseline)

    throw()


# --- the tests -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _far_east(world_a):
    """Organization A lives at UTC+14, so a date at the calendar's edge that a view turns
    into a moment in the organization's time zone falls off the calendar in UTC."""
    world_a.organization.time_zone = "Pacific/Kiritimati"
    world_a.organization.save(update_fields=["time_zone"])


def sweep(client: Client, method: str, url: str, chosen: dict, names, baseline: dict):
    """Each field alone set to each trap, the others as a browser would send them."""
    failures = []
    for name in sorted(names):
        for trap in TRAPS:
            try:
                attack(client, method, url, {**chosen, name: trap}, **baseline)
            except Exception as error:  # noqa: BLE001 - collect every finding
                failures.append(f"{method} {url} {name}={trap[:12]!r}…: {describe(error)}")
    return failures


def test_every_form_survives_traps_and_hostile_input(clients, world_a, world_b):
    found = crawl(clients, world_a)
    posts = {form.key[1] for form in found.forms if form.method == "POST"}
    # The crawl reaches the forms it should (a sample, so a broken crawl cannot pass quietly).
    for expected in [
        "org:member_new",
        "org:member_edit",
        "partnerships:member_move",
        "partnerships:member_archive",
        "partnerships:team_seat",
        "partnerships:objective_create",
        "partnerships:partnership_create",
        "partnerships:relationship_add",
        "partnerships:dissolve",
        "meetings:item_add",
        "meetings:session_details",
        "meetings:planner",
        "meetings:schedule",
        "org_import:upload",
    ]:
        assert expected in posts, f"the crawl found no form posting to {expected}"
    ids = object_ids(world_a, world_b)
    baseline = {"baseline": snapshot(), "stranger_id": world_b.organization.pk}
    failures = []
    for form in found.forms:
        client = clients[form.role]
        failures += sweep(client, form.method, form.action, form.chosen, form.fields, baseline)
        try:
            throw_at_form(client, form, ids, baseline)
        except Exception as error:  # noqa: BLE001 - collect every form's finding
            failures.append(f"{form.role} {form.method} {form.action}: {describe(error)}")
    assert not failures, "\n".join(failures)


def test_every_page_survives_traps_and_hostile_query_strings(clients, world_a, world_b):
    found = crawl(clients, world_a)
    assert {"objective", "partnership"} <= found.parameters.get("/partnerships/new/", set()) | (
        found.parameters.get("/meetings/successes/new/", set())
    ), "the crawl misses the parameters that links pass"
    ids = object_ids(world_a, world_b)
    baseline = {"baseline": snapshot(), "stranger_id": world_b.organization.pk}
    failures = []
    for name, route in sorted(ROUTES.items()):
        if route.get is None:
            continue
        role = next(r for r in ROLES if r in route.get)
        for kwargs in route.kwargs(world_a):
            url = reverse(name, kwargs=kwargs)
            names = found.parameters.get(url, set())
            failures += sweep(clients[role], "GET", url, {}, names, baseline)
            try:
                throw_at_query_string(clients[role], url, names, ids, baseline)
            except Exception as error:  # noqa: BLE001 - collect every page's finding
                failures.append(f"{role} GET {url}: {describe(error)}")
    assert not failures, "\n".join(failures)


@HYPOTHESIS
@given(
    username=st.one_of(st.sampled_from(TRICKY), text),
    password=st.one_of(st.sampled_from(TRICKY), text),
)
def test_the_login_survives_hostile_input(db, username, password):
    with transaction.atomic():
        response = Client().post("/login/", {"username": username, "password": password})
        transaction.set_rollback(True)
    assert response.status_code in {200, 429}


# --- the import ----------------------------------------------------------------------------------

HEADER = ["Employee id", "Name", "Title", "Email", "Manager id", "Team", "Quadrant"]
cell = st.one_of(st.sampled_from(TRICKY), text, st.sampled_from(["Ann", "Bob", "L", "E", "T"]))


@HYPOTHESIS
@given(
    rows=st.lists(st.lists(cell, min_size=0, max_size=len(HEADER) + 2), min_size=1, max_size=6),
    encoding=st.sampled_from(["utf-8", "latin-1", "windows-1252", "utf-16", "nonsense"]),
)
def test_the_import_survives_hostile_cells(admin_client, world_a, world_b, rows, encoding):
    """Upload, map the columns, preview and apply a file of hostile cells: every step
    answers, and whatever the import writes is valid."""
    buffer = io.StringIO()
    for row in [HEADER, *rows]:
        buffer.write(",".join('"' + c.replace('"', '""') + '"' for c in row) + "\n")
    raw = buffer.getvalue().encode("utf-8", errors="replace")
    stranger = world_b.organization.pk
    with transaction.atomic():
        before = snapshot()
        upload = SimpleUploadedFile("people.csv", raw, content_type="text/csv")
        steps = [admin_client.post("/org/import/", {"file": upload, "encoding": encoding})]
        columns = admin_client.get("/org/import/columns/")
        steps.append(columns)
        if columns.status_code == 200:
            mapping = next(
                form.chosen
                for form in forms_on(columns.content.decode(), "/org/import/columns/", "admin")
                if form.action == "/org/import/columns/"
            )
            steps.append(admin_client.post("/org/import/columns/", mapping))
            preview = admin_client.get("/org/import/preview/")
            steps.append(preview)
            fingerprint = preview.context.get("apply_form") if preview.context else None
            if fingerprint is not None:
                token = fingerprint.initial["fingerprint"]
                steps.append(admin_client.post("/org/import/apply/", {"fingerprint": token}))
        problems = problems_in(before, snapshot(), stranger)
        transaction.set_rollback(True)
    assert all(step.status_code < 500 for step in steps), [s.status_code for s in steps]
    assert not problems, problems


def test_the_import_refuses_a_file_with_a_nul_character(admin_client, world_a):
    members = set(world_a.organization.members.values_list("pk", flat=True))
    upload = SimpleUploadedFile(
        "people.csv", b"Employee id,Name\n1,Ann\n2,B\x00b\n", content_type="text/csv"
    )
    response = admin_client.post("/org/import/", {"file": upload, "encoding": "utf-8"})
    assert response.status_code == 200
    assert "A NUL character is on this line" in response.content.decode()
    assert "<td>3</td>" in response.content.decode()
    assert set(world_a.organization.members.values_list("pk", flat=True)) == members
    assert admin_client.get("/org/import/columns/").status_code == 302  # nothing pending
