#!/usr/bin/env bash
# Offline benchmark: `pgmigrate clone` against `pgcopydb clone` and `pg_dump -Fd -j2` + `pg_restore -j2`, on the same
# two local PostgreSQL 15 clusters, interleaved, several runs each. Prints medians and ratios and records them in
# bench/RESULTS.md. See bench/README.md for the knobs (BENCH_SCALE, BENCH_RUNS, BENCH_VARIANTS...).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
export PATH="/usr/lib/postgresql/15/bin:$PATH"

# ---------------------------------------------------------------------------------------------------------------
# One timed variant. The script re-enters itself here (under /usr/bin/time) so that the measured process tree is
# exactly the tool's: each branch ends by exec'ing the tool.
# ---------------------------------------------------------------------------------------------------------------
if [ "${1:-}" = "__variant" ]; then
  variant="$2" run_dir="$3"
  mkdir -p "$(dirname "$run_dir")"
  case "$variant" in
    pgmigrate | pgmigrate-noverify | pgmigrate+*)
      args=()
      [ "$variant" = pgmigrate-noverify ] && args+=(--skip-verify)
      if [[ "$variant" == pgmigrate+* ]]; then
        IFS='+' read -r -a extra <<<"${variant#pgmigrate+}"
        args+=("${extra[@]}")
      fi
      export PGMIGRATE_JAVA_OPTS="$BENCH_JAVA_OPTS -Xlog:gc:file=$run_dir.gc"
      exec "$REPO_DIR/pgmigrate" clone --source "$SRC_URI" --target "$TGT_URI" --dir "$run_dir" "${args[@]}"
      ;;
    jar-*)
      # jar-LABEL[+ARG...]: another build of pgmigrate (e.g. the commit before a change), from BENCH_JAR_LABEL.
      label="${variant#jar-}"
      label="${label%%+*}"
      jar_var="BENCH_JAR_$label"
      [ -f "${!jar_var:-}" ] || { echo "variant $variant: set $jar_var to a pgmigrate.jar" >&2; exit 2; }
      args=()
      if [[ "$variant" == *+* ]]; then
        IFS='+' read -r -a args <<<"${variant#*+}"
      fi
      # shellcheck disable=SC2086
      exec java $BENCH_JAVA_OPTS -Xlog:gc:file="$run_dir.gc" -jar "${!jar_var}" clone --source "$SRC_URI" \
        --target "$TGT_URI" --dir "$run_dir" "${args[@]}"
      ;;
    floor)
      # The machine's floor: the schema from pg_dump --section=pre-data (timed apart), then a raw binary
      # COPY TO STDOUT | COPY FROM STDIN (FREEZE) of every table and the large objects, 2 at a time, then the
      # indexes and constraints (pg_restore -j2 --section=post-data), then the sequences' values.
      mkdir -p "$run_dir"
      createdb -h 127.0.0.1 -p "$TGT_PORT" -U postgres benchdb
      echo "floor schema started $(date +%s.%N)"
      # Large objects (metadata and data) come with the copy below.
      pg_dump -Fc --section=pre-data --no-blobs -f "$run_dir/pre.dump" "$SRC_URI"
      pg_restore --exit-on-error -d "$TGT_URI" "$run_dir/pre.dump"
      pg_dump -Fc --section=post-data -f "$run_dir/post.dump" "$SRC_URI"
      echo "floor copy started $(date +%s.%N)"
      { psql -X -At -h 127.0.0.1 -p "$SRC_PORT" -U postgres -d benchdb -c "
          SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          ORDER BY pg_table_size(c.oid) DESC"
        echo "-large-objects"; } | xargs -P 2 -n 1 "$BENCH_DIR/run-offline.sh" __floor_copy
      echo "floor indexes started $(date +%s.%N)"
      pg_restore --exit-on-error -j2 -d "$TGT_URI" "$run_dir/post.dump"
      psql -X -At -h 127.0.0.1 -p "$SRC_PORT" -U postgres -d benchdb -c "
          SELECT format('SELECT pg_catalog.setval(%L, %s, %L);', format('%I.%I', schemaname, sequencename),
                        coalesce(last_value, start_value), last_value IS NOT NULL) FROM pg_sequences" \
        | psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$TGT_PORT" -U postgres -d benchdb >/dev/null
      echo "floor done $(date +%s.%N)"
      exit 0
      ;;
    pgcopydb | pgcopydb+*)
      # pgcopydb 0.10 needs the target database to exist; creating it is part of the timed work.
      createdb -h 127.0.0.1 -p "$TGT_PORT" -U postgres benchdb
      extra=()
      # pgcopydb+--index-jobs=2: options after the defaults override them.
      [[ "$variant" == pgcopydb+* ]] && IFS='+' read -r -a extra <<<"${variant#pgcopydb+}"
      exec pgcopydb clone --source "$SRC_URI" --target "$TGT_URI" --table-jobs 4 --index-jobs 4 --dir "$run_dir" \
        "${extra[@]}"
      ;;
    pgdump | pgdump-z0)
      createdb -h 127.0.0.1 -p "$TGT_PORT" -U postgres benchdb
      compress=()
      [ "$variant" = pgdump-z0 ] && compress=(-Z0)
      echo "pg_dump started $(date +%s.%N)"
      pg_dump -Fd -j2 "${compress[@]}" -f "$run_dir" "$SRC_URI"
      echo "pg_restore started $(date +%s.%N)"
      exec pg_restore -j2 -d "$TGT_URI" "$run_dir"
      ;;
    *)
      echo "unknown variant '$variant' (known: pgmigrate, pgmigrate-noverify, pgmigrate+ARG+ARG..., pgcopydb, pgcopydb+ARG+ARG..., pgdump, pgdump-z0)" >&2
      exit 2
      ;;
  esac
