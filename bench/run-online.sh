#!/usr/bin/env bash
# Online benchmark: pgmigrate's change capture and apply (the engine's OnlineMigration, driven by
# bench/online/OnlineHarness.java) against `pgcopydb clone --follow` and native logical replication, on the same two
# local PostgreSQL 15 clusters, one after the other. Measures, for each tool: steady latency under pgbench at fixed
# rates, the apply rate draining a backlog, and the cutover time on an idle source. Records the figures in the
# "online" section of bench/RESULTS.md. See bench/README.md for the knobs.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
export PATH="/usr/lib/postgresql/15/bin:$PATH"
export PGOPTIONS="-c client_min_messages=warning" # no NOTICEs from psql, pgbench or pgcopydb in the output

# shellcheck source=lib/clusters.sh
. "$BENCH_DIR/lib/clusters.sh"
# shellcheck source=lib/measure.sh
. "$BENCH_DIR/lib/measure.sh"
# shellcheck source=lib/online.sh
. "$BENCH_DIR/lib/online.sh"
# shellcheck source=lib/online-tools.sh
. "$BENCH_DIR/lib/online-tools.sh"
# shellcheck source=lib/online-report.sh
. "$BENCH_DIR/lib/online-report.sh"

# --report OUT_DIR [RESULTS_FILE]: only (re)write the online section from a finished run's raw data.
if [ "${1:-}" = --report ]; then
  [ -f "${2:-}/online.tsv" ] || { echo "usage: $0 --report bench/out/online-<timestamp> [RESULTS_FILE]" >&2; exit 2; }
  online_report "$2" "${3:-$BENCH_DIR/RESULTS.md}"
  exit 0
fi

BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_RATES="${BENCH_RATES:-500 1000 2000 max}"
BENCH_DURATION="${BENCH_DURATION:-30}"
BENCH_WARMUP="${BENCH_WARMUP:-5}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_BACKLOG_TX="${BENCH_BACKLOG_TX:-60000}" # 240k changes: a 1-2 s drain was mostly startup noise
BENCH_BACKLOG_ROUNDS="${BENCH_BACKLOG_ROUNDS:-1}" # restarts per tool (the median is reported)
BENCH_SETTLE="${BENCH_SETTLE:-30}" # at most this many seconds of settling before each restart's stop (slot_settle; 0: none)
# pgmigrate-service's restarts cycle through these: cds (the launcher's class-data sharing archive), nocds (without).
BENCH_SERVICE_VARIANTS="${BENCH_SERVICE_VARIANTS:-cds}"
BENCH_STEADY_TX="${BENCH_STEADY_TX:-$BENCH_BACKLOG_TX}" # the steady-state apply rate's backlog (0: not measured)
BENCH_TOOLS="${BENCH_TOOLS:-pgmigrate pgmigrate-service pgcopydb native}"
BENCH_COPY_TIMEOUT="${BENCH_COPY_TIMEOUT:-1800}"
BENCH_CATCHUP_TIMEOUT="${BENCH_CATCHUP_TIMEOUT:-900}"
BENCH_IDLE="${BENCH_IDLE:-5}"
export BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx512m}"
BENCH_WORK="${BENCH_WORK:-$BENCH_DIR/work-online}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/out/online-$stamp}"
RUN_OUT="$BENCH_OUT/runs"
full_size=$(awk -v s="$BENCH_SCALE" -v d="$BENCH_DURATION" -v b="$BENCH_BACKLOG_TX" \
  'BEGIN { print (s >= 10 && d >= 30 && b >= 20000) ? 1 : 0 }')
if [ "$full_size" = 1 ]; then
  BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/RESULTS.md}"
else
  BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_OUT/RESULTS.md}" # a smoke run never overwrites the recorded figures
fi
PGMIGRATE_JAR="$REPO_DIR/pgmigrate-cli/target/pgmigrate.jar"

