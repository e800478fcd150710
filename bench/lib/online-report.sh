# The online section of RESULTS.md, from a run's online.tsv and meta.env (sourced by run-online.sh, which also
# runs it alone: bench/run-online.sh --report bench/out/online-<timestamp> [RESULTS_FILE]).

# online_report OUT_DIR RESULTS_FILE
online_report() {
  local BENCH_OUT="$1" BENCH_RESULTS="$2"
  local TSV="$BENCH_OUT/online.tsv"
  # shellcheck disable=SC1091
  . "$BENCH_OUT/meta.env"
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
  # The restart variant reported as the tool's own: pgmigrate-service's first one (cds: as it ships).
  main_variant() { if [ "$1" = pgmigrate-service ]; then echo "${BENCH_SERVICE_VARIANTS:-cds}" | awk '{ print $1 }'; else echo default; fi; }
  # runs TOOL MEASURE PARAM: every run's "value (drain s)"; med TOOL MEASURE PARAM [KEY]: the median value (or of a detail).
  runs() {
    awk -F'\t' -v t="$1" -v m="$2" -v p="$3" '$1 == t && $2 == m && $3 == p {
        d = "-"; l = ""; n = split($5, a, " ")
        for (i = 1; i <= n; i++) { if (index(a[i], "drain_s=") == 1) d = substr(a[i], 9); if (index(a[i], "listening_s=") == 1) l = l "; listening after " substr(a[i], 13) " s"
          if (index(a[i], "listening_cpu_s=") == 1) l = l " (JVM CPU " substr(a[i], 17) " s)"
          if (index(a[i], "jvm_cpu_s=") == 1) l = l "; JVM CPU until caught up " substr(a[i], 11) " s"
          if (index(a[i], "slot_behind_mb=") == 1) l = l "; restart point " substr(a[i], 16) " MB behind at the stop" }
        printf "%s%s (%s s%s)", s, $4, d, l; s = ", " }' "$TSV"
  }
  med() {
    awk -F'\t' -v t="$1" -v m="$2" -v p="$3" -v k="${4:-}" '$1 == t && $2 == m && $3 == p {
        if (k == "") { print $4; next }
        n = split($5, a, " "); for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) print substr(a[i], length(k) + 2) }' "$TSV" | median
  }
  cell() { # TOOL MEASURE PARAM: "the median run's changes/s and seconds (every run)"; of an even count, the lower one
    local m
    m=$(awk -F'\t' -v t="$1" -v m="$2" -v p="$3" '$1 == t && $2 == m && $3 == p {
        d = "-"; n = split($5, a, " "); for (i = 1; i <= n; i++) if (index(a[i], "drain_s=") == 1) d = substr(a[i], 9)
        print $4, d }' "$TSV" | sort -g | awk '{ r[NR] = $1; d[NR] = $2 } END { if (NR) { i = int((NR + 1) / 2); print "**" r[i] "** in " d[i] " s" } }')
    if [ -z "$m" ]; then echo "-"; else echo "$m ($(runs "$1" "$2" "$3"))"; fi
  }
  row_apply="| catch-up after a restart, changes/s: the median run (each run: changes/s (s until caught up)) |"
  for t in "${tools[@]}"; do row_apply+=" $(cell "$t" apply_rate "$(main_variant "$t")") |"; done
  row_apply+=" pgmigrate-service >= native (issue 13) |"
  rows+="$row_apply"$'\n'
  for v in ${BENCH_SERVICE_VARIANTS:-cds}; do
    [ "$v" = "$(main_variant pgmigrate-service)" ] && continue
    row_variant="| the same, pgmigrate-service restarted with variant \`$v\` |"
    for t in "${tools[@]}"; do row_variant+=" $([ "$t" = pgmigrate-service ] && cell "$t" apply_rate "$v" || echo -) |"; done
    rows+="$row_variant |"$'\n'
  done
  row_steady="| steady-state apply rate (running, apply held while the backlog is committed), changes/s |"
  for t in "${tools[@]}"; do row_steady+=" $(cell "$t" steady_rate default) |"; done
  row_steady+=" >= 1.5x native (issue 13) |"
  rows+="$row_steady"$'\n'
  for rate in $BENCH_RATES; do
    label=$([ "$rate" = max ] && echo "as fast as pgbench goes" || echo "pgbench -R $rate")
    row="| lag p50 / p95 / max (s), $label |"
    for t in "${tools[@]}"; do
      v=$(value "$t" latency "$rate")
      if [ "$v" = "-" ]; then row+=" - |"; else
        row+=" $(echo "$v" | awk '{ printf "%s / %s / %s", $1, $2, $3 }') (at $(detail "$t" latency "$rate" tps) tps; caught up: $(detail "$t" latency "$rate" catchup_s)$(detail "$t" latency "$rate" catchup_s | awk '/^[0-9]/ { printf " s after" }')) |"
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
  verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "-" || t == "-") print "n/a"; else if ((op == "<" && v + 0 < t + 0) || (op == ">=" && v + 0 >= t + 0)) print "meets"; else print "MISSES" }'; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
  rate_of() { med "$1" apply_rate "$(main_variant "$1")"; }
  local nat_rate nat_steady p95 rate cut steady pmax
  nat_rate=$(rate_of native)
  nat_steady=$(med native steady_rate default)
  targets="| target (issue 4) | variant | measured | ratio to the target | |
