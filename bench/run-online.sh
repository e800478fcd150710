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

# shellcheck source=lib/clusters.sh
. "$BENCH_DIR/lib/clusters.sh"
# shellcheck source=lib/measure.sh
. "$BENCH_DIR/lib/measure.sh"
# shellcheck source=lib/online.sh
. "$BENCH_DIR/lib/online.sh"
# shellcheck source=lib/online-tools.sh
. "$BENCH_DIR/lib/online-tools.sh"

BENCH_SCALE="${BENCH_SCALE:-10}"
BENCH_RATES="${BENCH_RATES:-500 1000 2000 max}"
BENCH_DURATION="${BENCH_DURATION:-30}"
BENCH_WARMUP="${BENCH_WARMUP:-5}"
BENCH_CLIENTS="${BENCH_CLIENTS:-8}"
BENCH_BACKLOG_TX="${BENCH_BACKLOG_TX:-20000}"
BENCH_TOOLS="${BENCH_TOOLS:-pgmigrate pgcopydb native}"
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
  say "  $tool at ${rate}: achieved $tps tps, lag p50 ${p50}s p95 ${p95}s max ${max}s ($n samples), caught up ${catch}s after"
  [ "$catch" != failed ]
}

measure_backlog() {
  local tool="$1" base="$RUN_OUT/$1-backlog" per_client tx marker t0 t1 changes rate
  "${tool}_pause"
  per_client=$((BENCH_BACKLOG_TX / BENCH_CLIENTS))
  pgbench -n -c "$BENCH_CLIENTS" -j 2 -t "$per_client" -h 127.0.0.1 -p "$SRC_PORT" -U postgres benchdb \
    >"$base.pgbench" 2>&1
  tx=$(pgbench_tx "$base.pgbench")
  marker=$(marker_bump)
  # pgbench's TPC-B-like transaction changes 4 rows (3 UPDATEs, 1 INSERT); the marker is one more.
  changes=$((tx * 4 + 1))
  t0=$(now)
  "${tool}_resume"
  marker_await "$marker" "$BENCH_CATCHUP_TIMEOUT" >/dev/null || { say "  $tool: backlog not applied in time"; return 1; }
  t1=$(now)
  rate=$(awk -v c="$changes" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", c / (b - a) }')
  record "$tool" apply_rate "$changes" "$rate" "drain_s=$(elapsed "$t0" "$t1") tx=$tx"
  say "  $tool: backlog of $changes changes ($tx transactions) applied in $(elapsed "$t0" "$t1") s: $rate changes/s"
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
  measure_backlog "$tool"
  measure_cutover "$tool"
  check_result "$tool"
}

failures=0
for tool in $BENCH_TOOLS; do
  declare -F "${tool}_start" >/dev/null || die "unknown tool '$tool' (known: pgmigrate pgcopydb native)"
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
# value TOOL MEASURE PARAM [FIELD]: the recorded value (or one space-separated field of it), "-" if none.
value() {
  awk -F'\t' -v t="$1" -v m="$2" -v p="$3" -v f="${4:-0}" '$1 == t && $2 == m && $3 == p {
      if (f == 0) v = $4; else { split($4, a, " "); v = a[f] } }
    END { print (v == "") ? "-" : v }' "$TSV"
}
detail() {
  awk -F'\t' -v t="$1" -v m="$2" -v p="$3" -v k="$4" '$1 == t && $2 == m && $3 == p {
      n = split($5, a, " "); for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) v = substr(a[i], length(k) + 2) }
    END { print (v == "") ? "-" : v }' "$TSV"
}
read -r -a tools <<<"$BENCH_TOOLS"
header="| measure |"
rule="|---|"
for t in "${tools[@]}"; do header+=" \`$t\` |"; rule+="---|"; done
header+=" target (issue 4) |"
rule+="---|"
rows=""
row_apply="| apply rate, changes/s (backlog of pgbench transactions) |"
for t in "${tools[@]}"; do row_apply+=" $(value "$t" apply_rate "$(awk -F'\t' -v t="$t" '$1 == t && $2 == "apply_rate" { print $3 }' "$TSV")") |"; done
row_apply+=" pgmigrate >= native |"
rows+="$row_apply"$'\n'
for rate in $BENCH_RATES; do
  label=$([ "$rate" = max ] && echo "as fast as pgbench goes" || echo "pgbench -R $rate")
  row="| lag p50 / p95 / max (s), $label |"
  for t in "${tools[@]}"; do
    v=$(value "$t" latency "$rate")
    if [ "$v" = "-" ]; then row+=" - |"; else
      row+=" $(echo "$v" | awk '{ printf "%s / %s / %s", $1, $2, $3 }') (at $(detail "$t" latency "$rate" tps) tps; caught up: $(detail "$t" latency "$rate" catchup_s)$(detail "$t" latency "$rate" catchup_s | grep -q '^[0-9]' && echo ' s after')) |"
    fi
  done
  row+=" $([ "$rate" = 1000 ] && echo "< 1 s at 1000 TPS" || echo "") |"
  rows+="$row"$'\n'
