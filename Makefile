# Partnership Map: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run test citus-test loadtest-citus lint format migrate demo browser-deps bench loadtest clean

help:
	@echo "make run    serve the demo organization at http://$(HOST):$(PORT)/ (SQLite under var/)"
	@echo "make test   run the whole suite, browser tests included"
	@echo "make citus-test  the suite on a throwaway Citus cluster (builds Citus when missing), less the"
	@echo "                 header, CSRF, anonymous and hostile-input walks of tests/trust, the 10,000-member"
	@echo "                 variants and the live-server sign-on (CITUS_TESTS=all: every non-browser test)"
	@echo "make lint   ruff, and import-linter's layer contracts (.importlinter)      make format   fix what ruff can"
	@echo "make bench  time the pages at 10,000 members against a bare page (SIZE=small: 300, SIZE=xl: 100,000)"
	@echo "make demo   load the demo organization into an empty database and print its logins"
	@echo "make loadtest  gunicorn under load on PostgreSQL, restarted midway; no acknowledged write may be lost"
	@echo "make loadtest-citus  the same on a throwaway Citus cluster, the organization's shards moved midway"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --if-empty

run: demo
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl-C to stop); log in with one of the logins above."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# make citus-test [CITUS_TESTS=ci|all|PATHS]: build and install the Citus extension from
# ../shared/vendor when missing, start a coordinator and two workers on 127.0.0.1:9700-9702
# (CITUS_PORT) under a temporary directory, migrate there, run the tests (ci, the default:
# the suite without the browser tests less what scripts/citus/test.sh lists; all: every
# non-browser test), stop the cluster.
CITUS_TESTS ?= ci
citus-test: $(STAMP)
	PYTHON=$(BIN)/python CITUS_TESTS="$(CITUS_TESTS)" bash scripts/citus/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The browser tests drive Debian's Chromium; install it when it is missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium for the browser tests (apt-get)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# make bench [SIZE=small]: bench/run.py times the pages against a reference page of the site
# and a bare Django page on a cached PostgreSQL organization (10,000 members, 300 with
# SIZE=small, 100,000 with SIZE=xl) and writes bench/results*.json; bench/throughput.py then measures requests per
# second under gunicorn (2 sync workers) against the reference; then each bench/bench_*.py
# script times one heavy path on its own.
SIZE ?= large
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/partnership_map_bench
bench: $(STAMP)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py --size $(SIZE) $(BENCH_ARGS)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/throughput.py --size $(SIZE) $(THROUGHPUT_ARGS)
	@for script in bench/bench_*.py; do \
		echo "== $$script"; DATABASE_URL=$(BENCH_DATABASE_URL) \
		$(BIN)/python $$script --size $(SIZE) || exit 1; done

# make loadtest [LOADTEST_ARGS=--no-restart]: gunicorn on 127.0.0.1 against the large synthetic
# organization (its own cached PostgreSQL database), leaders browsing and managers logging
# sessions, PostgreSQL restarted midway; figures per phase, then every acknowledged write is
# looked up in the database. About three minutes.
LOADTEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/partnership_map_load
loadtest: $(STAMP)
	LOADTEST_DATABASE_URL=$(LOADTEST_DATABASE_URL) $(BIN)/python loadtest/run.py $(LOADTEST_ARGS)

# make loadtest-citus: the same load on a throwaway Citus cluster (the small organization);
# midway the organization's shard group moves to the other worker (citus_move_shard_placement).
loadtest-citus: $(STAMP)
	PYTHON=$(BIN)/python bash scripts/citus/loadtest.sh $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles
