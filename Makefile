# Partnership Map: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run test lint format migrate demo browser-deps bench clean

help:
	@echo "make run    serve the demo organization at http://$(HOST):$(PORT)/ (SQLite under var/)"
	@echo "make test   run the whole suite, browser tests included"
	@echo "make lint   ruff check and format check      make format   fix what ruff can"
	@echo "make bench  time the heavy paths on large generated organizations"
	@echo "make demo   load the demo organization into an empty database and print its logins"

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The browser tests drive Debian's Chromium; install it when it is missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium for the browser tests (apt-get)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Each bench/bench_*.py is a script that times one heavy path and prints what it measured.
bench: $(STAMP)
	@ls bench/bench_*.py >/dev/null 2>&1 || { echo "No benchmarks in bench/ yet."; exit 1; }
	@for script in bench/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script $(BENCH_ARGS) || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles
