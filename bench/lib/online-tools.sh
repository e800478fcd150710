# The three replication tools of the online benchmark, behind one interface (sourced by run-online.sh):
#
#   <tool>_start     create what the target needs, start replication with its initial copy (returns at once or
#                    when the copy is done; the caller then waits for the marker)
#   <tool>_pause     stop consuming changes entirely (the source's WAL becomes a backlog); the slot stays
#   <tool>_resume    start consuming again, from where it stopped
#   <tool>_cutover   the tool's cutover on an idle source: apply up to the source's current position, sequences,
#                    drop the replication objects; returns when done
#   <tool>_teardown  stop whatever is still running and drop leftovers (also after a failure)
#
# Tools: pgmigrate (the engine's OnlineMigration through bench/online/OnlineHarness.java), pgmigrate-service (the
# same engine through `pgmigrate serve`, its CLI and REST API), pgcopydb (clone --follow, wal2json), native
# (CREATE PUBLICATION / CREATE SUBSCRIPTION).

# ---- pgmigrate ------------------------------------------------------------------------------------------------

PGM_PID=""

pgm_event() {
  local name="$1" timeout="$2" started
  started=$(date +%s)
  while :; do
    if grep -q "^EVENT [0-9]* failed" "$RUN_OUT/pgmigrate-harness.log" 2>/dev/null; then
      grep "^EVENT [0-9]* failed" "$RUN_OUT/pgmigrate-harness.log" | head -n 1 >&2
      return 1
    fi
    if grep -q "^EVENT [0-9]* $name" "$RUN_OUT/pgmigrate-harness.log" 2>/dev/null; then
      grep "^EVENT [0-9]* $name" "$RUN_OUT/pgmigrate-harness.log" | tail -n 1
      return 0
    fi
    if ! kill -0 "$PGM_PID" 2>/dev/null; then
      echo "the pgmigrate harness exited; see $RUN_OUT/pgmigrate-harness.err" >&2
      return 1
    fi
    if [ $(($(date +%s) - started)) -gt "$timeout" ]; then
      echo "no '$name' from the pgmigrate harness within $timeout s" >&2
      return 1
    fi
    sleep 0.05
  done
}

pgmigrate_start() {
  rm -rf "$BENCH_WORK/pgmigrate"
  mkdir -p "$BENCH_WORK/pgmigrate"
  mkfifo "$BENCH_WORK/pgmigrate/commands"
  java $BENCH_JAVA_OPTS -cp "$PGMIGRATE_JAR" "$BENCH_DIR/online/OnlineHarness.java" "$SRC_URI" "$TGT_URI" \
    "$BENCH_WORK/pgmigrate" <"$BENCH_WORK/pgmigrate/commands" >"$RUN_OUT/pgmigrate-harness.log" \
    2>"$RUN_OUT/pgmigrate-harness.err" &
  PGM_PID=$!
  track_pid "$PGM_PID"
  exec 7>"$BENCH_WORK/pgmigrate/commands"
  echo start >&7
  pgm_event started "$BENCH_COPY_TIMEOUT" >/dev/null
}

pgmigrate_pause() {
  echo pause >&7
  pgm_event paused 120 >/dev/null
}

pgmigrate_resume() {
  echo resume >&7
  pgm_event resumed 120 >/dev/null
}

pgmigrate_cutover() {
  local line
  echo cutover >&7
  line=$(pgm_event cutover 900)
  echo "$line" >>"$RUN_OUT/pgmigrate-cutover.txt"
  echo quit >&7
  exec 7>&-
  wait "$PGM_PID" 2>/dev/null || true
  PGM_PID=""
}

pgmigrate_health() {
  if grep -q "^EVENT [0-9]* failed" "$RUN_OUT/pgmigrate-harness.log" 2>/dev/null; then
    grep "^EVENT [0-9]* failed" "$RUN_OUT/pgmigrate-harness.log" | head -n 1
    return 1
  fi
  if [ -n "$PGM_PID" ] && ! kill -0 "$PGM_PID" 2>/dev/null; then
    echo "the pgmigrate harness exited; see $RUN_OUT/pgmigrate-harness.err"
    return 1
  fi
}

