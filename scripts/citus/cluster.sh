#!/usr/bin/env bash
# A throwaway Citus cluster on 127.0.0.1: a coordinator and two workers, each a PostgreSQL 15
# server run as the postgres user, their data folders under one temporary directory.
#   cluster.sh start DIR [DB...]  initdb + start the three servers, create each DB with the
#                                 citus extension on every node and register the workers
#   cluster.sh createdb DIR DB    one more database, set up the same way
#   cluster.sh stop DIR           stop the three servers and remove DIR
# Ports: CITUS_PORT (coordinator, default 9700) and the next two for the workers.
set -euo pipefail
PGBIN="${PGBIN:-$(pg_config --bindir)}"
COORDINATOR="${CITUS_PORT:-9700}"
PORTS=("$COORDINATOR" "$((COORDINATOR + 1))" "$((COORDINATOR + 2))")
# Few shards keep DDL and TRUNCATE quick in tests; each organization still lives on one node.
SHARDS="${CITUS_SHARD_COUNT:-4}"

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

psql_on() { # port db sql
  as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

createdb_everywhere() { # db
  local db="$1" port
  for port in "${PORTS[@]}"; do
    as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    psql_on "$port" "$db" "CREATE EXTENSION citus"
  done
  psql_on "$COORDINATOR" "$db" "SELECT citus_set_coordinator_host('127.0.0.1', $COORDINATOR)" >/dev/null
  psql_on "$COORDINATOR" "$db" "SELECT citus_add_node('127.0.0.1', ${PORTS[1]})" >/dev/null
  psql_on "$COORDINATOR" "$db" "SELECT citus_add_node('127.0.0.1', ${PORTS[2]})" >/dev/null
}

start() {
  local dir="$1" port
  shift
  mkdir -p "$dir"
  chown postgres "$dir"
  for port in "${PORTS[@]}"; do
    if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then
      echo "citus: port $port is already taken; stop what runs there (or set CITUS_PORT)" >&2
      return 1
    fi
  done
  for port in "${PORTS[@]}"; do
    as_postgres "$PGBIN/initdb" -D "$dir/$port" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb-$port.log"
    cat >>"$dir/$port/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus'
max_connections = 300
max_prepared_transactions = 300
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
# A test cluster: losing it in a power cut costs nothing.
fsync = off
full_page_writes = off
synchronous_commit = off
citus.shard_count = $SHARDS
citus.enable_unsafe_triggers = on
CONF
    if [ "$port" = "$COORDINATOR" ]; then
      # The coordinator holds a copy of the reference tables; reaching it through a connection
      # like any node's avoids Citus's "cannot switch local execution status" within a
      # transaction that then needs the workers. (Workers keep local execution: the triggers
      # on their shards run only local queries.)
      echo "citus.enable_local_execution = off" >>"$dir/$port/postgresql.conf"
    fi
    as_postgres "$PGBIN/pg_ctl" -D "$dir/$port" -l "$dir/server-$port.log" -w -t 60 start >/dev/null
  done
  for port in "${PORTS[@]}"; do
    for _ in $(seq 1 60); do
      "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
      sleep 0.5
    done
    "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port"
  done
  for db in "$@"; do createdb_everywhere "$db"; done
  echo "citus: coordinator 127.0.0.1:$COORDINATOR, workers :${PORTS[1]} and :${PORTS[2]} (data in $dir)"
}

stop() {
  local dir="$1" port
  for port in "${PORTS[@]}"; do
    if [ -f "$dir/$port/postmaster.pid" ]; then
      as_postgres "$PGBIN/pg_ctl" -D "$dir/$port" -m fast -w -t 60 stop >/dev/null || true
    fi
  done
  for port in "${PORTS[@]}"; do
    for _ in $(seq 1 60); do
      [ -f "$dir/$port/postmaster.pid" ] || break
      sleep 0.5
    done
  done
  case "$dir" in /tmp/*) rm -rf "$dir" 2>/dev/null || { sleep 2; rm -rf "$dir"; } ;; esac
}

case "${1:-}" in
  start) shift; start "$@" ;;
  createdb) createdb_everywhere "$3" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start DIR [DB...] | createdb DIR DB | stop DIR" >&2; exit 2 ;;
esac
