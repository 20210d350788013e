"""The virtual users of `make loadtest`: leaders browsing, managers logging sessions.

Each virtual user is a thread with its own cookies and one HTTP connection to the app on the
loopback address, signed in through /login/ like a browser (CSRF token from the form). Every
request is recorded (when it started, how long it took, its answer or the error); every log
entry a manager writes carries a unique marker text, and a write counts as acknowledged only
when the app answered it as a success: the redirect back to the session's log section, or
for htmx the log fragment that shows the marker.
"""

from __future__ import annotations

import http.client
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from loadtest.organization import PASSWORD, Login

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 30.0
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Record:
    started: float  # time.monotonic()
    seconds: float
    role: str
    page: str  # a label: "diagram", "health", "session", "add feedback", ...
    outcome: str  # "200", "302", "500", "503", "login redirect", "refused", "timeout", ...
    ok: bool

    @property
    def ended(self) -> float:
        return self.started + self.seconds


@dataclass
class Write:
    marker: str
    kind: str  # "feedback" or "successes"
    session: int
    acknowledged: bool
    outcome: str
    retries: int = 0  # the same post again, with the same one-time key, after a 503


@dataclass
class Journal:
    """What every virtual user did; appended to from many threads."""

    records: list[Record] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)

    def wrote(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)