fi

# One table of the floor (see the floor variant): binary COPY out of the source into COPY FREEZE on the target.
if [ "${1:-}" = "__floor_copy" ]; then
  if [ "$2" = "-large-objects" ]; then
    # The large objects, created and filled (sequences are set apart). '*.*', not '*': a bare '*' matches only the
    # tables of the search path's schemas, and every other schema's rows would be copied twice.
    pg_dump -Fc --data-only --exclude-table-data='*.*' "$SRC_URI" | pg_restore --exit-on-error -d "$TGT_URI"
    exit 0
  fi
  psql -X -q -h 127.0.0.1 -p "$SRC_PORT" -U postgres -d benchdb -c "COPY $2 TO STDOUT (FORMAT binary)" \
    | psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$TGT_PORT" -U postgres -d benchdb -c "BEGIN" -c "TRUNCATE $2" \
        -c "COPY $2 FROM STDIN (FORMAT binary, FREEZE)" -c "COMMIT"
  exit 0
fi

# shellcheck source=lib/clusters.sh
. "$BENCH_DIR/lib/clusters.sh"
# shellcheck source=lib/measure.sh
. "$BENCH_DIR/lib/measure.sh"

BENCH_SCALE="${BENCH_SCALE:-1}"
BENCH_RUNS="${BENCH_RUNS:-3}"
BENCH_VARIANTS="${BENCH_VARIANTS:-pgmigrate pgmigrate-noverify pgcopydb pgdump pgdump-z0}"
export BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx256m}"
BENCH_WORK="${BENCH_WORK:-$BENCH_DIR/work}"
BENCH_KEEP="${BENCH_KEEP:-0}"
BENCH_REUSE="${BENCH_REUSE:-0}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/out/$stamp}"
BENCH_CORPUS="${BENCH_CORPUS:-mixed}"
BENCH_PGBENCH_SCALE="${BENCH_PGBENCH_SCALE:-30}"
BENCH_TABLES="${BENCH_TABLES:-2000}"
BENCH_AFTER="${BENCH_AFTER:-60}"
case "$BENCH_CORPUS" in
  mixed) full_size=$(awk -v s="$BENCH_SCALE" 'BEGIN { print (s >= 1) ? 1 : 0 }') ;;
  bigtable) full_size=$([ "$BENCH_PGBENCH_SCALE" -ge 30 ] && echo 1 || echo 0) ;;
  smalltables) full_size=$(awk -v s="$BENCH_SCALE" -v t="$BENCH_TABLES" 'BEGIN { print (s >= 1 && t >= 2000) ? 1 : 0 }') ;;
  *) echo "BENCH_CORPUS must be mixed, bigtable or smalltables, not '$BENCH_CORPUS'" >&2; exit 2 ;;
esac
corpus_key="$BENCH_CORPUS scale=$BENCH_SCALE pgbench=$BENCH_PGBENCH_SCALE tables=$BENCH_TABLES"
if [ "$full_size" = 1 ]; then
  BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/RESULTS.md}"
else
  # A smoke run never overwrites the recorded figures.
  BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_OUT/RESULTS.md}"
fi

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites. Only what is missing is installed; PostgreSQL packages are never touched.
# ---------------------------------------------------------------------------------------------------------------
apt_install() {
  [ "$(id -u)" -eq 0 ] || die "$1 is missing; install it (apt-get install -y $1) and rerun"
  say "installing $1 (apt-get install -y $1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade "$1" >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-upgrade "$1" >/dev/null; } \
    || die "could not install $1"
}

for b in initdb pg_ctl postgres pg_dump pg_restore psql createdb; do
  [ -x "$PG_BIN/$b" ] || die "$PG_BIN/$b is missing: PostgreSQL 15 server and client are needed (postgresql-15)"
done
command -v pgcopydb >/dev/null 2>&1 || apt_install pgcopydb
# GNU time gives the peak RSS of the largest process; without it, /proc polling alone measures memory.
[ -x /usr/bin/time ] || apt_install time || true
command -v java >/dev/null 2>&1 || die "java is missing (apt-get install -y openjdk-17-jdk-headless)"

mkdir -p "$BENCH_OUT/runs"
say "output: $BENCH_OUT"
say "building pgmigrate if needed"
"$REPO_DIR/pgmigrate" --version >"$BENCH_OUT/pgmigrate-version.txt" 2>&1 || { cat "$BENCH_OUT/pgmigrate-version.txt" >&2; die "pgmigrate does not build"; }
"$REPO_DIR/pgmigrate" --version >"$BENCH_OUT/pgmigrate-version.txt" 2>&1

# ---------------------------------------------------------------------------------------------------------------
# Clusters (always stopped at exit; removed unless BENCH_KEEP=1)
# ---------------------------------------------------------------------------------------------------------------
CURRENT_PIDS=""
GEN_PIDS=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in $CURRENT_PIDS $GEN_PIDS; do
    kill "$p" 2>/dev/null || true
  done
  cluster_stop target
  cluster_stop source
  if [ "$BENCH_KEEP" = 1 ]; then
    say "clusters stopped; data kept in $BENCH_WORK (BENCH_KEEP=1)"
  else
    rm -rf "$BENCH_WORK"
    say "clusters stopped and removed"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

reuse=0
if [ "$BENCH_REUSE" = 1 ] && [ "$(cat "$BENCH_WORK/corpus-scale" 2>/dev/null)" = "$corpus_key" ]; then
  reuse=1
fi
if [ -d "$BENCH_WORK" ] && [ "$reuse" = 0 ]; then
  cluster_stop target
  cluster_stop source
  rm -rf "$BENCH_WORK"