done
row_cut="| cutover, idle source (s, trigger to done) |"
for t in "${tools[@]}"; do row_cut+=" $(value "$t" cutover idle) |"; done
row_cut+=" pgmigrate < 2 s |"
rows+="$row_cut"$'\n'
row_copy="| initial copy and catch-up (s; not a target) |"
for t in "${tools[@]}"; do row_copy+=" $(value "$t" initial_copy "$DB_SIZE") |"; done
row_copy+=" |"
rows+="$row_copy"$'\n'
row_check="| result check after cutover |"
for t in "${tools[@]}"; do
  if [ "$(value "$t" failed -)" != "-" ]; then
    row_check+=" FAILED: $(awk -F'\t' -v t="$t" '$1 == t && $2 == "failed" { print $5 }' "$TSV" | sed 's/|/\\|/g') |"
  else
    row_check+=" $(value "$t" check data) |"
  fi
done
row_check+=" ok |"
rows+="$row_check"

# The verdicts against issue 4's targets.
pgm_lag1000=$(value pgmigrate latency 1000 2)
pgm_lag1000_p50=$(value pgmigrate latency 1000 1)
pgm_tps1000=$(detail pgmigrate latency 1000 tps)
pgm_rate=$(value pgmigrate apply_rate "$(awk -F'\t' '$1 == "pgmigrate" && $2 == "apply_rate" { print $3 }' "$TSV")")
nat_rate=$(value native apply_rate "$(awk -F'\t' '$1 == "native" && $2 == "apply_rate" { print $3 }' "$TSV")")
pgm_cut=$(value pgmigrate cutover idle)
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "-" || t == "-") print "n/a"; else if ((op == "<" && v + 0 < t + 0) || (op == ">=" && v + 0 >= t + 0)) print "meets"; else print "MISSES" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
targets="| target (issue 4) | pgmigrate | ratio | |
|---|---|---|---|
| steady latency at 1000 TPS < 1 s (p95 of the lag; p50 ${pgm_lag1000_p50} s; pgbench achieved ${pgm_tps1000} tps) | ${pgm_lag1000} s | $(ratio "$pgm_lag1000" 1) of the limit | $(verdict "$pgm_lag1000" 1 "<") |
| apply rate >= native logical replication's | ${pgm_rate} changes/s (native ${nat_rate}) | $(ratio "$pgm_rate" "$nat_rate") x native | $(verdict "$pgm_rate" "$nat_rate" ">=") |
| cutover of an idle source < 2 s | ${pgm_cut} s | $(ratio "$pgm_cut" 2) of the limit | $(verdict "$pgm_cut" 2 "<") |"

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
loads=$(awk -F'\t' 'NR > 1 { printf "%s%s", s, $6; s = ", " }' "$TSV")
section="## Online migration (generated by \`bench/run-online.sh\`)

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); pgmigrate commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
- Machine: $(nproc) vCPU ($cpu_model), $ram RAM, $(uname -r); source, target, pgbench and the tool on the same
  machine, whose 2 vCPUs were shared with other engineers' builds and tests (1-minute load average at each
  measurement: $loads).
