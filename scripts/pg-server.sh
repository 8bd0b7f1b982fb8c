#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the `pg` tests.
#
#   scripts/pg-server.sh start     install (apt) if missing, initdb into a temp dir, start on a
#                                  free port, print the env exports (eval "$(... start)")
#   scripts/pg-server.sh env       print the env exports of the running cluster
#   scripts/pg-server.sh restart   pg_ctl restart -m fast, same port (tests: "server restarted")
#   scripts/pg-server.sh stop      pg_ctl stop -m immediate (then by pid), delete the data dir
#
# Everything lives in $RUNLAKE_PG_DIR (default /tmp/runlake-pg-$UID): the data dir, the
# Unix socket and the log. Nothing listens outside loopback; fsync is off (the data is
# thrown away on stop). Run as root, the server runs as the `postgres` user (initdb refuses
# root). The superuser `postgres` has a fixed test password (loopback only, deleted on stop).
set -euo pipefail

DIR="${RUNLAKE_PG_DIR:-/tmp/runlake-pg-${UID:-$(id -u)}}"
DATA="$DIR/data"
PASSWORD="runlake-test-pw"

log() { echo "pg-server: $*" >&2; }

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

install_if_missing() {
  bindir >/dev/null && return
  log "installing postgresql (apt, --no-install-recommends)"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    postgresql >/dev/null
}

# Runs a server binary as the owner of the data dir: postgres when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p="${RUNLAKE_PG_PORT:-}"
  if [ -n "$p" ]; then echo "$p"; return; fi
  for p in $(seq 55432 55532); do
    port_in_use "$p" || { echo "$p"; return; }
  done
  log "no free port in 55432..55532"
  return 1
}

print_env() {
  local port
  port="$(cat "$DIR/port")"
  cat <<EOF
export RUNLAKE_PG_DIR=$DIR
export RUNLAKE_TEST_PG=postgres://postgres:$PASSWORD@127.0.0.1:$port/postgres
EOF
}

running() {
  [ -f "$DIR/port" ] && [ -d "$DATA" ] &&
    as_owner "$(bindir)/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  install_if_missing
  if running; then
    log "already running in $DIR"
    print_env
    return
  fi
  if [ -e "$DIR" ]; then
    log "a previous cluster in $DIR is half alive or left over: stopping it first"
    stop
  fi
  local t0=$SECONDS bin port
  bin="$(bindir)"
  port="$(free_port)"
  mkdir -p "$DIR/sock"
  echo "$port" >"$DIR/port"
  printf '%s\n' "$PASSWORD" >"$DIR/pwfile"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$DIR"
  as_owner "$bin/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 --pwfile="$DIR/pwfile" >"$DIR/initdb.log" 2>&1 ||
    { log "initdb failed:"; cat "$DIR/initdb.log" >&2; return 1; }
  rm -f "$DIR/pwfile"
  as_owner "$bin/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR/sock -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null ||
    { log "pg_ctl start failed:"; tail -20 "$DIR/server.log" >&2; return 1; }
  head -1 "$DATA/postmaster.pid" >"$DIR/postmaster.pid.copy"
  log "started on 127.0.0.1:$port in $((SECONDS - t0)) s (data dir $DATA)"
  print_env
}

restart() {
  running || { log "not running"; return 1; }
  as_owner "$(bindir)/pg_ctl" -D "$DATA" -m fast -w -t 60 restart >/dev/null
  head -1 "$DATA/postmaster.pid" >"$DIR/postmaster.pid.copy"
  log "restarted"
}

stop() {
  local bin pid
  bin="$(bindir || true)"
  if [ -n "$bin" ] && [ -f "$DATA/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  # An interrupted start or a wedged server: kill the postmaster by its recorded pid (its
  # children exit when it is gone), and wait until the pid is free.
  for f in "$DATA/postmaster.pid" "$DIR/postmaster.pid.copy"; do
    [ -f "$f" ] || continue
    pid="$(head -1 "$f")"
    [ -n "$pid" ] && is_our_postmaster "$pid" || continue
    kill -s KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  done
  rm -rf "$DIR"
  log "stopped"
}

# A recorded pid may have been reused since: only a postgres process on our data dir counts.
is_our_postmaster() {
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$DATA"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  env) running && print_env ;;
  *) echo "usage: $0 start|stop|restart|env" >&2; exit 2 ;;
esac