say() { printf '[bench-online %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites. PostgreSQL packages are never installed or upgraded.
# ---------------------------------------------------------------------------------------------------------------
for b in initdb pg_ctl postgres pg_dump psql createdb pgbench; do
  [ -x "$PG_BIN/$b" ] || die "$PG_BIN/$b is missing: PostgreSQL 15 server and client are needed (postgresql-15)"
done
command -v java >/dev/null 2>&1 || die "java is missing (apt-get install -y openjdk-17-jdk-headless)"
if [[ " $BENCH_TOOLS " == *" pgmigrate-service "* ]]; then
  for b in curl jq; do
    command -v "$b" >/dev/null 2>&1 || die "$b is missing (apt-get install -y $b), or leave pgmigrate-service out (BENCH_TOOLS)"
  done
fi
mkdir -p "$RUN_OUT"
say "output: $BENCH_OUT"
say "building pgmigrate if needed"
"$REPO_DIR/pgmigrate" --version >"$BENCH_OUT/pgmigrate-version.txt" 2>&1 \
  || { cat "$BENCH_OUT/pgmigrate-version.txt" >&2; die "pgmigrate does not build"; }
"$REPO_DIR/pgmigrate" --version >"$BENCH_OUT/pgmigrate-version.txt" 2>&1

# ---------------------------------------------------------------------------------------------------------------
# Clusters: always stopped and removed at exit, also on failure or Ctrl-C.
# ---------------------------------------------------------------------------------------------------------------
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # Whatever happens to our output (a closed pipe after Ctrl-C), the clusters get stopped.
  trap '' PIPE
  set +e
  for p in $ONLINE_PIDS $CURRENT_PIDS $(cat "$BENCH_WORK/pids" 2>/dev/null); do
    kill_tree "$p"
  done
  cluster_stop target
  cluster_stop source
  cp "$BENCH_WORK/source/server.log" "$BENCH_OUT/source-server.log" 2>/dev/null
  cp "$BENCH_WORK/target/server.log" "$BENCH_OUT/target-server.log" 2>/dev/null
  rm -rf "$BENCH_WORK"
  say "clusters stopped and removed"
  exit "$rc"
}
CURRENT_PIDS=""
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -d "$BENCH_WORK" ]; then
  cluster_stop target
  cluster_stop source
  rm -rf "$BENCH_WORK"
fi
mkdir -p "$BENCH_WORK"
chmod 755 "$BENCH_WORK"

# pgcopydb 0.10 decodes with wal2json only. Without the OS package, its shared library is taken from the Debian
# package (downloaded, never installed) and found through dynamic_library_path; PostgreSQL itself is untouched.
WAL2JSON_NOTE="wal2json from the OS"
if [[ " $BENCH_TOOLS " == *" pgcopydb "* ]]; then
  command -v pgcopydb >/dev/null 2>&1 || die "pgcopydb is missing (apt-get install -y pgcopydb), or leave it out: BENCH_TOOLS=\"pgmigrate native\""
  if [ ! -f "$PG_BIN/../lib/wal2json.so" ]; then
    mkdir -p "$BENCH_WORK/wal2json"
    (cd "$BENCH_WORK/wal2json" && apt-get download postgresql-15-wal2json >/dev/null 2>&1 \
      && dpkg-deb -x postgresql-15-wal2json_*.deb root) \
      || die "pgcopydb needs the wal2json plugin: install postgresql-15-wal2json, or leave pgcopydb out (BENCH_TOOLS)"
    WAL2JSON_DIR="$BENCH_WORK/wal2json/root/usr/lib/postgresql/15/lib"
    chmod -R a+rX "$BENCH_WORK/wal2json"
    WAL2JSON_NOTE="wal2json $(cd "$BENCH_WORK/wal2json" && ls postgresql-15-wal2json_*.deb | sed 's/postgresql-15-wal2json_//; s/_amd64.deb//') from the Debian package, loaded through dynamic_library_path"
  fi
fi

