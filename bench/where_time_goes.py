"""Where one page's time goes, on the benchmark's database: its SQL queries with their times,
then the Python functions that cost the most (cProfile).

    .venv/bin/python bench/where_time_goes.py /diagram/                   # as the leader
    .venv/bin/python bench/where_time_goes.py /meetings/ --as manager --top 40
    .venv/bin/python bench/where_time_goes.py /health/ --cold             # cache cleared first
    .venv/bin/python bench/where_time_goes.py /bench/reference/           # the reference page

Needs the database `make bench` built (BENCH_DATABASE_URL, or the default of bench/run.py);
run `make bench` once first (`--size small` or `--size xl` for the others). Nothing is
written. A database just built by `bench/run.py --build-only` has no statistics yet:
PostgreSQL then plans as if the tables were empty (a member's own relationships took 90 ms
instead of 0.7 ms at 100,000 members). `bench/run.py` runs `VACUUM ANALYZE` before timing;
before profiling a fresh one, run it too (`psql ... -c "VACUUM ANALYZE"`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the page, e.g. /diagram/ or /diagram/?objective=3")
    parser.add_argument("--as", dest="role", choices=["leader", "manager"], default="leader")
    parser.add_argument("--size", choices=["large", "small", "xl"], default="large")
    parser.add_argument("--htmx", action="store_true", help="send HX-Request (a fragment)")
    parser.add_argument("--cold", action="store_true", help="clear the cache before each request")
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests")
    options = parser.parse_args()

    from bench.run import database_url, setup_django

    os.environ["DATABASE_URL"] = database_url(options.size)
    setup_django()  # as bench/run.py: its URLconf too, so /bench/reference/ answers

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.synthetic import USERNAMES

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAMES[options.role]))
    headers = {"HTTP_HX_REQUEST": "true"} if options.htmx else {}

    def request():
        if options.cold:
            cache.clear()
        response = client.get(options.path, **headers)
        if response.status_code != 200:
            sys.exit(f"{options.path} answered {response.status_code}")
        return response

    for _ in range(2):
        request()
    times = []
    for _ in range(options.repeat):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{options.path}: median {statistics.median(times):.1f} ms of {options.repeat}")

    with CaptureQueriesContext(connection) as captured:
        request()
    print(f"\n{len(captured)} queries:")
    for query in captured:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(options.repeat):
        request()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(options.top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(options.top)
    print(out.getvalue())
    out = io.StringIO()  # the project's own functions and templates alone
    own = rf"^{ROOT}/(?!\.venv)"
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(own, options.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
