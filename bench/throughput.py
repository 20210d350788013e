"""Requests per second at saturation: the pages under gunicorn, as ratios to the reference.

    .venv/bin/python bench/throughput.py                 # 10,000 members (make bench runs it)
    .venv/bin/python bench/throughput.py --size small --clients 8 --seconds 15

On the database `make bench` built (bench/run.py; run it first), starts gunicorn on a free
port of 127.0.0.1 (2 sync workers, DEBUG=0, a random SECRET_KEY, the benchmark's URLconf
through bench/throughput_settings.py so that the reference page answers), signs the leader
and the manager in (sessions written straight into the database), then, page after page, a
fixed number of clients (threads, each with its own connection, one request after another)
ask for the page for a fixed time after a short warm-up: requests per second is the number
of 200 answers over that time. The reference is measured right before each page, and the
page is reported as a ratio to it (the machine's load cancels out), and judged against issue 23's goal (at least 1/3 of
the reference). Everything stops by itself; nothing leaves the loopback address. Writes
bench/results-throughput.json (-small for SIZE=small).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
SETTINGS = "bench.throughput_settings"
GOAL = 1 / 3  # every page at least a third of the reference's requests per second


def answer_time(port: int, path: str, cookie: str, deadline: float) -> list[float]:
    """One client: requests one after another until the deadline; the latency of each 200."""
    times = []
    while time.monotonic() < deadline:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                times.append(time.perf_counter() - started)
            else:
                raise SystemExit(f"{path} answered {response.status}")
        finally:
            connection.close()
    return times


def saturate(port: int, path: str, cookie: str, clients: int, seconds: float) -> dict:
    """`clients` threads for `seconds`; requests per second and the median latency."""
    deadline = time.monotonic() + seconds
    results: list[list[float]] = [[] for _ in range(clients)]
    failures: list[BaseException] = []

    def client(index: int) -> None:
        try:
            results[index] = answer_time(port, path, cookie, deadline)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise SystemExit(f"{path}: {failures[0]}")
    times = [t for result in results for t in result]
    return {
        "requests": len(times),
        "seconds": round(elapsed, 2),
        "req_per_s": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", choices=["large", "small", "xl"], default=os.environ.get("SIZE") or "large"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10, help="measured time per page")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured time per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    options = parser.parse_args()

    from bench.run import RESULTS, dashboard_url, database_url, ensure_postgresql

    url = database_url(options.size)
    ensure_postgresql(url)
    secret = secrets.token_urlsafe(48)
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    # This process signs people in with the server's settings (the same secret key).
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.synthetic import USERNAMES
    from loadtest.run import free_port, start_app, stop_app
    from meetings.models import Session, SessionStatus
    from org.models import OrgMembership

    users = get_user_model().objects
    cookies = {}
    for role in ("leader", "manager"):
        client = Client()
        try:
            client.force_login(users.get(username=USERNAMES[role]))
        except get_user_model().DoesNotExist:
            sys.exit("No benchmark organization in this database: run `make bench` first.")
        cookies[role] = f"sessionid={client.cookies['sessionid'].value}"
    manager = OrgMembership.objects.select_related("member").get(
        user__username=USERNAMES["manager"]
    )
    session = (
        Session.objects.for_org(manager.organization)
        .of_partnerships_with(manager.member)
        .filter(status=SessionStatus.HELD)
        .order_by("-quarter_start", "-starts_at")
        .first()
    )
    pages = [
        ("reference", "reference: 50 rows in the layout", "/bench/reference/", "leader"),
        ("diagram", "diagram, whole organization", "/diagram/", "leader"),
        ("health_cached", "health page, cached", "/health/", "leader"),
        ("dashboard", "leader's dashboard", dashboard_url(), "leader"),
        (
            "session",
            "a session's page with its log",
            f"/meetings/sessions/{session.pk}/",
            "manager",
        ),
    ]

    port = free_port()
    log = static_root / "gunicorn.log"
    print(
        f"gunicorn ({options.workers} sync workers, DEBUG=0) on 127.0.0.1:{port}; "
        f"{options.clients} clients, {options.warmup:g} s warm-up and {options.seconds:g} s "
        "per page ...",
        flush=True,
    )
    server = start_app(env, port, options.workers, log)
    measured = []
    load_before = os.getloadavg()[0]
    _key, _label, reference_path, _role = pages[0]
    references = []
    try:
        for key, label, path, role in pages:
            # The warm-up fills each worker's cache (the health report, the dashboard, ...).
            saturate(port, path, cookies[role], options.clients, options.warmup)
            # The reference right before each page: the machine's load cancels out.
            beside = saturate(
                port, reference_path, cookies["leader"], options.clients, options.seconds
            )
            references.append(beside["req_per_s"])
            figures = saturate(port, path, cookies[role], options.clients, options.seconds)
            figures["reference_req_per_s"] = beside["req_per_s"]
            print(
                f"  {label}: {figures['req_per_s']} req/s (the reference beside it: "
                f"{beside['req_per_s']})",
                flush=True,
            )
            measured.append({"key": key, "label": label, "path": path} | figures)
    finally:
        stop_app(server)
    for row in measured:
        beside = row["reference_req_per_s"]
        row["ratio"] = round(row["req_per_s"] / beside, 2) if beside else 0.0
        row["goal_met"] = None if row["key"] == "reference" else row["ratio"] >= GOAL
    report = {
        "size": options.size,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "workers": options.workers,
        "clients": options.clients,
        "seconds": options.seconds,
        "reference_req_per_s": references,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cores": os.cpu_count(),
        "pages": measured,
    }
    print()
    print(
        f"Throughput under gunicorn ({options.workers} sync workers, DEBUG=0, "
        f"{options.clients} concurrent clients, {options.seconds:g} s a page; "
        f"{os.cpu_count()} cores, load average {report['load_average'][0]:.1f} at the start, "
        f"{report['load_average'][1]:.1f} at the end; the reference "
        f"{min(references):.0f}–{max(references):.0f} req/s, measured beside each page)"
    )
    header = ["page", "req/s", "× ref", "p50 ms", "goal", "met"]
    rows = [
        [
            row["label"],
            f"{row['req_per_s']:.1f}",
            f"{row['ratio']:.2f}",
            f"{row['p50_ms']:.1f}" if row["p50_ms"] is not None else "",
            "" if row["key"] == "reference" else "≥ 1/3 reference",
            {True: "met", False: "NOT met", None: ""}[row["goal_met"]],
        ]
        for row in measured
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for index, row in enumerate([header, *rows]):
        cells = [
            c.rjust(widths[i]) if i in (1, 2, 3) else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        print("| " + " | ".join(cells) + " |")
        if index == 0:
            print(
                "|"
                + "|".join(
                    ("-" * (w + 1) + ":") if i in (1, 2, 3) else "-" * (w + 2)
                    for i, w in enumerate(widths)
                )
                + "|"
            )
    target = RESULTS[options.size].with_name(
        RESULTS[options.size].name.replace("results", "results-throughput")
    )
    target.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"Written to {target.relative_to(ROOT)}.")
    shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