- PostgreSQL: $(postgres --version | sed 's/postgres (PostgreSQL) //'), two clusters with the same settings for every tool:
  \`$(printf '%s; ' "${BENCH_PG_SETTINGS[@]:0:6}")\` (synchronous_commit on, the rest default).
- Tools: pgmigrate $(head -n 1 "$BENCH_OUT/pgmigrate-version.txt" | sed 's/^pgmigrate //') through \`bench/online/OnlineHarness.java\` (the engine's
  \`OnlineMigration\` with its default settings: group commit of 10000 changes or 200 ms, batches of 1000, spool fsync
  every 100 ms; the service's online mode had not landed on main); $(pgcopydb --version 2>/dev/null | head -n 1)
  (\`clone --follow --table-jobs 4 --index-jobs 4\`; $WAL2JSON_NOTE); native logical replication
  (\`CREATE PUBLICATION ... FOR ALL TABLES\`, \`CREATE SUBSCRIPTION\`, one apply worker).
- Data: \`pgbench -i -s $BENCH_SCALE\` ($DB_SIZE), \`pgbench_history\` given a bigserial primary key; the load is pgbench's
  TPC-B-like transaction (3 UPDATEs, 1 INSERT) with $BENCH_CLIENTS clients, 2 threads.
- Method (the same for every tool, observed on the target, never through a tool's counters):
  - lag: a heartbeat row set to \`clock_timestamp()\` on the source every 0.1 s; every 0.5 s the target's
    \`clock_timestamp()\` minus the heartbeat it shows (includes up to 0.1 s of heartbeat interval). ${BENCH_DURATION} s of
    pgbench per rate, the first ${BENCH_WARMUP} s left out; then the time until a marker committed after the load shows on the target;
  - apply rate: the tool stopped entirely (pgmigrate: replication closed, slot kept; pgcopydb: process stopped, then
    \`pgcopydb follow --resume\`; native: \`ALTER SUBSCRIPTION ... DISABLE\`/\`ENABLE\`), $BENCH_BACKLOG_TX pgbench transactions
    committed, then the time from restarting the tool until the marker committed after them shows on the target:
    changes (4 per transaction) / that time. Decoding the backlog from the source's WAL is part of it for every tool;
  - cutover, after ${BENCH_IDLE} s without writes: pgmigrate's \`cutover()\` (end point, drain, sequences from live values,
    slot, publication and origin dropped); pgcopydb's \`stream sentinel set endpos --current\` until \`clone --follow\`
    exits (it sets sequences), then \`stream cleanup\`; native: marker, \`setval\` of every sequence,
    \`DROP SUBSCRIPTION\` (drops the slot), \`DROP PUBLICATION\`;
  - after cutover, the target's row counts, balance sums, a hash of every changed account, the history's last id and
    the sequence are compared with the source's.
- Raw data: \`online.tsv\`, pgbench logs, lag samples and tool logs in \`${BENCH_OUT#"$REPO_DIR"/}\` (not committed).

$header
$rule
$rows

$targets
"

printf '\n%s\n' "$section"

begin='<!-- BEGIN online: reserved for bench/run-online.sh (issue 4: apply rate, latency under pgbench -R, cutover time,'
end='<!-- END online -->'
if [ ! -f "$BENCH_RESULTS" ]; then
  mkdir -p "$(dirname "$BENCH_RESULTS")"
  printf '# pgmigrate benchmark results\n\n%s\n     pgmigrate vs pgcopydb clone --follow vs native logical replication) -->\n%s\n' "$begin" "$end" >"$BENCH_RESULTS"
fi
section_file="$BENCH_OUT/online-section.md"
printf '%s\n' "$section" >"$section_file"
# The marker spans two lines; everything after it up to END online is replaced.
awk -v b="$begin" -v e="$end" -v f="$section_file" '
  $0 == b { print; getline; print; while ((getline line < f) > 0) print line; skip = 1; next }
  $0 == e { skip = 0 }
  !skip { print }' "$BENCH_RESULTS" >"$BENCH_RESULTS.tmp"
mv "$BENCH_RESULTS.tmp" "$BENCH_RESULTS"
say "results written to $BENCH_RESULTS"

if [ "$failures" -gt 0 ]; then
  die "$failures tool(s) failed; see $RUN_OUT"
fi