|---|---|---|---|---|"
  for t in "${tools[@]}"; do
    [[ "$t" == pgmigrate* ]] || continue
    p95=$(value "$t" latency 1000 2)
    rate=$(rate_of "$t")
    cut=$(value "$t" cutover idle)
    targets+="
| latency under 1 s at 1000 TPS (p95 of the lag over the run) | \`$t\` | p95 ${p95} s (p50 $(value "$t" latency 1000 1) s; pgbench achieved $(detail "$t" latency 1000 tps) tps) | $(ratio "$p95" 1) | $(verdict "$p95" 1 "<") |
| apply rate at least native logical replication's | \`$t\` | ${rate} changes/s (native ${nat_rate}) | $(ratio "$rate" "$nat_rate") x native | $(verdict "$rate" "$nat_rate" ">=") |
| cutover under 2 s for an idle source | \`$t\` | ${cut} s ($([ "$t" = pgmigrate-service ] && echo "PATCH triggerCutover to Succeeded, verification included" || echo "the engine's cutover() call")) | $(ratio "$cut" 2) | $(verdict "$cut" 2 "<") |"
    steady=$(med "$t" steady_rate default)
    pmax=$(value "$t" latency max 2)
    nat15=$(awk -v n="$nat_steady" 'BEGIN { if (n == "-") print "-"; else printf "%.0f", n * 1.5 }')
    targets+="
| issue 13: catch-up after a restart at least native's | \`$t\` | ${rate} changes/s (native ${nat_rate}) | $(ratio "$rate" "$nat_rate") x native | $(verdict "$rate" "$nat_rate" ">=") |
| issue 13: steady-state apply at least 1.5x native | \`$t\` | ${steady} changes/s (native ${nat_steady}) | $(ratio "$steady" "$nat_steady") x native | $(verdict "$steady" "$nat15" ">=") |
| issue 13: lag p95 under 0.2 s as fast as pgbench goes | \`$t\` | p95 ${pmax} s (at $(detail "$t" latency max tps) tps) | $(ratio "$pmax" 0.2) | $(verdict "$pmax" 0.2 "<") |"
    if [ "$t" = pgmigrate-service ]; then
      local own
      own=$(value "$t" cutover service_cut)
      targets+="
| issue 13: cutover under 0.5 s through the service, verification apart | \`$t\` | ${own} s from PATCH triggerCutover until the resource says Verifying (the engine's own cutover $(detail "$t" cutover service_cut engine_ms) ms; the verification after it $(awk -v a="$cut" -v b="$own" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.2f", a - b }') s more) | $(ratio "$own" 0.5) | $(verdict "$own" 0.5 "<") |"
    fi
  done

  cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  loads=$(awk -F'\t' 'NR > 1 { printf "%s%s", s, $6; s = ", " }' "$TSV")
  section="## Online migration (generated by \`bench/run-online.sh\`)

- Date: $RUN_DATE; pgmigrate commit $RUN_COMMIT
- Machine: $(nproc) vCPU ($cpu_model), $ram RAM, $(uname -r); source, target, pgbench and the tool on the same
  machine, whose 2 vCPUs were shared with other engineers' builds and tests (1-minute load average at each
  measurement: $loads).
- PostgreSQL: $(postgres --version | sed 's/postgres (PostgreSQL) //'), two clusters with the same settings for every tool:
  \`$(printf '%s; ' "${BENCH_PG_SETTINGS[@]:0:6}")\` (synchronous_commit on, the rest default).
- Tools: pgmigrate $(head -n 1 "$BENCH_OUT/pgmigrate-version.txt" | sed 's/^pgmigrate //') through \`bench/online/OnlineHarness.java\` (the engine's
  \`OnlineMigration\` with its default settings: group commit of 10000 changes or 200 ms, batches of 1000, spool fsync
  every 100 ms); pgmigrate-service: the same engine run by \`pgmigrate serve\` (servers registered and the migration
  created with the CLI: \`migration create --migration-mode online --migration-option Migrate\`; stop/restart for the
  apply rate: SIGTERM and a new \`pgmigrate serve\`; cutover: \`PATCH triggerCutover\` until the resource says
  Succeeded, polled every 0.05 s, which includes the service's verification of every row); $(pgcopydb --version 2>/dev/null | head -n 1 || echo "pgcopydb (not installed here)")
  (\`clone --follow --table-jobs 4 --index-jobs 4\`; $WAL2JSON_NOTE); native logical replication
  (\`CREATE PUBLICATION ... FOR ALL TABLES\`, \`CREATE SUBSCRIPTION\`, one apply worker).
- Data: \`pgbench -i -s $BENCH_SCALE\` ($DB_SIZE), \`pgbench_history\` given a bigserial primary key; the load is pgbench's
  TPC-B-like transaction (3 UPDATEs, 1 INSERT) with $BENCH_CLIENTS clients, 2 threads.
- Method (the same for every tool, observed on the target, never through a tool's counters):
  - lag: a heartbeat row set to \`clock_timestamp()\` on the source every 0.1 s; every 0.5 s the target's
    \`clock_timestamp()\` minus the heartbeat it shows (includes up to 0.1 s of heartbeat interval). ${BENCH_DURATION} s of
    pgbench per rate, the first ${BENCH_WARMUP} s left out; then the time until a marker committed after the load shows on the target;
  - steady-state apply rate: the tool keeps running (warm); a session on the target holds an ACCESS EXCLUSIVE lock
    on \`pgbench_accounts\` while ${BENCH_STEADY_TX:-$BENCH_BACKLOG_TX} pgbench transactions and a marker are committed, so that its apply waits at
    its first change; then the lock is released (the session's sleep cancelled) and the time until the marker shows
    on the target gives changes / s. Each tool keeps receiving meanwhile, as it would in steady state (pgmigrate
    spools the changes; native's walsender decodes until its socket is full). Replication timeouts are off during it;
  - catch-up after a restart (${BENCH_BACKLOG_ROUNDS:-1} per tool, the median reported; pgmigrate-service's restarts cycle through
    \`${BENCH_SERVICE_VARIANTS:-cds}\`: \`cds\` starts from the launcher's class-data sharing archive, \`nocds\` with \`PGMIGRATE_CDS=off\`): the tool stopped entirely (pgmigrate: replication closed, slot kept; pgcopydb: process stopped, then
    \`pgcopydb follow --resume\`; native: \`ALTER SUBSCRIPTION ... DISABLE\`/\`ENABLE\`), $BENCH_BACKLOG_TX pgbench transactions
    committed, then the time from restarting the tool until the marker committed after them shows on the target:
    changes (4 per transaction) / that time. Decoding the backlog from the source's WAL is part of it for every tool.
    Before each stop the tool settles (at most ${BENCH_SETTLE:-0} s, \`slot_settle\` in bench/lib/online.sh): the heartbeat writes and a
    CHECKPOINT every 2 s logs a running-transactions record until the slot's restart point is within 16 MB of its
    confirmed position, as it is for a service restarted in the course of things; right after a catch-up it can stand
    a whole backlog behind, which the next start then decodes again (the MB behind at each stop are in the row);
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
}