fi
mkdir -p "$BENCH_WORK"
chmod 755 "$BENCH_WORK"

SRC_PORT=$(free_port)
TGT_PORT=$(free_port)
while [ "$TGT_PORT" = "$SRC_PORT" ]; do TGT_PORT=$(free_port); done
if [ "$reuse" = 1 ]; then
  say "reusing the corpus in $BENCH_WORK (BENCH_REUSE=1)"
  # The last setting in postgresql.conf wins: today's settings and the new ports apply.
  { printf '%s\n' "${BENCH_PG_SETTINGS[@]}"; echo "port = $SRC_PORT"; } | as_pg tee -a "$BENCH_WORK/source/data/postgresql.conf" >/dev/null
  { printf '%s\n' "${BENCH_PG_SETTINGS[@]}"; echo "port = $TGT_PORT"; } | as_pg tee -a "$BENCH_WORK/target/data/postgresql.conf" >/dev/null
else
  cluster_init source "$SRC_PORT"
  cluster_init target "$TGT_PORT"
fi
cluster_start source
cluster_start target
export SRC_PORT TGT_PORT REPO_DIR
export SRC_URI="postgresql://postgres@127.0.0.1:$SRC_PORT/benchdb"
export TGT_URI="postgresql://postgres@127.0.0.1:$TGT_PORT/benchdb"
say "source on port $SRC_PORT, target on port $TGT_PORT (PostgreSQL $(psql_at "$SRC_PORT" postgres -c 'SHOW server_version'))"

# ---------------------------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------------------------
generate_start() {
  gen_started=$(date +%s)
  psql_at "$SRC_PORT" postgres -c "CREATE DATABASE benchdb"
}
generate_end() {
  psql_at "$SRC_PORT" benchdb -c "VACUUM (FREEZE, ANALYZE)"
  psql_at "$SRC_PORT" postgres -c "CHECKPOINT"
  echo "$corpus_key" >"$BENCH_WORK/corpus-scale"
  say "corpus generated in $(( $(date +%s) - gen_started )) s"
}
[ "$reuse" = 1 ] && psql_at "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS benchdb"

