#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster in a temporary folder, on a free loopback
# port, owned by a non-root user (initdb refuses root; CI runs as root, so the
# cluster runs as the `postgres` system user, created when missing).
#
#   scripts/pg-cluster.sh run CMD ARGS...   start, run CMD with TM_TEST_PG_URL
#                                           and PG* exported, stop at exit
#   eval "$(scripts/pg-cluster.sh start)"   start; prints export lines
#   scripts/pg-cluster.sh stop DIR          stop the cluster in DIR, remove DIR
#
# The database `tm` is created; authentication is `trust` on 127.0.0.1 only
# (a throwaway cluster for tests and benchmarks, never a desk's database).
# Settings: fsync and synchronous_commit stay on (the fault tests need real
# durability); wal_level=minimal so the first COPY into a fresh table skips
# WAL, as it would on a desk's primary loaded before replicas are attached.
set -euo pipefail

BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

install_pg() {
  if [ ! -x "$BIN/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/pg_trgm.control ]; then
    echo "pg-cluster: installing postgresql and postgresql-contrib" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  fi
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

start() {
  install_pg
  if [ "$(id -u)" = 0 ]; then
    OWNER=postgres
    id "$OWNER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OWNER"
  else
    OWNER=$(id -un)
  fi
  local dir port
  dir=$(mktemp -d /tmp/tm-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown "$OWNER" "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_owner "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
maintenance_work_mem = 512MB
work_mem = 16MB
max_wal_size = 4GB
wal_level = minimal
max_wal_senders = 0
max_parallel_maintenance_workers = 2
CONF
  as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres tm
  echo "export TM_PG_CLUSTER='$dir'"
  echo "export TM_PG_OWNER='$OWNER'"
  echo "export TM_TEST_PG_URL='postgresql://postgres@127.0.0.1:$port/tm'"
  echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=tm"
}

stop() {
  local dir=$1 owner
  [ -d "$dir/data" ] || return 0
  owner=$(stat -c %U "$dir/data")
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$owner" -- "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  else
    "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?the cluster folder}" ;;
  run)
    shift
    eval "$(start)"
    trap 'stop "$TM_PG_CLUSTER"' EXIT
    echo "pg-cluster: PostgreSQL 15 at $TM_TEST_PG_URL ($TM_PG_CLUSTER, user $TM_PG_OWNER)" >&2
    "$@"
    ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
