#!/usr/bin/env bash
# make loadtest-citus: the load test on a throwaway Citus cluster (scripts/citus/cluster.sh),
# the organization's shard group moved to the other worker midway (loadtest/run.py --citus).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
PORT="${CITUS_PORT:-9700}"

bash scripts/citus/install.sh
DIR="$(mktemp -d /tmp/citus-load.XXXXXX)"
trap 'bash scripts/citus/cluster.sh stop "$DIR"' EXIT
bash scripts/citus/cluster.sh start "$DIR" partnership_map_load
LOADTEST_CITUS_DATABASE_URL="citus://postgres@127.0.0.1:$PORT/partnership_map_load" \
  "$PYTHON" loadtest/run.py --citus --size small "$@"