pgmigrate_teardown() {
  if [ -n "$PGM_PID" ] && kill -0 "$PGM_PID" 2>/dev/null; then
    kill "$PGM_PID" 2>/dev/null || true
    wait "$PGM_PID" 2>/dev/null || true
  fi
  exec 7>&- 2>/dev/null || true
  drop_leftovers
}

# ---- pgmigrate-service: the same engine through `pgmigrate serve` and its CLI ------------------------------------
#
# Registration and creation go through the CLI, as a user would; the cutover PATCH and the polling of the resource
# use curl against the REST API (no JVM start in the timed part), with the service's bearer token.

SVC_PID=""
SVC_SUB=11111111-1111-1111-1111-111111111111
SVC_RG=bench
SVC_API="2024-08-01"

svc_cli() {
  PGMIGRATE_DATA_DIR="$BENCH_WORK/service" "$REPO_DIR/pgmigrate" "$@"
}

svc_url() {
  echo "$(cat "$BENCH_WORK/service/endpoint")/subscriptions/$SVC_SUB/resourceGroups/$SVC_RG/providers/Microsoft.DBforPostgreSQL/flexibleServers/benchtarget/migrations/online1?api-version=$SVC_API"
}

svc_curl() {
  curl -sS -H "Authorization: Bearer $(cat "$BENCH_WORK/service/token")" -H 'Content-Type: application/json' "$@"
}

# The migration's status and substate, e.g. "InProgress/WaitingForCutoverTrigger".
svc_state() {
  svc_curl "$(svc_url)" | jq -r '.properties.currentStatus.state + "/" + (.properties.currentStatus.currentSubStateDetails.currentSubState // "")'
}

# svc_cpu: CPU seconds (user + system) the service's JVM has used so far (the launcher execs java: same pid). Unlike
# wall time, it does not depend on how busy the neighbours keep the machine.
svc_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SVC_PID/stat" 2>/dev/null || echo -
}

svc_serve() {
  rm -f "$BENCH_WORK/service/endpoint"
  # SVC_CDS: off starts the JVM without the launcher's class-data sharing archive (a variant of the restart).
  PGMIGRATE_CDS="${SVC_CDS:-on}" PGMIGRATE_LOG_LEVEL=INFO PGMIGRATE_JAVA_OPTS="$BENCH_JAVA_OPTS" "$REPO_DIR/pgmigrate" serve --data-dir "$BENCH_WORK/service" \
    --listen "127.0.0.1:$SVC_PORT" --no-tls >>"$RUN_OUT/pgmigrate-service.log" 2>&1 &
  SVC_PID=$!
  track_pid "$SVC_PID"
  for _ in $(seq 1 600); do
    # SVC_READY_AT: when it listens (the catch-up after a restart reports start, then resume and apply, apart).
    [ -s "$BENCH_WORK/service/endpoint" ] && SVC_READY_AT=$(date +%s.%N) && SVC_READY_CPU=$(svc_cpu) && return 0
    kill -0 "$SVC_PID" 2>/dev/null || { echo "pgmigrate serve exited; see $RUN_OUT/pgmigrate-service.log" >&2; return 1; }
    sleep 0.1
  done
  echo "pgmigrate serve did not start within 60 s" >&2
  return 1
}

pgmigrate-service_start() {
  rm -rf "$BENCH_WORK/service"
  mkdir -p "$BENCH_WORK/service"
  SVC_PORT=$(free_port)
  svc_serve
  svc_cli server create --subscription "$SVC_SUB" -g "$SVC_RG" -n benchsource --type single --host 127.0.0.1 \
    --port "$SRC_PORT" >>"$RUN_OUT/pgmigrate-service.log" 2>&1
  svc_cli server create --subscription "$SVC_SUB" -g "$SVC_RG" -n benchtarget --host 127.0.0.1 --port "$TGT_PORT" \
    >>"$RUN_OUT/pgmigrate-service.log" 2>&1
  # The benchmark clusters trust local connections: the passwords are placeholders.
  cat >"$BENCH_WORK/service/body.json" <<EOF
{"properties": {
  "sourceDbServerResourceId": "/subscriptions/$SVC_SUB/resourceGroups/$SVC_RG/providers/Microsoft.DBforPostgreSQL/servers/benchsource",
  "secretParameters": {"adminCredentials": {"sourceServerPassword": "unused", "targetServerPassword": "unused"},
                       "sourceServerUserName": "postgres@benchsource", "targetServerUserName": "postgres"},
  "dbsToMigrate": ["benchdb"], "overwriteDbsInTarget": "true"}}
EOF
  svc_cli migration create --subscription "$SVC_SUB" -g "$SVC_RG" -n benchtarget --migration-name online1 \
    --properties "$BENCH_WORK/service/body.json" --migration-mode online --migration-option Migrate \
    >>"$RUN_OUT/pgmigrate-service.log" 2>&1
}

