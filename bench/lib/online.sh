# Measurement helpers of the online benchmark (sourced by run-online.sh after lib/clusters.sh).
#
# Every tool replicates database benchdb from SRC_PORT to TGT_PORT. Progress is observed the same way for all of
# them, on the target, never through a tool's own counters:
#  - a marker: one row of bench_marker bumped on the source; when the target shows the new value, every source
#    commit before it is applied (all three tools apply in commit order);
#  - a heartbeat: one row of bench_heartbeat set to clock_timestamp() on the source every 0.1 s; the target's
#    clock_timestamp() minus the heartbeat it shows is the replication lag (same machine, same clock; the value
#    includes up to 0.1 s of heartbeat interval).

# Background processes of the current measurement (killed by the script's cleanup).
ONLINE_PIDS=""

# The extra tables of the online benchmark (created on the source before any tool starts, so every tool copies them).
online_tables_sql() {
  cat <<'SQL'
CREATE TABLE bench_marker (id int PRIMARY KEY, v bigint NOT NULL);
INSERT INTO bench_marker VALUES (1, 0);
CREATE TABLE bench_heartbeat (id int PRIMARY KEY, ts timestamptz NOT NULL);
INSERT INTO bench_heartbeat VALUES (1, clock_timestamp());
SQL
}

# marker_bump: commits a new marker value on the source and prints it.
marker_bump() {
  psql_at "$SRC_PORT" benchdb -c "UPDATE bench_marker SET v = v + 1 WHERE id = 1 RETURNING v"
}

# The tool's health check, called every second while waiting: prints why and returns 1 when the tool is known to
# be stuck or gone (run_tool sets it to <tool>_health), so that a broken tool fails fast instead of timing out.
HEALTH=true

# marker_await VALUE TIMEOUT_S: waits until the target shows VALUE (or more); prints the seconds waited (0.05 s
# resolution plus a psql start). Returns 1 on timeout or when the health check fails.
marker_await() {
  local want="$1" timeout="$2" started now got polls=0 reason
  started=$(date +%s.%N)
  while :; do
    polls=$((polls + 1))
    if [ $((polls % 20)) = 0 ] && ! reason=$("$HEALTH"); then
      echo "$reason" >&2
      echo "$reason" >>"$RUN_OUT/${HEALTH%_health}.failure"
      return 1
    fi
    got=$(psql_at "$TGT_PORT" benchdb -c "SELECT v FROM bench_marker WHERE id = 1" 2>/dev/null || echo -1)
    now=$(date +%s.%N)
    if [ -n "$got" ] && [ "$got" -ge "$want" ] 2>/dev/null; then
      awk -v a="$started" -v b="$now" 'BEGIN { printf "%.2f", b - a }'
      return 0
    fi
    if awk -v a="$started" -v b="$now" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
      awk -v a="$started" -v b="$now" 'BEGIN { printf "%.2f", b - a }'
      echo "the target did not show marker $want within $timeout s" >>"$RUN_OUT/${HEALTH%_health}.failure"
      return 1
    fi
    sleep 0.05
  done
}

# await_slot TIMEOUT_S: waits until a replication slot of benchdb exists on the source.
await_slot() {
  local i
  for i in $(seq 1 $(($1 * 10))); do
    [ "$(psql_at "$SRC_PORT" postgres -c "SELECT count(*) FROM pg_replication_slots WHERE database = 'benchdb'")" -gt 0 ] && return 0
    sleep 0.1
  done
  return 1
}

