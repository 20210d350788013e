"""A load and fault exercise: the app under gunicorn on PostgreSQL, with PostgreSQL restarted
in the middle of the load.

    make loadtest                                  # about three minutes, restart included
    .venv/bin/python loadtest/run.py --no-restart  # the load alone
    .venv/bin/python loadtest/run.py --before 20 --after 20 --leaders 4 --managers 6

Builds (once, cached) the large synthetic organization of bench/synthetic.py in a PostgreSQL
database of its own (LOADTEST_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/partnership_map_load) with logins for several leaders and
managers, collects the static files into a temporary folder and starts gunicorn on
127.0.0.1 with production settings (DEBUG off). Leaders browse the diagram, the health page
and the employees panel; managers open their sessions and add feedback and successes, each
with a unique marker text. After --before seconds PostgreSQL is restarted (pg_ctlcluster);
the "during" phase lasts --during seconds from the start of the restart, then the load goes
on for --after seconds. The report gives, per phase, requests per second, p50/p95/p99
latency and the answers that were not successes. Each write carries a one-time key (as the
app's forms do) and is retried with the same key when it was answered 503 or not at all
(loadtest/traffic.py); then every write the app acknowledged is looked up in the database,
and the last line says how many are missing, how many are stored twice and how many were
refused with 403 (all three must be 0: managers write only to sessions they may log).
Traffic only goes to the loopback address; every loop stops by itself.

With --citus (make loadtest-citus) the app runs on a Citus coordinator instead
(LOADTEST_CITUS_DATABASE_URL, default citus://postgres@127.0.0.1:9700/partnership_map_load,
an empty database that scripts/citus/cluster.sh made), the small organization is built there,
and midway, instead of a restart, the organization's shard group is moved to the other worker
with citus_move_shard_placement while the load goes on.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/partnership_map_load"
DEFAULT_CITUS_URL = "citus://postgres@127.0.0.1:9700/partnership_map_load"
BIN = Path(sys.executable).parent


# --- PostgreSQL -----------------------------------------------------------------------------


def cluster_version() -> str:
    versions = os.listdir("/etc/postgresql")
    return sorted(versions, key=lambda v: [int(x) for x in v.split(".")])[-1]


def restart_postgresql(mode: str) -> float:
    """Restart the local cluster and return how long the command took. The fast mode ends
    the open transactions and shuts down cleanly; immediate stops like a crash, and the
    start then replays the write-ahead log."""
    started = time.monotonic()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode", mode]
    command += [cluster_version(), "main", "restart"]
    subprocess.run(command, check=True, timeout=120, capture_output=True)
    return time.monotonic() - started


def move_shard_group(organization_id: int) -> tuple[float, str]:
    """Move the shard group holding the organization's rows (every co-located table's shard)
    to the other worker, writes going on; returns how long it took and what moved where."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shardid, nodename, nodeport FROM citus_shards "
            "WHERE shardid = get_shard_id_for_distribution_column('org_member', %s)",
            [organization_id],
        )
        shard, host, port = cursor.fetchone()
        cursor.execute(
            "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 "
            "AND noderole = 'primary' AND (nodename, nodeport) <> (%s, %s) ORDER BY nodeport",
            [host, port],
        )
        target_host, target_port = cursor.fetchone()
        started = time.monotonic()
        cursor.execute(
            "SELECT citus_move_shard_placement(%s, %s, %s, %s, %s)",
            [shard, host, port, target_host, target_port],
        )
        took = time.monotonic() - started
        cursor.execute("SELECT nodeport FROM citus_shards WHERE shardid = %s", [shard])
        (now_on,) = cursor.fetchone()
    return took, f"shard group of shard {shard} from :{port} to :{target_port} (now on :{now_on})"


def wait_for_postgresql(host: str, port: str, limit: float = 60) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        ready = ["pg_isready", "-h", host, "-p", port, "-q"]
        if subprocess.run(ready, check=False).returncode == 0:
            return True
        time.sleep(0.2)
    return False