# A clean stop of the service (SIGTERM), as for maintenance; the migration resumes at the next start.
pgmigrate-service_pause() {
  kill -TERM "$SVC_PID" 2>/dev/null || true
  for _ in $(seq 1 600); do
    kill -0 "$SVC_PID" 2>/dev/null || break
    sleep 0.1
  done
  wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=""
}

pgmigrate-service_resume() {
  svc_serve
}

# Trigger (PATCH triggerCutover) to Succeeded, which includes the service's verification of every row.
# Also notes when the resource first says the database is verifying (its operation after the cutover proper): the
# cutover's own time, the verification's apart (issue 13's "under 0.5 s, not counting verification").
pgmigrate-service_cutover() {
  local state t0 json verifying_at=""
  t0=$(date +%s.%N)
  svc_curl -X PATCH -d '{"properties": {"triggerCutover": "True"}}' "$(svc_url)" >"$RUN_OUT/pgmigrate-service-patch.json"
  local url; url=$(svc_url)
  for _ in $(seq 1 30000); do
    json=$(svc_curl "$url" 2>/dev/null || true)
    # The poll's own time is the measurement's resolution: the compact JSON is matched in the shell, and jq (~50 ms
    # a run, which made a poll ~100 ms) reads it only once the migration has ended. The bench has one database.
    if [ -z "$verifying_at" ] && [[ $json =~ \"migrationOperation\":[[:space:]]*\"Verifying\" ]]; then
      verifying_at=$(date +%s.%N)
    fi
    state=running
    if [[ $json =~ \"currentStatus\":[[:space:]]*\{[[:space:]]*\"state\":[[:space:]]*\"(Succeeded|Failed|Canceled)\" ]]; then
      state=$(jq -r '.properties.currentStatus.state + "/" + (.properties.currentStatus.currentSubStateDetails.currentSubState // "")' <<<"$json")
    fi
    case "$state" in
      Succeeded/*)
        printf '%s\n' "$json" >"$RUN_OUT/pgmigrate-service-final.json"
        # A verification shorter than one poll is not seen: the cutover's time is then the whole (an upper bound).
        local done_at; done_at=$(date +%s.%N)
        echo "$done_at $t0 ${verifying_at:-$done_at}" >"$RUN_OUT/pgmigrate-service-cutover.txt"
        return 0 ;;
      Failed/* | Canceled/*)
        svc_curl "$(svc_url)" >"$RUN_OUT/pgmigrate-service-final.json"
        echo "the migration ended $state; see $RUN_OUT/pgmigrate-service-final.json" >&2
        return 1 ;;
    esac
    sleep 0.01
  done
  echo "the migration did not succeed within 900 s of the cutover trigger" >&2
  return 1
}

pgmigrate-service_health() {
  local state
  if [ -n "$SVC_PID" ] && ! kill -0 "$SVC_PID" 2>/dev/null; then
    echo "pgmigrate serve exited; see $RUN_OUT/pgmigrate-service.log"
    return 1
  fi
  state=$(svc_state 2>/dev/null || true)
  case "$state" in
    Failed/* | Canceled/* | ValidationFailed/*)
      echo "the migration ended $state: $(svc_curl "$(svc_url)" | jq -c '.properties.currentStatus.error // .properties.migrationSubStateDetails // {}' | cut -c1-200)"
      return 1 ;;
  esac
}

pgmigrate-service_teardown() {
  if [ -n "$SVC_PID" ] && kill -0 "$SVC_PID" 2>/dev/null; then
    kill -TERM "$SVC_PID" 2>/dev/null || true
    wait "$SVC_PID" 2>/dev/null || true
  fi
  drop_leftovers
}

# ---- pgcopydb -------------------------------------------------------------------------------------------------

PGC_PID=""

pgcopydb_start() {
  rm -rf "$BENCH_WORK/pgcopydb"
  createdb -h 127.0.0.1 -p "$TGT_PORT" -U postgres benchdb
  pgcopydb clone --follow --source "$SRC_URI" --target "$TGT_URI" --dir "$BENCH_WORK/pgcopydb" \
    --table-jobs 4 --index-jobs 4 >>"$RUN_OUT/pgcopydb.log" 2>&1 &
  PGC_PID=$!
  track_pid "$PGC_PID"
}

# pgcopydb 0.10 transforms and applies a file of changes only when its receiver moves to the next WAL segment, so
# on a quiet source nothing is applied. For the initial catch-up only (not measured), WAL switches with a write
# after each move it on; the measurements run without this help.
pgcopydb_nudge_start() {
  (
    while :; do
      psql_at "$SRC_PORT" benchdb -c "SELECT pg_switch_wal()" >/dev/null 2>&1
      psql_at "$SRC_PORT" benchdb -c "UPDATE bench_heartbeat SET ts = clock_timestamp() WHERE id = 1" >/dev/null 2>&1
      sleep 2
    done
  ) &
  PGC_NUDGE_PID=$!
  track_pid "$PGC_NUDGE_PID"
}

pgcopydb_nudge_stop() {
  kill_tree "$PGC_NUDGE_PID"
  wait "$PGC_NUDGE_PID" 2>/dev/null || true
}

pgcopydb_alive() {
  [ -n "$PGC_PID" ] && kill -0 "$PGC_PID" 2>/dev/null
}

# Stops the whole pgcopydb process tree (receiver, transform, apply), as a crash or a restart would.
pgcopydb_pause() {
  local kids p alive
  kids=$(descendants "$PGC_PID")
  kill -TERM "$PGC_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do
    pgcopydb_alive || break
    sleep 0.1
  done
  wait "$PGC_PID" 2>/dev/null || true
  PGC_PID=""
  # Its children (receive, transform, apply) must be gone too before the backlog is written.
  for _ in $(seq 1 100); do
    alive=0
    for p in $kids; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  echo "pgcopydb's processes ($kids) did not stop" >&2
  return 1
}

pgcopydb_resume() {
  pgcopydb follow --resume --source "$SRC_URI" --target "$TGT_URI" --dir "$BENCH_WORK/pgcopydb" \
    >>"$RUN_OUT/pgcopydb.log" 2>&1 &
  PGC_PID=$!
  track_pid "$PGC_PID"
}

# pgcopydb's documented cutover: set the end position to the source's current LSN, wait for the follow process to
# reach it and exit (it then sets the sequences), then clean up the slot, origin and sentinel.
pgcopydb_cutover() {
  pgcopydb stream sentinel set endpos --current --source "$SRC_URI" >>"$RUN_OUT/pgcopydb.log" 2>&1
  for _ in $(seq 1 9000); do
    pgcopydb_alive || break
    sleep 0.1
  done
  if pgcopydb_alive; then
    echo "pgcopydb did not stop at its end position within 900 s" >&2
    return 1
  fi
  local rc=0
  wait "$PGC_PID" 2>/dev/null || rc=$?
  PGC_PID=""
  date +%s.%N >"$RUN_OUT/pgcopydb-follow-ended"
  pgcopydb stream cleanup --source "$SRC_URI" --target "$TGT_URI" --dir "$BENCH_WORK/pgcopydb" \
    >>"$RUN_OUT/pgcopydb.log" 2>&1
  return "$rc"
}

# pgcopydb 0.10 logs an ERROR and keeps running when its transform or apply breaks; give it a minute to recover.
pgcopydb_health() {
  if [ -n "$PGC_PID" ] && ! pgcopydb_alive; then
    echo "pgcopydb exited; see $RUN_OUT/pgcopydb.log"
    return 1
  fi
  if grep -q " ERROR " "$RUN_OUT/pgcopydb.log" 2>/dev/null; then
    [ -f "$RUN_OUT/pgcopydb-first-error" ] || date +%s >"$RUN_OUT/pgcopydb-first-error"
    if [ $(($(date +%s) - $(cat "$RUN_OUT/pgcopydb-first-error"))) -gt 60 ]; then
      echo "pgcopydb stopped applying after: $({ grep -m 1 " ERROR BUG" "$RUN_OUT/pgcopydb.log" \
        || grep -m 1 " ERROR " "$RUN_OUT/pgcopydb.log"; } | cut -c1-200)"
      return 1
    fi
  fi
}

pgcopydb_teardown() {
  if pgcopydb_alive; then
    kill_tree "$PGC_PID"
    wait "$PGC_PID" 2>/dev/null || true
  fi
  PGC_PID=""
  pgcopydb stream cleanup --source "$SRC_URI" --target "$TGT_URI" --dir "$BENCH_WORK/pgcopydb" \
    >>"$RUN_OUT/pgcopydb.log" 2>&1 || true
  drop_leftovers
}

# ---- native logical replication --------------------------------------------------------------------------------

native_start() {
  createdb -h 127.0.0.1 -p "$TGT_PORT" -U postgres benchdb
  pg_dump --schema-only -h 127.0.0.1 -p "$SRC_PORT" -U postgres benchdb \
    | psql_at "$TGT_PORT" benchdb >>"$RUN_OUT/native.log" 2>&1
  psql_at "$SRC_PORT" benchdb -c "CREATE PUBLICATION bench_pub FOR ALL TABLES"
  psql_at "$TGT_PORT" benchdb -c "CREATE SUBSCRIPTION bench_sub CONNECTION 'host=127.0.0.1 port=$SRC_PORT
    dbname=benchdb user=postgres application_name=bench_sub' PUBLICATION bench_pub"
}

native_pause() {
  psql_at "$TGT_PORT" benchdb -c "ALTER SUBSCRIPTION bench_sub DISABLE"
  for _ in $(seq 1 300); do
    [ "$(psql_at "$TGT_PORT" benchdb -c "SELECT count(*) FROM pg_stat_subscription WHERE subname = 'bench_sub'
         AND pid IS NOT NULL")" = 0 ] && return 0
    sleep 0.1
  done
  echo "the subscription's apply worker did not stop" >&2
  return 1
}

native_resume() {
  psql_at "$TGT_PORT" benchdb -c "ALTER SUBSCRIPTION bench_sub ENABLE"
}

# What a DBA does with native logical replication: wait until a marker committed now is on the target (so is every
# earlier commit), set the sequences from the source's values, drop the subscription (and with it the slot) and the
# publication.
native_cutover() {
  caught_up 900 >/dev/null
  local setvals
  setvals=$(psql_at "$SRC_PORT" benchdb -c "SELECT coalesce(string_agg(format('SELECT setval(%L, %s, %s);',
      quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, 'true'), ' '), '')
      FROM pg_sequences WHERE last_value IS NOT NULL")
  [ -n "$setvals" ] && psql_at "$TGT_PORT" benchdb -c "$setvals" >/dev/null
  psql_at "$TGT_PORT" benchdb -c "DROP SUBSCRIPTION bench_sub"
  psql_at "$SRC_PORT" benchdb -c "DROP PUBLICATION bench_pub"
}

native_health() {
  true
}

native_teardown() {
  if [ "$(psql_at "$TGT_PORT" postgres -c "SELECT count(*) FROM pg_database WHERE datname = 'benchdb'" 2>/dev/null)" = 1 ]; then
    psql_at "$TGT_PORT" benchdb -c "ALTER SUBSCRIPTION bench_sub DISABLE" >/dev/null 2>&1 || true
    psql_at "$TGT_PORT" benchdb -c "DROP SUBSCRIPTION IF EXISTS bench_sub" >/dev/null 2>&1 || true
  fi
  psql_at "$SRC_PORT" benchdb -c "DROP PUBLICATION IF EXISTS bench_pub" >/dev/null 2>&1 || true
  drop_leftovers
}

# ---- common ---------------------------------------------------------------------------------------------------

# A failed tool must not leave a slot holding the source's WAL for the next one, nor replication objects behind.
drop_leftovers() {
  psql_at "$SRC_PORT" postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
    WHERE NOT active" >/dev/null 2>&1 || true
  psql_at "$SRC_PORT" benchdb -c "DO \$\$ DECLARE p text; BEGIN
      FOR p IN SELECT pubname FROM pg_publication LOOP EXECUTE format('DROP PUBLICATION %I', p); END LOOP; END \$\$" \
    >/dev/null 2>&1 || true
  psql_at "$SRC_PORT" benchdb -c "DROP SCHEMA IF EXISTS pgcopydb CASCADE" >/dev/null 2>&1 || true
}