# slot_settle TIMEOUT_S: lets the running tool settle before it is stopped for a restart, as a service has when it
# is restarted in the course of things rather than the moment it finished a catch-up. PostgreSQL moves a logical
# slot's restart point (where the next start decodes from) only to a running-transactions record it decodes after
# the previous one was confirmed, and the bgwriter logs one every 15 s of activity; so right after a catch-up the
# restart point can stand a whole backlog behind, and the next start decodes that WAL again. The heartbeat writes
# meanwhile, and a CHECKPOINT every 2 s logs such a record at once, until the slot's restart point is within one WAL
# segment of its confirmed position, or TIMEOUT_S (0: no settling) passes. Prints "MB_BEHIND SECONDS": how far
# behind the restart point stood when the tool was stopped, and how long the settling took.
slot_settle() {
  local timeout="$1" started behind i=0
  started=$(date +%s.%N)
  [ "$timeout" -gt 0 ] && heartbeat_start
  while :; do
    behind=$(psql_at "$SRC_PORT" postgres -c "SELECT coalesce(max(confirmed_flush_lsn - restart_lsn), 0)
                                              FROM pg_replication_slots WHERE database = 'benchdb'")
    if [ "$timeout" -le 0 ] || [ "$behind" -le 16777216 ] \
      || awk -v a="$started" -v b="$(date +%s.%N)" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
      break
    fi
    [ $((i % 20)) = 0 ] && psql_at "$SRC_PORT" postgres -c "CHECKPOINT"
    i=$((i + 1))
    sleep 0.1
  done
  [ "$timeout" -gt 0 ] && heartbeat_stop
  awk -v b="$behind" -v a="$started" -v n="$(date +%s.%N)" 'BEGIN { printf "%.0f %.1f", b / 1048576, n - a }'
}

# caught_up TIMEOUT_S: bumps the marker and waits for it on the target; prints the seconds waited.
caught_up() {
  marker_await "$(marker_bump)" "$1"
}

# track_pid PID: a background process of the current tool, killed with its descendants by the script's cleanup
# even when the tool's subshell could not run its own teardown.
track_pid() {
  ONLINE_PIDS="$ONLINE_PIDS $1"
  echo "$1" >>"$BENCH_WORK/pids"
}

# kill_tree PID: TERM to the process and every descendant.
kill_tree() {
  local p
  for p in $(descendants "$1") "$1"; do
    kill "$p" 2>/dev/null || true
  done
}

# heartbeat_start / sampler_start OUT / *_stop: psql sessions under \watch, stopped with SIGINT so that psql ends
# the loop and flushes its output.
heartbeat_start() {
  printf 'UPDATE bench_heartbeat SET ts = clock_timestamp() WHERE id = 1\n\\watch 0.1\n' \
    | "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$SRC_PORT" -U postgres -d benchdb >/dev/null 2>&1 &
  HEARTBEAT_PID=$!
  track_pid "$HEARTBEAT_PID"
}

sampler_start() {
  printf "SELECT round(extract(epoch FROM clock_timestamp())::numeric, 3), round(extract(epoch FROM clock_timestamp() - ts)::numeric, 3) FROM bench_heartbeat WHERE id = 1\n\\\\watch 0.5\n" \
    | "$PG_BIN/psql" -X -q -At -F ' ' -h 127.0.0.1 -p "$TGT_PORT" -U postgres -d benchdb >"$1" 2>&1 &
  SAMPLER_PID=$!
  track_pid "$SAMPLER_PID"
}

stop_watch() {
  local pid="$1"
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

heartbeat_stop() { stop_watch "$HEARTBEAT_PID"; }
sampler_stop() { stop_watch "$SAMPLER_PID"; }

# lag_stats FILE FROM_EPOCH TO_EPOCH: "p50 p95 max samples" of the lag samples taken in [FROM, TO].
lag_stats() {
  awk -v from="$2" -v to="$3" 'NF == 2 && $1 ~ /^[0-9.]+$/ && $1 >= from && $1 <= to { print $2 }' "$1" | sort -g \
    | awk '{ a[NR] = $1 } END {
        if (NR == 0) { print "- - - 0"; exit }
        p50 = a[int((NR + 1) / 2)]; i95 = int(NR * 0.95 + 0.999); if (i95 < 1) i95 = 1; if (i95 > NR) i95 = NR
        printf "%.2f %.2f %.2f %d\n", p50, a[i95], a[NR], NR }'
}

# pgbench_tps LOG: the tps pgbench reports (without connection time).
pgbench_tps() {
  awk '/^tps = / { printf "%.0f", $3; exit }' "$1"
}

# pgbench_tx LOG: the transactions pgbench processed.
pgbench_tx() {
  awk -F': ' '/number of transactions actually processed/ { split($2, a, "/"); print a[1] + 0; exit }' "$1"
}

# The result's fingerprint: counts and sums of the pgbench tables and the history's last id; compared between
# source and target after each tool's cutover.
FINGERPRINT_SQL="SELECT concat_ws(' ',
  (SELECT count(*) || '/' || sum(abalance) FROM pgbench_accounts),
  (SELECT count(*) || '/' || sum(tbalance) FROM pgbench_tellers),
  (SELECT count(*) || '/' || sum(bbalance) FROM pgbench_branches),
  (SELECT count(*) || '/' || coalesce(sum(delta), 0) || '/' || coalesce(max(id), 0) FROM pgbench_history),
  (SELECT md5(string_agg(aid || ':' || abalance, ',' ORDER BY aid)) FROM pgbench_accounts WHERE abalance <> 0),
  (SELECT v FROM bench_marker))"

# apply_hold_start / apply_hold_release (timed: only the cancel) / apply_hold_end: the steady-state apply rate's brake. A session on the target holds an ACCESS
# EXCLUSIVE lock on pgbench_accounts (in a transaction that sleeps), so that the running tool's apply waits at its
# first change of that table while the tool itself keeps running, warm; cancelling the sleep ends the transaction and
# releases the lock at once. Replication timeouts are off meanwhile on both servers: native's apply worker cannot
# answer its walsender while it waits on the lock, and would otherwise be cut off after wal_sender_timeout.
apply_hold_start() {
  local i
  for c in "$SRC_PORT" "$TGT_PORT"; do
    psql_at "$c" postgres -c "ALTER SYSTEM SET wal_sender_timeout = 0" -c "ALTER SYSTEM SET wal_receiver_timeout = 0" \
      -c "SELECT pg_reload_conf()" >/dev/null
  done
  "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$TGT_PORT" -U postgres \
    -d "dbname=benchdb application_name=bench_apply_hold" \
    -c "BEGIN; LOCK TABLE public.pgbench_accounts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(86400); COMMIT" \
    >/dev/null 2>&1 &
  HOLD_PID=$!
  track_pid "$HOLD_PID"
  for i in $(seq 1 600); do
    [ "$(psql_at "$TGT_PORT" postgres -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
         WHERE a.application_name = 'bench_apply_hold' AND l.mode = 'AccessExclusiveLock' AND l.granted
         AND l.relation IS NOT NULL")" -gt 0 ] && return 0
    sleep 0.1
  done
  echo "the target's pgbench_accounts could not be locked" >&2
  return 1
}

apply_hold_release() {
  psql_at "$TGT_PORT" postgres -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
    WHERE application_name = 'bench_apply_hold'" >/dev/null
}

apply_hold_end() {
  apply_hold_release
  wait "$HOLD_PID" 2>/dev/null || true
  for c in "$SRC_PORT" "$TGT_PORT"; do
    psql_at "$c" postgres -c "ALTER SYSTEM RESET wal_sender_timeout" -c "ALTER SYSTEM RESET wal_receiver_timeout" \
      -c "SELECT pg_reload_conf()" >/dev/null
  done
}

# median: the median of the numbers on stdin, one a line ("-" if none).
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'
}