SRC_PORT=$(free_port)
TGT_PORT=$(free_port)
while [ "$TGT_PORT" = "$SRC_PORT" ]; do TGT_PORT=$(free_port); done
cluster_init source "$SRC_PORT"
cluster_init target "$TGT_PORT"
if [ -n "${WAL2JSON_DIR:-}" ]; then
  for c in source target; do
    echo "dynamic_library_path = '\$libdir:$WAL2JSON_DIR'" | as_pg tee -a "$BENCH_WORK/$c/data/postgresql.conf" >/dev/null
  done
fi
cluster_start source
cluster_start target
export SRC_PORT TGT_PORT
export SRC_URI="postgresql://postgres@127.0.0.1:$SRC_PORT/benchdb"
export TGT_URI="postgresql://postgres@127.0.0.1:$TGT_PORT/benchdb"
say "source on port $SRC_PORT, target on port $TGT_PORT (PostgreSQL $(psql_at "$SRC_PORT" postgres -c 'SHOW server_version'))"

# ---------------------------------------------------------------------------------------------------------------
# The source: pgbench's tables (history gets a primary key: every tool needs one, or REPLICA IDENTITY FULL, for a
# table it replicates), the marker and the heartbeat.
# ---------------------------------------------------------------------------------------------------------------
say "pgbench -i -s $BENCH_SCALE"
psql_at "$SRC_PORT" postgres -c "CREATE DATABASE benchdb"
pgbench -i -q -s "$BENCH_SCALE" -h 127.0.0.1 -p "$SRC_PORT" -U postgres benchdb >"$BENCH_OUT/pgbench-init.log" 2>&1 \
  || { cat "$BENCH_OUT/pgbench-init.log" >&2; die "pgbench -i failed"; }
psql_at "$SRC_PORT" benchdb -c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY"
online_tables_sql | psql_at "$SRC_PORT" benchdb
psql_at "$SRC_PORT" benchdb -c "VACUUM ANALYZE"
psql_at "$SRC_PORT" postgres -c "CHECKPOINT"
DB_SIZE=$(psql_at "$SRC_PORT" benchdb -c "SELECT pg_size_pretty(pg_database_size('benchdb'))")
say "benchdb: $DB_SIZE (pgbench scale $BENCH_SCALE)"

# What the report needs besides online.tsv, so that it can be written again later (--report).
cat >"$BENCH_OUT/meta.env" <<EOF
RUN_DATE='$(date -u '+%Y-%m-%d %H:%M UTC')'
RUN_COMMIT='$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')'
BENCH_TOOLS='$BENCH_TOOLS'
BENCH_RATES='$BENCH_RATES'
BENCH_SCALE='$BENCH_SCALE'
BENCH_DURATION='$BENCH_DURATION'
BENCH_WARMUP='$BENCH_WARMUP'
BENCH_CLIENTS='$BENCH_CLIENTS'
BENCH_BACKLOG_TX='$BENCH_BACKLOG_TX'
BENCH_BACKLOG_ROUNDS='$BENCH_BACKLOG_ROUNDS'
BENCH_SERVICE_VARIANTS='$BENCH_SERVICE_VARIANTS'
BENCH_STEADY_TX='$BENCH_STEADY_TX'
BENCH_IDLE='$BENCH_IDLE'
BENCH_SETTLE='$BENCH_SETTLE'
DB_SIZE='$DB_SIZE'
WAL2JSON_NOTE='$WAL2JSON_NOTE'
EOF
TSV="$BENCH_OUT/online.tsv"
printf 'tool\tmeasure\tparam\tvalue\tdetail\tload1\n' >"$TSV"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$(cut -d' ' -f1 /proc/loadavg)" >>"$TSV"; }

