# Throwaway PostgreSQL 15 clusters for the benchmarks (sourced by run-offline.sh; run-online.sh will reuse it).
#
# Both clusters get the same settings, and every tool runs against the same pair. As root, the servers run as the
# postgres OS user (PostgreSQL refuses to run as root); the tools connect over TCP with trust authentication.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# Settings shared by source and target. fsync stays on: a benchmark with fsync off flatters everyone and measures
# nothing a DBA would see. maintenance_work_mem and synchronous_commit stay at the server defaults (64MB, on): a tool
# that wants more sets it in its own sessions, which is part of what is measured.
BENCH_PG_SETTINGS=(
  "shared_buffers = '${BENCH_SHARED_BUFFERS:-1GB}'"
  "max_wal_size = '4GB'"
  "checkpoint_timeout = '30min'"
  "wal_level = 'logical'"
  "max_connections = 100"
  "fsync = on"
  "max_wal_senders = 10"
  "max_replication_slots = 10"
  "listen_addresses = '127.0.0.1'"
  "log_min_duration_statement = -1"
  "log_checkpoints = on"
  "log_autovacuum_min_duration = 0"
)

# Runs a command as the postgres OS user when we are root, as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A TCP port on 127.0.0.1 that nothing listens on (other engineers' test clusters share this machine).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# cluster_init NAME PORT: initdb under $BENCH_WORK/NAME with the shared settings.
cluster_init() {
  local name="$1" port="$2" dir="$BENCH_WORK/$1"
  mkdir -p "$dir/sock"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  {
    printf '%s\n' "${BENCH_PG_SETTINGS[@]}"
    echo "port = $port"
    echo "unix_socket_directories = '$dir/sock'"
  } | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
}

cluster_start() {
  local dir="$BENCH_WORK/$1"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 300 start >/dev/null \
    || { tail -n 30 "$dir/server.log" >&2; return 1; }
}

# Stops a cluster if it runs; fast shutdown first, immediate if that hangs.
cluster_stop() {
  local dir="$BENCH_WORK/$1"
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 \
    || as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
}

# psql_at PORT DB [psql args...]: quiet, stops on the first error, unaligned output.
psql_at() {
  local port="$1" db="$2"
  shift 2
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# cluster_cpu_ticks NAME: clock ticks of CPU used so far by the cluster: the postmaster, its living children, and
# (through the postmaster's cutime/cstime) every child it has reaped: backends, parallel workers, autovacuum.
cluster_cpu_ticks() {
  local pm
  pm=$(head -n 1 "$BENCH_WORK/$1/data/postmaster.pid")
  { echo "$pm"; ps -o pid= --ppid "$pm"; } | while read -r p; do cat "/proc/$p/stat" 2>/dev/null || true; done \
    | awk -v pm="$pm" '{ pid = $1; sub(/^.*\) /, ""); t += $12 + $13; if (pid == pm) t += $14 + $15 } END { print t + 0 }'
}

# cluster_wait_idle NAME: waits (at most 30 s) until no client backend of the cluster is left. A backend's CPU time
# reaches the postmaster's cutime only once it has exited and been reaped, a moment after its client disconnected;
# reading the ticks before that loses it.
cluster_wait_idle() {
  local pm
  pm=$(head -n 1 "$BENCH_WORK/$1/data/postmaster.pid")
  for _ in $(seq 1 300); do
    ps -o args= --ppid "$pm" | grep -q '127\.0\.0\.1(\|defunct' || return 0
    sleep 0.1
  done
}

# servers_cpu_ticks: "<source ticks> <target ticks>", once both servers' client backends are gone.
servers_cpu_ticks() {
  cluster_wait_idle source
  cluster_wait_idle target
  echo "$(cluster_cpu_ticks source) $(cluster_cpu_ticks target)"
}