if [ "$BENCH_CORPUS" = mixed ]; then
  EVENTS_ROWS=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 12000000 * s }')
  DOCS_ROWS=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 30000 * s }')
  MID_BASE=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 2000 * s }')
  MID_STEP=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 80 * s }')

  if [ "$reuse" = 0 ]; then
    say "generating the corpus (scale $BENCH_SCALE: events $EVENTS_ROWS rows, docs $DOCS_ROWS rows, 200 mid tables)"
    gen_started=$(date +%s)
    psql_at "$SRC_PORT" postgres -c "CREATE DATABASE benchdb"
    psql_at "$SRC_PORT" benchdb -f "$BENCH_DIR/sql/schema.sql"
    # The large table in one session, everything else in another: the two cores both work.
    psql_at "$SRC_PORT" benchdb -v events_rows="$EVENTS_ROWS" -f "$BENCH_DIR/sql/events.sql" &
    GEN_PIDS="$!"
    psql_at "$SRC_PORT" benchdb -v mid_base="$MID_BASE" -v mid_step="$MID_STEP" -v docs_rows="$DOCS_ROWS" \
      -f "$BENCH_DIR/sql/rest.sql" >/dev/null
    wait "$GEN_PIDS"
    GEN_PIDS=""
    psql_at "$SRC_PORT" benchdb -f "$BENCH_DIR/sql/finish.sql"
    psql_at "$SRC_PORT" benchdb -c "VACUUM (FREEZE, ANALYZE)"
    psql_at "$SRC_PORT" postgres -c "CHECKPOINT"
    echo "$corpus_key" >"$BENCH_WORK/corpus-scale"
    say "corpus generated in $(( $(date +%s) - gen_started )) s"
  else
    psql_at "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS benchdb"
  fi

  # The corpus's shape, for RESULTS.md.
  CORPUS=$(psql_at "$SRC_PORT" benchdb -F '|' -c "
    SELECT pg_size_pretty(pg_database_size('benchdb')),
           pg_database_size('benchdb'),
           (SELECT count(*) FROM public.events),
           pg_size_pretty(pg_table_size('public.events')),
           pg_size_pretty(pg_indexes_size('public.events')),
           (SELECT count(*) FROM public.docs),
           pg_size_pretty(pg_table_size('public.docs')),
           pg_size_pretty((SELECT sum(pg_relation_size(reltoastrelid)) FROM pg_class WHERE oid = 'public.docs'::regclass)),
           (SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE schemaname = 'mid'),
           pg_size_pretty((SELECT sum(pg_table_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'mid' AND c.relkind = 'r')),
           pg_size_pretty((SELECT sum(pg_indexes_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'mid' AND c.relkind = 'r'))")
  IFS='|' read -r DB_SIZE DB_BYTES EV_ROWS EV_SIZE EV_IDX DOC_ROWS DOC_SIZE DOC_TOAST MID_ROWS MID_SIZE MID_IDX <<<"$CORPUS"
  CORPUS_DESC="database \`benchdb\` $DB_SIZE on disk: \`public.events\` $EV_ROWS rows, $EV_SIZE heap +
  $EV_IDX in 4 indexes (bigint PK, 3 secondary); \`public.docs\` $DOC_ROWS rows, $DOC_SIZE (TOAST $DOC_TOAST: text, jsonb,
  bytea); 200 tables \`mid.t001..t200\` with $MID_ROWS rows, $MID_SIZE + $MID_IDX in indexes (PK + 1 secondary each)."
  say "benchdb: $DB_SIZE; events $EV_ROWS rows ($EV_SIZE + $EV_IDX indexes); docs $DOC_ROWS rows ($DOC_SIZE, TOAST $DOC_TOAST); 200 mid tables $MID_ROWS rows ($MID_SIZE + $MID_IDX indexes)"
  if [ "$full_size" = 1 ] && [ "$DB_BYTES" -lt $((1536 * 1024 * 1024)) ]; then
    die "the corpus is $DB_SIZE, below the required 1.5 GB"
  fi

  # A cheap fingerprint of the result: row counts, TOAST bytes, a sample's hash, index/constraint counts, a sequence.
  CHECK_SQL="
    SELECT concat_ws(' ',
      (SELECT count(*) FROM public.events),
      (SELECT md5(string_agg(note, ',' ORDER BY id)) FROM public.events WHERE id BETWEEN $((EVENTS_ROWS / 2 - 5000)) AND $((EVENTS_ROWS / 2 + 5000))),
      (SELECT count(*) FROM public.docs),
      (SELECT sum(octet_length(blob)) + sum(octet_length(body)) FROM public.docs),
      (SELECT count(*) FROM mid.t001), (SELECT count(*) FROM mid.t137), (SELECT count(*) FROM mid.t200),
      (SELECT count(*) FROM pg_indexes WHERE schemaname IN ('public', 'mid')),
      (SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname IN ('public', 'mid')),
      (SELECT last_value FROM mid.t200_id_seq))"
elif [ "$BENCH_CORPUS" = bigtable ]; then
  if [ "$reuse" = 0 ]; then
    say "generating the corpus (pgbench -i -s $BENCH_PGBENCH_SCALE)"
    generate_start
    pgbench -i -q -s "$BENCH_PGBENCH_SCALE" -h 127.0.0.1 -p "$SRC_PORT" -U postgres benchdb >"$BENCH_OUT/pgbench-init.log" 2>&1
    generate_end
  fi
  IFS='|' read -r DB_SIZE DB_BYTES ACC_ROWS ACC_SIZE ACC_IDX <<<"$(psql_at "$SRC_PORT" benchdb -F '|' -c "
    SELECT pg_size_pretty(pg_database_size('benchdb')), pg_database_size('benchdb'),
           (SELECT count(*) FROM public.pgbench_accounts), pg_size_pretty(pg_table_size('public.pgbench_accounts')),
           pg_size_pretty(pg_indexes_size('public.pgbench_accounts'))")"
  CORPUS_DESC="\`pgbench -i -s $BENCH_PGBENCH_SCALE\`: database \`benchdb\` $DB_SIZE on disk; \`pgbench_accounts\` $ACC_ROWS rows,
  $ACC_SIZE heap + $ACC_IDX primary key; \`pgbench_branches\`, \`pgbench_tellers\` (tiny) and an empty \`pgbench_history\`."
  say "benchdb: $DB_SIZE; pgbench_accounts $ACC_ROWS rows ($ACC_SIZE + $ACC_IDX)"
  mid=$((ACC_ROWS / 2))
  CHECK_SQL="
    SELECT concat_ws(' ',
      (SELECT count(*) FROM public.pgbench_accounts), (SELECT count(*) FROM public.pgbench_branches),
      (SELECT count(*) FROM public.pgbench_tellers),
      (SELECT md5(string_agg(aid || ':' || bid || ':' || filler, ',' ORDER BY aid)) FROM public.pgbench_accounts
        WHERE aid BETWEEN $((mid - 5000)) AND $((mid + 5000))),
      (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'),
      (SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'))"
else
  if [ "$reuse" = 0 ]; then
    say "generating the corpus ($BENCH_TABLES small tables, partitions, TOAST, large objects; scale $BENCH_SCALE)"
    generate_start
    psql_at "$SRC_PORT" benchdb -v tables="$BENCH_TABLES" -v scale="$BENCH_SCALE" -f "$BENCH_DIR/sql/smalltables.sql" >/dev/null
    generate_end
  fi
  IFS='|' read -r DB_SIZE DB_BYTES NTABLES NROWS TBL_SIZE IDX_SIZE NIDX NLO DOC_TOAST <<<"$(psql_at "$SRC_PORT" benchdb -F '|' -c "
    SELECT pg_size_pretty(pg_database_size('benchdb')), pg_database_size('benchdb'),
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app' AND c.relkind = 'r'),
           (SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE schemaname = 'app'),
           pg_size_pretty((SELECT sum(pg_table_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'app' AND c.relkind = 'r')),
           pg_size_pretty((SELECT sum(pg_indexes_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'app' AND c.relkind = 'r')),
           (SELECT count(*) FROM pg_indexes WHERE schemaname = 'app'),
           (SELECT count(*) FROM pg_largeobject_metadata),
           pg_size_pretty((SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'app.documents'::regclass))")"
  CORPUS_DESC="database \`benchdb\` $DB_SIZE on disk: $NTABLES tables in schema \`app\` ($BENCH_TABLES plain ones, bigserial key
  and a (tenant_id, created_at) index each, most with 10-50 rows, one in 10 with 500, one in 100 with 5,000; 24 monthly
  range partitions of \`app.events\`; 16 hash partitions of \`app.audit\`; TOAST-heavy \`app.documents\`, TOAST $DOC_TOAST),
  $NROWS rows, $TBL_SIZE + $IDX_SIZE in $NIDX indexes; $NLO large objects of 64 kB."
  say "benchdb: $DB_SIZE; $NTABLES tables, $NROWS rows, $TBL_SIZE + $IDX_SIZE indexes, $NLO large objects"
  t=$(printf 't%04d' $((BENCH_TABLES < 100 ? BENCH_TABLES : 100)))
  CHECK_SQL="
    SELECT concat_ws(' ',
      (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app' AND c.relkind = 'r'),
      (SELECT count(*) FROM app.t0001), (SELECT count(*) FROM app.$t), (SELECT count(*) FROM app.events),
      (SELECT count(*) FROM app.audit),
      (SELECT md5(string_agg(id || ':' || name || ':' || settings::text, ',' ORDER BY id)) FROM app.$t),
      (SELECT sum(octet_length(body)) + sum(octet_length(attachment)) FROM app.documents),
      (SELECT count(*) FROM pg_largeobject_metadata),
      (SELECT md5(string_agg(md5(lo_get(oid)), ',' ORDER BY oid)) FROM pg_largeobject_metadata),
      (SELECT count(*) FROM pg_indexes WHERE schemaname = 'app'),
      (SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'app'),
      (SELECT last_value FROM app.${t}_id_seq))"
fi
EXPECTED=$(psql_at "$SRC_PORT" benchdb -c "$CHECK_SQL")
say "expected fingerprint: $EXPECTED"

# The target's WAL, warmed once for every variant alike. A fresh cluster has one WAL segment: the first load
# creates (zero-fills and fsyncs) a new 16 MB file for every segment it writes, while every later one recycles the
# files its predecessors left (max_wal_size keeps them). The first run of round 1 (always the same variant) paid
# 1.5-2.9 s more for pgbench scale 30 than its later runs. A throwaway table of the corpus's size leaves as much WAL
# (rows of 1 kB: under the TOAST threshold, so nothing is compressed away).
warm_target_wal() {
  local bytes
  bytes=$(psql_at "$SRC_PORT" benchdb -c "SELECT pg_database_size('benchdb')")
  psql_at "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS bench_warm" -c "CREATE DATABASE bench_warm"
  psql_at "$TGT_PORT" bench_warm -c "CREATE TABLE warm AS SELECT g, repeat('w', 1000) AS pad
                                       FROM generate_series(1, $((bytes / 1040 + 1))) g"
  psql_at "$TGT_PORT" postgres -c "DROP DATABASE bench_warm" -c "CHECKPOINT"
}
say "warming the target's WAL ($(psql_at "$SRC_PORT" benchdb -c "SELECT pg_size_pretty(pg_database_size('benchdb'))") of writes)"
warm_target_wal

# ---------------------------------------------------------------------------------------------------------------
# Runs: every round runs every variant, in an order rotated by one each round (spreads cache and neighbour effects).
# ---------------------------------------------------------------------------------------------------------------
read -r -a variants <<<"$BENCH_VARIANTS"
TSV="$BENCH_OUT/runs.tsv"
printf 'round\tvariant\twall_s\trc\tcheck\tmax_rss_kb\ttree_pss_kb\theap_peak_mb\theap_committed_mb\tload1\ttool_cpu_s\tserver_cpu_s\tcpu_s\theap_live_mb\tsource_cpu_s\ttarget_cpu_s\tautovacuum_runs\tautovacuum_after\ttarget_cpu_after_s\tfloor_schema_s\tfloor_copy_s\tfloor_indexes_s\n' >"$TSV"
failures=0

prepare_target() {
  psql_at "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS benchdb"
  # Start every run from clean buffers: no run pays for the previous one's dirty pages.
  psql_at "$TGT_PORT" postgres -c "CHECKPOINT"
  psql_at "$SRC_PORT" postgres -c "CHECKPOINT"
  sync
}

# From a -Xlog:gc file ("45M->12M(256M)"): the peak heap used (before a collection), the peak live heap (after a
# collection) and the peak committed heap, in MB.
gc_peaks() {
  if [ -s "$1" ] && grep -qE '[0-9]+M->[0-9]+M\(' "$1"; then
    grep -oE '[0-9]+M->[0-9]+M\([0-9]+M\)' "$1" | awk -F'[M>(-]+' '
      { if ($1 > u) u = $1; if ($2 > l) l = $2; if ($3 > c) c = $3 } END { printf "%d %d %d", u, l, c }'
  else
    echo "- - -"
  fi
}

for round in $(seq 1 "$BENCH_RUNS"); do
  n=${#variants[@]}
  for i in $(seq 0 $((n - 1))); do
    variant=${variants[$(((i + round - 1) % n))]}
    run_id="r$round-$variant"
    prepare_target
    load1=$(cut -d' ' -f1 /proc/loadavg)
    log_offset=$(stat -c %s "$BENCH_WORK/target/server.log")
    say "round $round/$BENCH_RUNS: $variant (load $load1)"
    measure "$BENCH_OUT/runs/$run_id" "$BENCH_DIR/run-offline.sh" __variant "$variant" "$BENCH_WORK/runs/$run_id"
    check="ok"
    if [ "$MEASURED_RC" -ne 0 ]; then
      check="exit-$MEASURED_RC"
    else
      got=$(psql_at "$TGT_PORT" benchdb -c "$CHECK_SQL" 2>&1 || true)
      if [ "$got" != "$EXPECTED" ]; then
        check="mismatch"
        echo "expected: $EXPECTED" >>"$BENCH_OUT/runs/$run_id.log"
        echo "got:      $got" >>"$BENCH_OUT/runs/$run_id.log"
      fi
    fi
    heap="- - -"
    [[ "$variant" == pgmigrate* || "$variant" == jar-* ]] && heap=$(gc_peaks "$BENCH_WORK/runs/$run_id.gc")
    [ -f "$BENCH_WORK/runs/$run_id.gc" ] && cp "$BENCH_WORK/runs/$run_id.gc" "$BENCH_OUT/runs/" || true
    read -r heap_peak heap_live heap_committed <<<"$heap"
    cpu=$(awk -v a="$MEASURED_TOOL_CPU" -v b="$MEASURED_SERVER_CPU" 'BEGIN { printf "%.1f", a + b }')
    # Autovacuum runs on the target during the run (log_autovacuum_min_duration = 0 logs each one), then during
    # BENCH_AFTER seconds after it (what a tool leaves behind), with the target's CPU meanwhile.
    after_offset=$(stat -c %s "$BENCH_WORK/target/server.log")
    autovacuums=$(head -c "$after_offset" "$BENCH_WORK/target/server.log" | tail -c +"$((log_offset + 1))" | grep -c 'automatic \(vacuum\|analyze\)' || true)
    autovacuums_after="-" target_cpu_after="-"
    if [ "$BENCH_AFTER" -gt 0 ]; then
      ticks_a=$(cluster_cpu_ticks target)
      sleep "$BENCH_AFTER"
      ticks_b=$(cluster_cpu_ticks target)
      target_cpu_after=$(awk -v a="$ticks_a" -v b="$ticks_b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz }')
      autovacuums_after=$(tail -c +"$((after_offset + 1))" "$BENCH_WORK/target/server.log" | grep -c 'automatic \(vacuum\|analyze\)' || true)
    fi
    # Which tables autovacuum worked on, during and after, for the record.
    tail -c +"$((log_offset + 1))" "$BENCH_WORK/target/server.log" | grep 'automatic \(vacuum\|analyze\)' \
      >"$BENCH_OUT/runs/$run_id.autovacuum" || true
    floor_phases="- - -"
    if [ "$variant" = floor ]; then
      floor_phases=$(awk '/^floor (schema|copy|indexes) started|^floor done/ { t[++n] = $NF }
        END { if (n == 4) printf "%.1f %.1f %.1f", t[2] - t[1], t[3] - t[2], t[4] - t[3]; else print "- - -" }' "$BENCH_OUT/runs/$run_id.log")
    fi
    read -r floor_schema floor_copy floor_indexes <<<"$floor_phases"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$variant" "$MEASURED_WALL" \
      "$MEASURED_RC" "$check" "$MEASURED_MAXRSS_KB" "$MEASURED_TREE_PSS_KB" "$heap_peak" "$heap_committed" "$load1" \
      "$MEASURED_TOOL_CPU" "$MEASURED_SERVER_CPU" "$cpu" "$heap_live" "$MEASURED_SOURCE_CPU" "$MEASURED_TARGET_CPU" \
      "$autovacuums" "$autovacuums_after" "$target_cpu_after" "$floor_schema" "$floor_copy" "$floor_indexes" >>"$TSV"
    say "  $variant: ${MEASURED_WALL}s, CPU ${MEASURED_TOOL_CPU}s tool + ${MEASURED_SOURCE_CPU}s source + ${MEASURED_TARGET_CPU}s target, max RSS $((MEASURED_MAXRSS_KB / 1024)) MB, tree PSS $((MEASURED_TREE_PSS_KB / 1024)) MB, heap peak ${heap_peak} MB, autovacuum $autovacuums during + $autovacuums_after after (target CPU after ${target_cpu_after}s), check $check"
    if [ "$check" != ok ]; then
      failures=$((failures + 1))
      say "  FAILED: see $BENCH_OUT/runs/$run_id.log"
      tail -n 5 "$BENCH_OUT/runs/$run_id.log" | sed 's/^/    /'
    fi
    rm -rf "$BENCH_WORK/runs/$run_id"
  done
done
psql_at "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS benchdb"

# ---------------------------------------------------------------------------------------------------------------
# Medians, ratios, RESULTS.md
# ---------------------------------------------------------------------------------------------------------------
# median VARIANT COLUMN: the median of a column over the variant's successful runs ("-" when none).
median() {
  awk -F'\t' -v v="$1" -v c="$2" 'NR > 1 && $2 == v && $5 == "ok" && $c != "-" { print $c }' "$TSV" | sort -g \
    | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
count_ok() { awk -F'\t' -v v="$1" 'NR > 1 && $2 == v && $5 == "ok"' "$TSV" | wc -l; }
count_all() { awk -F'\t' -v v="$1" 'NR > 1 && $2 == v' "$TSV" | wc -l; }
walls() { awk -F'\t' -v v="$1" 'NR > 1 && $2 == v { printf "%s%s%s", sep, $3, ($5 == "ok" ? "" : "(" $5 ")"); sep = ", " }' "$TSV"; }
mb() { [ "$1" = "-" ] && echo "-" || awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { { [ "$1" = "-" ] || [ "$2" = "-" ]; } && echo "-" || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

table=$'| variant | runs ok | median wall (s) | all runs (s) | median CPU (s): tool + source + target = total | autovacuum runs on the target: during / in the '"$BENCH_AFTER"$' s after | target CPU in the '"$BENCH_AFTER"$' s after (s) | max RSS, largest process (MB) | peak PSS, whole tree (MB) | JVM heap (MB): peak used / peak live after GC / committed |\n|---|---|---|---|---|---|---|---|---|---|'
for v in "${variants[@]}"; do
  heap="-"
  [[ "$v" == pgmigrate* || "$v" == jar-* ]] && heap="$(median "$v" 8) / $(median "$v" 14) / $(median "$v" 9) (bound \`${BENCH_JAVA_OPTS}\`)"
  table+=$'\n'"| \`$v\` | $(count_ok "$v")/$(count_all "$v") | $(median "$v" 3) | $(walls "$v") | $(median "$v" 11) + $(median "$v" 15) + $(median "$v" 16) = $(median "$v" 13) | $(median "$v" 17) / $(median "$v" 18) | $(median "$v" 19) | $(mb "$(median "$v" 6)") | $(mb "$(median "$v" 7)") | $heap |"
done

# The floor's core (raw copy + index builds, without the schema): median over its runs of the sum of both phases.
floor_core=$(awk -F'\t' 'NR > 1 && $2 == "floor" && $5 == "ok" && $21 != "-" { print $21 + $22 }' "$TSV" | sort -g \
  | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
ratios=""
for p in "${variants[@]}"; do
  [[ "$p" == pgmigrate* || "$p" == jar-* ]] || continue
  for ref in "${variants[@]}"; do
    [[ "$ref" == pgdump* || "$ref" == pgcopydb* || "$ref" == floor ]] || continue
    r=$(ratio "$(median "$p" 3)" "$(median "$ref" 3)")
    target=$([[ "$ref" == pgcopydb* || "$ref" == pgdump-z0 ]] && echo 1.00 || echo 0.80)
    [ "$ref" = floor ] && target=1.15
    c=$(ratio "$(median "$p" 13)" "$(median "$ref" 13)")
    if [ "$ref" = floor ]; then
      # Against the floor's copy + indexes only (its schema restore is timed apart).
      r=$(ratio "$(median "$p" 3)" "$floor_core")
      c="-"
    fi
    verdict=$(awk -v r="$r" -v t="$target" 'BEGIN { if (r == "-") print "n/a"; else print (r + 0 <= t + 0) ? "meets" : "MISSES" }')
    what="\`$p\` / \`$ref\`"
    if [ "$ref" = floor ]; then what+=" (copy + indexes)"; fi
    ratios+="| $what | $r | <= $target | $verdict | $c |"$'\n'
  done
done
[ -n "$ratios" ] && ratios=$'| ratio of medians | wall time | target (issues 2, 13) | | CPU seconds (tool + servers) |\n|---|---|---|---|---|\n'"$ratios"
floor_line=""
if [[ " ${variants[*]} " == *" floor "* ]]; then
  floor_line="The floor's phases (median, seconds): schema (pre-data dump and restore, not in the floor) $(median floor 20); raw binary COPY of every table and the large objects, 2 at a time, $(median floor 21); indexes and constraints (pg_restore -j2 --section=post-data) $(median floor 22): floor = copy + indexes = $floor_core s."
fi

# pgmigrate's own phase times (from its summary), median per phase over the successful runs of each variant.
phases=""
for v in "${variants[@]}"; do
  [[ "$v" == pgmigrate* || "$v" == jar-* ]] || continue
  logs=()
  while IFS=$'\t' read -r r name _ _ check _; do
    [ "$name" = "$v" ] && [ "$check" = ok ] && logs+=("$BENCH_OUT/runs/r$r-$v.log")
  done < <(tail -n +2 "$TSV")
  [ "${#logs[@]}" -gt 0 ] || continue
  row=$(awk '
    /^ *Phase +Wall time/ { on = 1; next }
    on && /^ *$/ { on = 0 }
    on && $NF ~ /^[0-9.]+s$/ { name = $0; sub(/^ +/, "", name); sub(/ +[0-9.]+s$/, "", name);
                               if (!(name in seen)) { seen[name] = 1; order[++n] = name }
                               v = $NF; sub(/s$/, "", v); t[name] = t[name] " " v }
    END { for (i = 1; i <= n; i++) { k = split(t[order[i]], a, " ");
            for (x = 1; x <= k; x++) for (y = x + 1; y <= k; y++) if (a[y] + 0 < a[x] + 0) { z = a[x]; a[x] = a[y]; a[y] = z }
            m = (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
            printf "%s %s: %.1f", (i > 1 ? ";" : ""), order[i], m } }' "${logs[@]}")
  phases+="- \`$v\`:$row"$'\n'
done
[ -n "$phases" ] && phases=$'pgmigrate\'s phase wall times (median per phase, seconds, from its summary; index builds overlap the copy):\n\n'"$phases"

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
dev=$(df --output=source "$BENCH_WORK" | tail -n 1)
disk="$dev ($(df -h --output=size "$BENCH_WORK" | tail -n 1 | tr -d ' '), $(lsblk -ndo ROTA "$dev" 2>/dev/null | awk '{ print ($1 == 1) ? "reported rotational (virtual disk)" : "non-rotational" }'))"
case "$BENCH_CORPUS" in
  mixed) title="Offline clone (generated by \`bench/run-offline.sh\`)"; marker="offline" ;;
  bigtable) title="Offline clone, one big table (generated by \`BENCH_CORPUS=bigtable bench/run-offline.sh\`)"; marker="offline-bigtable" ;;
  smalltables) title="Offline clone, many small tables (generated by \`BENCH_CORPUS=smalltables bench/run-offline.sh\`)"; marker="offline-smalltables" ;;
esac
jars=""
for v in "${variants[@]}"; do
  if [[ "$v" == jar-* ]]; then
    label="${v#jar-}"; label="${label%%+*}"; jar_var="BENCH_JAR_$label"
    jars+="
  - \`$v\`: \`java $BENCH_JAVA_OPTS -jar ${!jar_var} clone ...\` (another build of pgmigrate, named in the findings below), same options."
  fi
done
section="## $title

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); pgmigrate commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
- Machine: $(nproc) vCPU ($cpu_model), $ram RAM, disk $disk, $(uname -r). The 2 vCPUs were shared with
  other engineers' builds and tests during the runs (1-minute load average at the start of each run: $(awk -F'\t' 'NR > 1 { printf "%s%s", s, $10; s = ", " }' "$TSV")).
- PostgreSQL: $(postgres --version | sed 's/postgres (PostgreSQL) //'), source and target on the same machine, settings for both:
  \`$(printf '%s; ' "${BENCH_PG_SETTINGS[@]:0:6}")\` (the rest default: maintenance_work_mem 64MB, synchronous_commit on).
- Tools: $(head -n 1 "$BENCH_OUT/pgmigrate-version.txt"); $(pgcopydb --version 2>/dev/null | head -n 1); $(pg_dump --version); $(java -version 2>&1 | head -n 1).
- Corpus \`$BENCH_CORPUS\` ($corpus_key): $CORPUS_DESC
- Commands (each run starts with no target database, after a CHECKPOINT on both servers):
  - \`pgmigrate\`: \`./pgmigrate clone --source URI --target URI --dir FRESH\` (default options: 4 table jobs,
    2 index jobs, split above 1GB, auto COPY format, verify and analyze on); JVM \`$BENCH_JAVA_OPTS\`.
  - \`pgmigrate-noverify\`: the same with \`--skip-verify\`.
  - \`pgcopydb\`: \`createdb\`, then \`pgcopydb clone --source URI --target URI --table-jobs 4 --index-jobs 4 --dir FRESH\`.
    \`pgcopydb+ARG\` (if run) adds ARG, e.g. \`--index-jobs=2\` as pgmigrate's default.
  - \`pgdump\`: \`createdb\`, then \`pg_dump -Fd -j2 -f DIR\` and \`pg_restore -j2 -d URI DIR\` (default compression, gzip).
  - \`pgdump-z0\`: the same with \`pg_dump -Z0\` (no compression): on a CPU-bound machine gzip dominates pg_dump's
    time, so this is the stricter reference for the 0.8x target. pg_restore does not ANALYZE; pgmigrate (ANALYZE)
    and pgcopydb (VACUUM ANALYZE) do, inside their timed runs.
  - \`floor\`: the machine's floor. \`createdb\`, the schema from \`pg_dump -Fc --section=pre-data\` + \`pg_restore\`
    (timed apart), then a raw \`COPY t TO STDOUT (FORMAT binary) | COPY t FROM STDIN (FORMAT binary, FREEZE)\` (after a
    TRUNCATE in the same transaction) of every table, largest first, and the large objects' data, 2 at a time, then
    \`pg_restore -j2 --section=post-data\` (indexes, keys, foreign keys), then the sequences' values. Its ratio uses
    copy + indexes only.$jars
- Autovacuum: runs logged by the target (\`log_autovacuum_min_duration = 0\`: automatic vacuum and analyze) while
  the tool ran, then in the $BENCH_AFTER s after it exited (\`BENCH_AFTER\`), with the target's CPU in that window:
  the work a tool leaves behind for after it says done.
- Runs: $BENCH_RUNS rounds, order rotated each round, after the target's WAL was warmed once with as many bytes as the corpus (a fresh cluster's first load would create every WAL file it writes, later ones recycle them); a run counts only if the tool exits 0 and the target's
  fingerprint (row counts, a 10k-row hash of events, TOAST bytes, index/constraint counts, a sequence) equals the
  source's. CPU seconds are the tool's (user + system, GNU time) plus both servers' (from /proc, backends and
  autovacuum included): unlike wall time, they do not depend on how busy the neighbours keep the 2 vCPUs. Raw data: \`runs.tsv\` and per-run logs in \`${BENCH_OUT#"$REPO_DIR"/}\` (not committed).

$table

$ratios
$floor_line

$phases"

printf '\n%s\n' "$section"

if [ "$marker" = offline ]; then
  begin='<!-- BEGIN offline: generated by bench/run-offline.sh, replaced on each full-size run -->'
else
  begin="<!-- BEGIN $marker: generated by BENCH_CORPUS=$BENCH_CORPUS bench/run-offline.sh, replaced on each full-size run -->"
fi
end="<!-- END $marker -->"
if [ ! -f "$BENCH_RESULTS" ]; then
  mkdir -p "$(dirname "$BENCH_RESULTS")"
  cat >"$BENCH_RESULTS" <<EOF
# pgmigrate benchmark results

$begin
$end

<!-- BEGIN online: reserved for bench/run-online.sh (issue 4: apply rate, latency under pgbench -R, cutover time,
     pgmigrate vs pgcopydb clone --follow vs native logical replication) -->
## Online migration (CDC)

Not measured yet: \`bench/run-online.sh\` arrives with issue 4.
<!-- END online -->
EOF
fi
if ! grep -qF "$begin" "$BENCH_RESULTS"; then
  # A corpus's first full-size run: its section goes before the online one (or at the end).
  awk -v b="$begin" -v e="$end" '
    /^<!-- BEGIN online/ && !done { print b; print e; print ""; done = 1 }
    { print }
    END { if (!done) { print ""; print b; print e } }' "$BENCH_RESULTS" >"$BENCH_RESULTS.tmp"
  mv "$BENCH_RESULTS.tmp" "$BENCH_RESULTS"
fi
section_file="$BENCH_OUT/offline-section.md"
printf '%s\n' "$section" >"$section_file"
awk -v b="$begin" -v e="$end" -v f="$section_file" '
  $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
  $0 == e { skip = 0 }
  !skip { print }' "$BENCH_RESULTS" >"$BENCH_RESULTS.tmp"
mv "$BENCH_RESULTS.tmp" "$BENCH_RESULTS"
say "results written to $BENCH_RESULTS"

if [ "$failures" -gt 0 ]; then
  die "$failures run(s) failed or produced a wrong copy; see $BENCH_OUT/runs"
fi
