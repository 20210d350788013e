#!/usr/bin/env bash
# make citus-test: the suite (browser tests left out) against a throwaway Citus cluster.
# Installs the extension when missing (scripts/citus/install.sh), starts a coordinator and two
# workers under a fresh temporary directory (scripts/citus/cluster.sh), migrates the project
# on the coordinator (which distributes the tables: partnerships/citus.py), runs pytest on a
# test database made beforehand with the citus extension and the workers registered
# (--reuse-db: pytest-django migrates it instead of creating it), and always stops the cluster.
#
# CITUS_TESTS chooses the tests: "ci" (the default) is every non-browser test but the three
# groups below, which fits CI's budget; "all" is every non-browser test; anything else is
# handed to pytest as it is (paths, -k ...). PYTEST_ARGS adds options either way.
# Left out of "ci", and why (README, "When one database is not enough"):
#   - tests/trust/test_content_security.py: the security headers of every route; nothing in
#     them depends on the database, and test_isolation opens every route as every role too;
#   - test_isolation's CSRF and anonymous-visitor walks: refused before any query is made;
#   - test_hostile_input's walks of every form and every page's query string (9 minutes on
#     Citus: each example rolls back a savepoint, which Citus sends to every node): what they
#     store is checked by the same PostgreSQL on the workers as in make test; the hostile
#     import and login still run;
#   - the 10,000-member variants of the query-count tests (-k "not 10000"): the same SQL as
#     their 10-member twins, which run; building 10,000 members is what takes the time;
#   - tests/access/test_single_sign_on.py: a live server and a mock identity provider; the
#     queries it makes are those of test_single_sign_on_rules.py, which runs.
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
case "${CITUS_TESTS:-ci}" in
  ci)
    SELECTION=(tests
      --ignore=tests/trust/test_content_security.py
      --ignore=tests/access/test_single_sign_on.py
      --deselect=tests/trust/test_isolation.py::test_a_post_without_a_csrf_token_is_refused_and_changes_nothing
      --deselect=tests/trust/test_isolation.py::test_an_anonymous_visitor_is_sent_to_log_in
      --deselect=tests/trust/test_hostile_input.py::test_every_form_survives_traps_and_hostile_input
      --deselect=tests/trust/test_hostile_input.py::test_every_page_survives_traps_and_hostile_query_strings
      -k "not 10000")
    ;;
  all) SELECTION=(tests) ;;
  *) read -r -a SELECTION <<<"$CITUS_TESTS" ;;
esac
# shellcheck disable=SC2086
"$PYTHON" -m pytest -m "not browser" --reuse-db "${SELECTION[@]}" ${PYTEST_ARGS:-}