# ---------------------------------------------------------------------------------------------------------------
# One tool: start and initial copy, latency at each rate, apply rate of a backlog, cutover, result check.
# Runs in a subshell so that a failing tool stops only itself (its teardown runs) and the next tool still runs.
# ---------------------------------------------------------------------------------------------------------------
measure_rate() {
  local tool="$1" rate="$2" base="$RUN_OUT/$1-rate-$2" t0 t1 stats tps catch engine="-"
  local limit=()
  [ "$rate" != max ] && limit=(-R "$rate")
  heartbeat_start
  sampler_start "$base.lag"
  sleep 1
  t0=$(now)
  pgbench -n -c "$BENCH_CLIENTS" -j 2 "${limit[@]}" -T "$BENCH_DURATION" -h 127.0.0.1 -p "$SRC_PORT" -U postgres \
    benchdb >"$base.pgbench" 2>&1
  t1=$(now)
  sampler_stop
  heartbeat_stop
  stats=$(lag_stats "$base.lag" "$(awk -v t="$t0" -v w="$BENCH_WARMUP" 'BEGIN { printf "%.3f", t + w }')" "$t1")
  tps=$(pgbench_tps "$base.pgbench")
  if [ "$tool" = pgmigrate ]; then
    # The engine's own latency counter over the same window, for reference.
    engine=$(awk -v from="$t0" -v w="$BENCH_WARMUP" -v to="$t1" '$1 == "STATS" && $2 / 1000 >= from + w && $2 / 1000 <= to { print $3 / 1000 }' \
      "$RUN_OUT/pgmigrate-harness.log" | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.2f/%.2f", a[int((NR + 1) / 2)], a[NR]; else print "-" }')
  fi
  catch=$(caught_up "$BENCH_CATCHUP_TIMEOUT") || catch="failed"
  read -r p50 p95 max n <<<"$stats"
  record "$tool" latency "$rate" "$p50 $p95 $max" "tps=$tps samples=$n catchup_s=$catch engine_p50/max=$engine"
  say "  $tool at ${rate}: achieved $tps tps, lag p50 ${p50}s p95 ${p95}s max ${max}s ($n samples), caught up after the load: ${catch}$([ "$catch" = failed ] || echo ' s')"
  [ "$catch" != failed ]
}

# measure_backlog TOOL ROUND [VARIANT]: the catch-up after a restart: the tool stopped entirely, a backlog committed,
# the time from restarting it until the marker shows on the target. VARIANT (pgmigrate-service: cds or nocds) is
# how the tool restarts; "default" for the others.
measure_backlog() {
  local tool="$1" round="$2" variant="${3:-default}" base="$RUN_OUT/$1-backlog-$2" per_client tx marker t0 t1 changes rate
  local settled
  settled=$(slot_settle "$BENCH_SETTLE")
  "${tool}_pause"
  per_client=$((BENCH_BACKLOG_TX / BENCH_CLIENTS))
  pgbench -n -c "$BENCH_CLIENTS" -j 2 -t "$per_client" -h 127.0.0.1 -p "$SRC_PORT" -U postgres benchdb \
    >"$base.pgbench" 2>&1
  tx=$(pgbench_tx "$base.pgbench")
  marker=$(marker_bump)
  # pgbench's TPC-B-like transaction changes 4 rows (3 UPDATEs, 1 INSERT); the marker is one more.
  changes=$((tx * 4 + 1))
  t0=$(now)
  if [ "$variant" = nocds ]; then SVC_CDS=off "${tool}_resume"; else "${tool}_resume"; fi
  marker_await "$marker" "$BENCH_CATCHUP_TIMEOUT" >/dev/null || { say "  $tool: backlog not applied in time"; return 1; }
  t1=$(now)
  rate=$(awk -v c="$changes" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", c / (b - a) }')
  local ready=""
  [ "$tool" = pgmigrate-service ] \
    && ready=" listening_s=$(elapsed "$t0" "$SVC_READY_AT") listening_cpu_s=$SVC_READY_CPU jvm_cpu_s=$(svc_cpu)"
  record "$tool" apply_rate "$variant" "$rate" "drain_s=$(elapsed "$t0" "$t1") tx=$tx changes=$changes round=$round$ready slot_behind_mb=${settled% *} settle_s=${settled#* }"
  say "  $tool ($variant, restart $round): backlog of $changes changes ($tx transactions) applied in $(elapsed "$t0" "$t1") s: $rate changes/s (the slot's restart point ${settled% *} MB behind at the stop, after ${settled#* } s of settling)"
}

# measure_steady TOOL: the steady-state apply rate. The tool keeps running (warm); its apply is held by a lock on
# the target (apply_hold_start) while the backlog is committed, then released: changes / time until the marker shows.
measure_steady() {
  local tool="$1" base="$RUN_OUT/$1-steady" per_client tx marker t0 t1 changes rate
  caught_up "$BENCH_CATCHUP_TIMEOUT" >/dev/null
  apply_hold_start
  per_client=$((BENCH_STEADY_TX / BENCH_CLIENTS))
  pgbench -n -c "$BENCH_CLIENTS" -j 2 -t "$per_client" -h 127.0.0.1 -p "$SRC_PORT" -U postgres benchdb \
    >"$base.pgbench" 2>&1
  tx=$(pgbench_tx "$base.pgbench")
  marker=$(marker_bump)
  changes=$((tx * 4 + 1))
  t0=$(now)
  apply_hold_release
  marker_await "$marker" "$BENCH_CATCHUP_TIMEOUT" >/dev/null || { apply_hold_end; say "  $tool: held backlog not applied in time"; return 1; }
  t1=$(now)
  apply_hold_end
  rate=$(awk -v c="$changes" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", c / (b - a) }')
  record "$tool" steady_rate default "$rate" "drain_s=$(elapsed "$t0" "$t1") tx=$tx changes=$changes"
  say "  $tool (running, apply held): backlog of $changes changes applied in $(elapsed "$t0" "$t1") s: $rate changes/s"
}

measure_cutover() {
  local tool="$1" t0 t1 detail=""
  caught_up "$BENCH_CATCHUP_TIMEOUT" >/dev/null
  sleep "$BENCH_IDLE" # an idle source: nothing written for a few seconds before the trigger
  t0=$(now)
  "${tool}_cutover"
  t1=$(now)
  case "$tool" in
    pgmigrate) detail=$(tail -n 1 "$RUN_OUT/pgmigrate-cutover.txt" | sed 's/^EVENT [0-9]* cutover //') ;;
    pgmigrate-service)
      local cut_s engine_ms
      cut_s=$(awk '{ printf "%.2f", $3 - $2 }' "$RUN_OUT/pgmigrate-service-cutover.txt")
      engine_ms=$(grep -o 'cut over at source WAL position .* in [0-9]* ms' "$RUN_OUT/pgmigrate-service.log" | tail -n 1 \
        | grep -o '[0-9]* ms$' | cut -d' ' -f1)
      record "$tool" cutover service_cut "$cut_s" "engine_ms=${engine_ms:--}"
      detail="PATCH triggerCutover to Succeeded (verification of every row included); trigger to verifying ${cut_s} s,"
      detail+=" the engine's cutover ${engine_ms:--} ms" ;;
    pgcopydb) detail="follow_ended_s=$(elapsed "$t0" "$(cat "$RUN_OUT/pgcopydb-follow-ended")")" ;;
    native) detail="marker, setval, DROP SUBSCRIPTION, DROP PUBLICATION" ;;
  esac
  record "$tool" cutover idle "$(elapsed "$t0" "$t1")" "$detail"
  say "  $tool: cutover on an idle source took $(elapsed "$t0" "$t1") s ($detail)"
}