class Browser:
    """Cookies and one keep-alive connection to the app, no redirects followed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, *, form: dict | None = None, htmx: bool = False
    ) -> tuple[int, dict[str, str], str]:
        """Send one request; raise OSError (refused, reset, timeout) when it gets no answer."""
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "partnership-map-loadtest"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        if htmx:
            headers["HX-Request"] = "true"
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = None
            raise OSError(_describe(error)) from error
        if response.will_close:
            self.connection.close()
            self.connection = None
        for raw in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _describe(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return "reset"
    if isinstance(error, http.client.RemoteDisconnected):
        return "disconnected"
    return type(error).__name__


class VirtualUser(threading.Thread):
    """One signed-in person doing their part until told to stop."""

    def __init__(
        self,
        login: Login,
        *,
        port: int,
        journal: Journal,
        stop: threading.Event,
        run_prefix: str,
        think: float,
        seed: int,
    ) -> None:
        super().__init__(name=login.username, daemon=True)
        self.login = login
        self.browser = Browser(port)
        self.journal = journal
        self.stop_event = stop
        self.run_prefix = run_prefix
        self.think = think
        self.random = random.Random(seed)
        self.written = 0
        self.signed_in = False

    # --- recording ---

    def call(
        self, page: str, method: str, path: str, *, form=None, htmx=False, expect=(200,)
    ) -> tuple[int, dict[str, str], str] | None:
        started = time.monotonic()
        try:
            status, headers, body = self.browser.request(method, path, form=form, htmx=htmx)
        except OSError as error:
            self.journal.add(
                Record(
                    started, time.monotonic() - started, self.login.role, page, str(error), False
                )
            )
            return None
        outcome = str(status)
        if status == 503 and "retry-after" not in headers:
            outcome = "503 without Retry-After"
        if status == 302 and urlsplit(headers.get("location", "")).path == "/login/":
            outcome = "login redirect"  # the session was lost: sign in again
            self.signed_in = False
        ok = status in expect and outcome != "login redirect"
        self.journal.add(
            Record(started, time.monotonic() - started, self.login.role, page, outcome, ok)
        )
        return status, headers, body

    def pause(self) -> None:
        self.stop_event.wait(self.random.uniform(0, 2 * self.think))

    # --- behaviour ---

    def sign_in(self) -> bool:
        answer = self.call("login form", "GET", "/login/")
        if answer is None or answer[0] != 200 or not TOKEN.search(answer[2]):
            return False
        form = {
            "csrfmiddlewaretoken": TOKEN.search(answer[2]).group(1),
            "username": self.login.username,
            "password": PASSWORD,
        }
        answer = self.call("login", "POST", "/login/", form=form, expect=(302,))
        self.signed_in = (
            answer is not None and answer[0] == 302 and "sessionid" in (self.browser.cookies)
        )
        return self.signed_in

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                if not self.signed_in and not self.sign_in():
                    self.stop_event.wait(0.5)
                    continue
                if self.login.role == "leader":
                    self.browse()
                else:
                    self.log_session()
                self.pause()
        finally:
            self.browser.close()

    def browse(self) -> None:
        roll = self.random.random()
        if roll < 0.4:
            self.call("diagram", "GET", "/diagram/")
        elif roll < 0.7:
            self.call("health", "GET", "/health/")
        elif roll < 0.85:
            page = self.random.randint(1, 20)
            self.call("employees panel", "GET", f"/diagram/quadrants/E/?page={page}", htmx=True)
        else:
            self.call("home", "GET", "/", expect=(302,))

    def log_session(self) -> None:
        if not self.login.sessions:
            return
        if self.random.random() < 0.2:
            self.call("my sessions", "GET", "/meetings/")
            self.pause()
        session = self.random.choice(self.login.sessions)
        answer = self.call("session", "GET", f"/meetings/sessions/{session}/")
        if answer is None or answer[0] != 200:
            return
        found = TOKEN.search(answer[2])
        if not found:
            return
        for _ in range(self.random.randint(1, 3)):
            if self.stop_event.is_set():
                return
            self.pause()
            self.add_entry(session, found.group(1))

    def add_entry(self, session: int, token: str) -> None:
        """One log entry, posted with a one-time key as the page's form carries (a fresh one
        for every entry, as the form swapped in after each add has). An answer of 503, or
        none at all, is retried with the same key, up to RETRIES times, after the answer's
        Retry-After (at most RETRY_WAIT_CAP seconds): the app stores the entry once however
        often it arrives (org/once.py), so `make loadtest` counts duplicates and wants 0."""
        self.written += 1
        marker = f"{self.run_prefix}{self.login.username} #{self.written}"
        kind, prefix = self.random.choice([("feedback", "feedback"), ("successes", "success")])
        htmx = self.random.random() < 0.5
        form = {"csrfmiddlewaretoken": token, f"{prefix}-text": marker, "once": new_key()}
        page = f"add {kind}{' (htmx)' if htmx else ''}"
        expect = (200,) if htmx else (302,)
        path = f"/meetings/sessions/{session}/{kind}/"
        acknowledged, outcome, retries = False, "no answer", 0
        for attempt in range(1 + RETRIES):
            if attempt:
                retries += 1
                label = f"{page} (retry)"
            else:
                label = page
            answer = self.call(label, "POST", path, form=form, htmx=htmx, expect=expect)
            if answer is None:
                outcome = "no answer"
                wait = 1.0
            else:
                status, headers, body = answer
                outcome = str(status)
                if htmx:
                    acknowledged = status == 200 and marker in body
                else:
                    location = urlsplit(headers.get("location", ""))
                    acknowledged = (
                        status == 302 and location.path == f"/meetings/sessions/{session}/"
                    )
                if status != 503:
                    break
                wait = _retry_after(headers)
            if self.stop_event.wait(wait):
                break
        self.journal.wrote(Write(marker, kind, session, acknowledged, outcome, retries))


RETRIES = 5
RETRY_WAIT_CAP = 5.0


def new_key() -> str:
    """A one-time key such as the app's forms carry (org/once.py)."""
    return secrets.token_urlsafe(18)


def _retry_after(headers: dict[str, str]) -> float:
    try:
        return min(RETRY_WAIT_CAP, max(0.2, float(headers.get("retry-after", "1"))))
    except ValueError:
        return 1.0


class HealthWatch(threading.Thread):
    """Asks /healthz twice a second, to see when the app loses and regains the database."""

    def __init__(self, *, port: int, stop: threading.Event) -> None:
        super().__init__(name="healthz", daemon=True)
        self.browser = Browser(port)
        self.stop_event = stop
        self.answers: list[tuple[float, bool]] = []

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                now = time.monotonic()
                try:
                    status, _, _ = self.browser.request("GET", "/healthz")
                except OSError:
                    status = 0
                self.answers.append((now, status == 200))
                self.stop_event.wait(0.5)
        finally:
            self.browser.close()
