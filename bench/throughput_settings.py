"""Settings for the benchmark's gunicorn (bench/throughput.py): the product's own, plus the
benchmark's URLconf and templates so that the reference page answers. Never used by the
product."""

from partnerships.settings import *  # noqa: F403
from partnerships.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