check_result() {
  local tool="$1" want got
  want=$(psql_at "$SRC_PORT" benchdb -c "$FINGERPRINT_SQL")
  got=$(psql_at "$TGT_PORT" benchdb -c "$FINGERPRINT_SQL" 2>&1 || true)
  local seq_src seq_tgt
  seq_src=$(psql_at "$SRC_PORT" benchdb -c "SELECT last_value FROM pgbench_history_id_seq")
  seq_tgt=$(psql_at "$TGT_PORT" benchdb -c "SELECT last_value FROM pgbench_history_id_seq" 2>&1 || true)
  if [ "$want" = "$got" ]; then
    record "$tool" check data ok "sequence source=$seq_src target=$seq_tgt"
    say "  $tool: target equals source (rows, sums, hash of changed accounts); sequence $seq_src -> $seq_tgt"
  else
    record "$tool" check data mismatch "source: $want; target: $got"
    say "  $tool: MISMATCH source: $want; target: $got"
    return 1
  fi
}

run_tool() {
  local tool="$1" t0 copy
  trap "${tool}_teardown" EXIT
  HEALTH="${tool}_health"
  psql_at "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS benchdb"
  psql_at "$TGT_PORT" postgres -c "CHECKPOINT"
  psql_at "$SRC_PORT" postgres -c "CHECKPOINT"
  say "$tool: start and initial copy"
  t0=$(now)
  "${tool}_start"
  # Twice: the first marker may reach the target through the initial copy's snapshot; the second one was committed
  # after the copy had started, so only change capture and apply bring it.
  # pgcopydb 0.10 exports its snapshot and then creates its slot: a commit in between is in neither (while writing
  # this script, a marker committed then never reached the target). No marker before a slot exists.
  await_slot 300 || { say "  $tool: no replication slot on the source"; return 1; }
  sleep 2
  [ "$tool" = pgcopydb ] && pgcopydb_nudge_start
  copy=$(caught_up "$BENCH_COPY_TIMEOUT") || { say "  $tool: initial copy not done in ${BENCH_COPY_TIMEOUT}s"; return 1; }
  sleep 1
  caught_up "$BENCH_COPY_TIMEOUT" >/dev/null || { say "  $tool: no change applied after the initial copy"; return 1; }
  [ "$tool" = pgcopydb ] && pgcopydb_nudge_stop
  record "$tool" initial_copy "$DB_SIZE" "$(elapsed "$t0" "$(now)")" "marker_s=$copy"
  say "  $tool: initial copy and catch-up took $(elapsed "$t0" "$(now)") s"
  for rate in $BENCH_RATES; do
    measure_rate "$tool" "$rate"
  done
  if [ "$BENCH_STEADY_TX" -gt 0 ]; then
    measure_steady "$tool"
  fi
  local round variants
  read -r -a variants <<<"$([ "$tool" = pgmigrate-service ] && echo "$BENCH_SERVICE_VARIANTS" || echo default)"
  for round in $(seq 1 "$BENCH_BACKLOG_ROUNDS"); do
    measure_backlog "$tool" "$round" "${variants[$(((round - 1) % ${#variants[@]}))]}"
  done
  measure_cutover "$tool"
  check_result "$tool"
}

