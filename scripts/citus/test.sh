#!/usr/bin/env bash
# make citus-test: the suite (browser tests left out) against a throwaway Citus cluster.
# Installs the extension when missing (scripts/citus/install.sh), starts a coordinator and two
# workers under a fresh temporary directory (scripts/citus/cluster.sh), migrates the project
# on the coordinator (which distributes the tables: partnerships/citus.py), runs pytest on a
# test database made beforehand with the citus extension and the workers registered
# (--reuse-db: pytest-django migrates it instead of creating it), and always stops the cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
PORT="${CITUS_PORT:-9700}"

bash scripts/citus/install.sh
DIR="$(mktemp -d /tmp/citus-test.XXXXXX)"
trap 'bash scripts/citus/cluster.sh stop "$DIR"' EXIT
bash scripts/citus/cluster.sh start "$DIR" partnership_map test_partnership_map

export DATABASE_URL="citus://postgres@127.0.0.1:$PORT/partnership_map"
echo "== migrate on the Citus coordinator"
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py citus_distribute
echo "== the suite on Citus (browser tests left out)"
# shellcheck disable=SC2086
"$PYTHON" -m pytest -m "not browser" --reuse-db ${PYTEST_ARGS:-}