# --- the app under gunicorn -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_environment(database_url: str, static_root: Path) -> dict[str, str]:
    """Production-like settings, plain HTTP on the loopback address; the cache is each
    worker's memory unless LOADTEST_REDIS_URL names a Redis."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if os.environ.get("LOADTEST_REDIS_URL", "").strip():
        env["REDIS_URL"] = os.environ["LOADTEST_REDIS_URL"].strip()
    return env | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }


def start_app(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = [str(BIN / "gunicorn"), "partnerships.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5"]
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start; its log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop_app(server)
    sys.exit(f"gunicorn did not answer /healthz within a minute; its log:\n{log.read_text()}")


def stop_app(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


# --- the figures ----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of the values (0 < share <= 1)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def phase_rows(records, phases: list[tuple[str, float, float]]) -> list[dict]:
    rows = []
    for name, start, end in phases:
        chosen = [r for r in records if start <= r.ended < end]
        seconds = [r.seconds * 1000 for r in chosen]
        failures = Counter(r.outcome for r in chosen if not r.ok)
        rows.append(
            {
                "phase": name,
                "seconds": end - start,
                "requests": len(chosen),
                "ok": sum(r.ok for r in chosen),
                "rps": len(chosen) / (end - start) if end > start else 0.0,
                "p50": percentile(seconds, 0.50) if seconds else 0.0,
                "p95": percentile(seconds, 0.95) if seconds else 0.0,
                "p99": percentile(seconds, 0.99) if seconds else 0.0,
                "errors": sum(failures.values()),
                "by_outcome": failures,
            }
        )
    return rows


def print_phases(rows: list[dict]) -> None:
    header = f"{'phase':<8} {'secs':>5} {'requests':>8} {'req/s':>6} {'ok':>6} "
    header += f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}  errors by answer"
    print(header)
    for row in rows:
        outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(row["by_outcome"].items())) or "-"
        print(
            f"{row['phase']:<8} {row['seconds']:>5.0f} {row['requests']:>8} {row['rps']:>6.1f} "
            f"{row['ok']:>6} "
            f"{row['p50']:>7.0f} {row['p95']:>7.0f} {row['p99']:>7.0f} {row['errors']:>6}  "
            f"{outcomes}"
        )


def print_pages(records) -> None:
    """Median and p95 per page over the whole run, successes only."""
    by_page: dict[str, list[float]] = {}
    for record in records:
        if record.ok:
            by_page.setdefault(f"{record.role}: {record.page}", []).append(record.seconds * 1000)
    print(f"{'page (successful answers)':<36} {'count':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for page, values in sorted(by_page.items()):
        print(
            f"{page:<36} {len(values):>6} {statistics.median(values):>7.0f} "
            f"{percentile(values, 0.95):>7.0f}"
        )


def logged_errors(log: str) -> list[tuple[str, str, str]]:
    """Each error response Django logged: (reason, final exception class, the record), the
    final exception being the last of its chain (the one the request failed with)."""
    errors = []
    for record in re.split(r"^(?=\S.*: /)", log, flags=re.M):  # "<reason>: <path>" starts one
        answer = LOGGED_ANSWER.match(record)
        if answer:
            raised = EXCEPTION_LINE.findall(record)
            errors.append((answer.group(1), raised[-1] if raised else "", record.rstrip()))
    return errors


def server_log_summary(log: str, workers: int) -> list[str]:
    """What the server logged: the error answers, by reason and by the exception the request
    failed with, and the workers gunicorn had to replace."""
    errors = Counter((reason, raised) for reason, raised, _ in logged_errors(log))
    lines = [
        f"{count} × {reason} ({raised or 'the view answered so, no exception'})"
        for (reason, raised), count in errors.most_common()
    ]
    timeouts = log.count("WORKER TIMEOUT")
    replaced = log.count("Booting worker") - workers
    if timeouts or replaced > 0:
        lines.append(f"{timeouts} worker timeouts, {max(0, replaced)} workers replaced")
    return lines


DATABASE_AWAY = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")


def unexpected_tracebacks(log: str) -> list[str]:
    """The last lines of the first logged error of each kind that is not the database being
    away."""
    shown, traces = set(), []
    for _reason, raised, record in logged_errors(log):
        if raised and raised not in DATABASE_AWAY and raised not in shown:
            shown.add(raised)
            traces.append("\n".join(record.splitlines()[-25:]))
    return traces


LOGGED_ANSWER = re.compile(r"(Internal Server Error|Service Unavailable|Bad Request): /")
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)):", re.M)


def outage(answers: list[tuple[float, bool]], since: float) -> tuple[float, float] | None:
    """When /healthz first failed after ``since`` and when it answered ok again, in seconds
    from ``since``; None when it never failed."""
    failed = next((t for t, ok in answers if t >= since and not ok), None)
    if failed is None:
        return None
    back = next((t for t, ok in answers if t > failed and ok), None)
    return failed - since, (back - since) if back is not None else float("nan")


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs{memory}, load average {load}"


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=float, default=15, help="seconds of load to warm up")
    parser.add_argument("--before", type=float, default=60, help="seconds of load before")
    parser.add_argument("--during", type=float, default=15, help="seconds from the restart on")
    parser.add_argument("--after", type=float, default=60, help="seconds of load after")
    parser.add_argument("--no-restart", action="store_true", help="leave PostgreSQL running")
    parser.add_argument(
        "--citus",
        action="store_true",
        help="on a Citus coordinator; midway, move the organization's shard group (small size)",
    )
    parser.add_argument(
        "--stop-mode",
        choices=["fast", "immediate"],
        default="fast",
        help="how PostgreSQL stops: fast (a clean restart) or immediate (like a crash)",
    )
    parser.add_argument("--leaders", type=int, default=4, help="leaders browsing")
    parser.add_argument("--managers", type=int, default=8, help="managers logging sessions")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause, seconds")
    parser.add_argument("--size", choices=["large", "small"], default="large")
    parser.add_argument("--server-log", type=Path, help="keep gunicorn's log in this file")
    parser.add_argument("--rebuild", action="store_true", help="build the organization again")
    options = parser.parse_args()
    if not 0 < options.leaders + options.managers <= 40:
        parser.error("between 1 and 40 virtual users in all")
    if min(options.before, options.during, options.after) <= 0 or options.warmup < 0:
        parser.error("every phase needs some seconds")

    from bench.run import ensure_postgresql

    if options.citus:
        url = os.environ.get("LOADTEST_CITUS_DATABASE_URL", "").strip() or DEFAULT_CITUS_URL
    else:
        url = os.environ.get("LOADTEST_DATABASE_URL", "").strip() or DEFAULT_URL
        if options.size != "large":
            url += f"_{options.size}"
        ensure_postgresql(url)
    os.environ["DATABASE_URL"] = url

    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if options.citus and db["ENGINE"] != "partnerships.citus_backend":
        sys.exit("--citus needs LOADTEST_CITUS_DATABASE_URL=citus://... (a Citus coordinator)")
    if not options.citus and db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The load test runs on PostgreSQL: LOADTEST_DATABASE_URL must be postgres://...")
    local = db["HOST"] in ("127.0.0.1", "localhost") and shutil.which("pg_ctlcluster")
    if not local and not options.no_restart and not options.citus:
        sys.exit("Restarting PostgreSQL needs the local cluster; use --no-restart otherwise.")

    from loadtest.organization import MARKER_PREFIX, SLUG, prepare, stored_markers
    from loadtest.traffic import HealthWatch, Journal, VirtualUser

    started_at = time.monotonic()
    logins = prepare(
        size=options.size,
        leaders=options.leaders,
        managers=options.managers,
        rebuild=options.rebuild,
        cached=not options.citus,
    )
    leaders = sum(login.role == "leader" for login in logins)
    print(f"{leaders} leaders and {len(logins) - leaders} managers; {machine()}.")

    run_prefix = f"{MARKER_PREFIX}{secrets.token_hex(4)} "
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="loadtest-") as temp:
        log = Path(temp) / "gunicorn.log"
        env = app_environment(url, Path(temp) / "static")
        server = start_app(env, port, options.workers, log)
        cache = "Redis" if "REDIS_URL" in env else "each worker's memory"
        print(f"gunicorn ({options.workers} workers) on http://127.0.0.1:{port}/; cache: {cache}")
        stop = threading.Event()
        journal = Journal()
        users = [
            VirtualUser(
                login,
                port=port,
                journal=journal,
                stop=stop,
                run_prefix=run_prefix,
                think=options.think,
                seed=number,
            )
            for number, login in enumerate(logins)
        ]
        watch = HealthWatch(port=port, stop=stop)
        try:
            warmup_started = time.monotonic()
            for user in [*users, watch]:
                user.start()
            print(f"Signing in and warming up for {options.warmup:.0f} s ...", flush=True)
            time.sleep(options.warmup)
            load_started = time.monotonic()
            print(f"Load for {options.before:.0f} s ...", flush=True)
            time.sleep(options.before)
            restart_at = time.monotonic()
            restart_seconds = None
            if options.citus and not options.no_restart:
                from org.models import Organization

                print("Moving the organization's shard group to the other worker ...", flush=True)
                organization = Organization.objects.get(slug=SLUG)
                restart_seconds, moved = move_shard_group(organization.pk)
                print(f"Moved the {moved} in {restart_seconds:.1f} s.", flush=True)
            elif not options.no_restart:
                print(f"Restarting PostgreSQL ({options.stop_mode} stop) ...", flush=True)
                restart_seconds = restart_postgresql(options.stop_mode)
                wait_for_postgresql(db["HOST"], str(db["PORT"] or 5432))
                print(f"PostgreSQL restarted in {restart_seconds:.1f} s.", flush=True)
            time.sleep(max(0.0, restart_at + options.during - time.monotonic()))
            after_at = time.monotonic()
            print(f"Load for {options.after:.0f} s more ...", flush=True)
            time.sleep(options.after)
            load_ended = time.monotonic()
        finally:
            stop.set()
            for user in [*users, watch]:
                user.join(timeout=40)
            stop_app(server)
        server_log = log.read_text(errors="replace")
        if options.server_log:
            shutil.copyfile(log, options.server_log)

    records, writes = journal.records, journal.writes
    print()
    if options.no_restart:
        print("No restart (--no-restart): the phases are plain windows of time.")
    print(
        f"Phases: before the restart, during it (the {options.during:.0f} s from its start), "
        "after it; a request counts in the phase its answer (or failure) came in. Latency "
        "over every request, answered or failed."
    )
    print_phases(
        phase_rows(
            records,
            [
                ("warm-up", warmup_started, load_started),
                ("before", load_started, restart_at),
                ("during", restart_at, after_at),
                ("after", after_at, load_ended),
            ],
        )
    )
    print()
    print_pages(records)
    print()
    if restart_seconds is not None:
        what = "citus_move_shard_placement" if options.citus else "pg_ctlcluster restart"
        print(f"{what} took {restart_seconds:.1f} s.")
        seen = outage(watch.answers, restart_at)
        if seen is None:
            print("/healthz never failed during the restart.")
        else:
            print(
                f"/healthz failed from {seen[0]:.1f} s after the restart began and answered ok "
                f"again at {seen[1]:.1f} s."
            )
        errors = [r.ended - restart_at for r in records if not r.ok and r.ended >= restart_at]
        if errors:
            print(
                f"Failed requests answered from {min(errors):.1f} s to {max(errors):.1f} s "
                "after the restart began."
            )
    summary = server_log_summary(server_log, options.workers)
    if summary:
        print("The server's log: " + "; ".join(summary) + ".")
    for trace in unexpected_tracebacks(server_log):
        print("An exception other than the database being away, as the server logged it:")
        print(trace)

    stored = stored_markers(run_prefix)
    in_database = {text for texts in stored.values() for text in texts}
    acknowledged = [w for w in writes if w.acknowledged]
    lost = [w for w in acknowledged if w.marker not in in_database]
    unacknowledged = [w for w in writes if not w.acknowledged]
    landed_anyway = sum(w.marker in in_database for w in unacknowledged)
    duplicated = sum(len(texts) - len(set(texts)) for texts in stored.values())
    print(
        f"Writes: {len(writes)} sent, {len(acknowledged)} acknowledged, "
        f"{len(unacknowledged)} not acknowledged ({landed_anyway} of those stored anyway); "
        f"{sum(len(t) for t in stored.values())} entries of this run in the database, "
        f"{duplicated} duplicated."
    )
    if unacknowledged:
        answers = Counter(w.outcome for w in unacknowledged)
        print("Not acknowledged: " + ", ".join(f"{k}: {v}" for k, v in sorted(answers.items())))
    for write in lost[:10]:
        print(f"  lost: {write.marker!r} (session {write.session}, {write.kind})")
    print(f"Total time {time.monotonic() - started_at:.0f} s; {machine()}.")
    retried = [w for w in writes if w.retries]
    print(
        f"Retried after a 503 or no answer: {len(retried)} writes, "
        f"{sum(w.retries for w in retried)} retries, each with its one-time key."
    )
    # Every manager writes only to sessions they may log (loadtest/organization.py): a 403 is
    # the app refusing what it should allow.
    refused = sum(w.outcome == "403" for w in writes)
    print(f"{len(lost)} acknowledged writes lost, {duplicated} duplicates, {refused} refused (403)")
    if lost or duplicated or refused or not acknowledged:
        sys.exit(1)


if __name__ == "__main__":
    main()