failures=0
for tool in $BENCH_TOOLS; do
  declare -F "${tool}_start" >/dev/null || die "unknown tool '$tool' (known: pgmigrate pgmigrate-service pgcopydb native)"
  # errexit must stay active inside the subshell, so the subshell is not part of a condition; it runs in the
  # background so that a signal to this script runs the cleanup at once (a foreground child would delay it).
  (
    set -e
    run_tool "$tool"
  ) &
  TOOL_PID=$!
  CURRENT_PIDS="$TOOL_PID"
  rc=0
  wait "$TOOL_PID" || rc=$?
  CURRENT_PIDS=""
  if [ "$rc" -ne 0 ]; then
    failures=$((failures + 1))
    reason=$(head -n 1 "$RUN_OUT/$tool.failure" 2>/dev/null | tr '\t' ' ' | cut -c1-220 || true)
    record "$tool" failed - "exit $rc" "${reason:-see the logs in $RUN_OUT}"
    say "$tool FAILED (exit $rc); see $RUN_OUT"
  fi
done

# ---------------------------------------------------------------------------------------------------------------
# RESULTS.md
# ---------------------------------------------------------------------------------------------------------------
online_report "$BENCH_OUT" "$BENCH_RESULTS"
say "results written to $BENCH_RESULTS"

if [ "$failures" -gt 0 ]; then
  die "$failures tool(s) failed; see $RUN_OUT"
fi
