# Wall time and memory of one benchmarked command (sourced by run-offline.sh).
#
# Memory is measured two ways, because the tools differ in shape: pgmigrate is one JVM (plus the pg_dump/pg_restore
# it starts for the schema), pgcopydb and pg_dump -j/pg_restore -j are several processes.
#  - "max RSS": GNU time's ru_maxrss, the peak RSS of the largest single process of the tree;
#  - "tree PSS": the peak, over samples every BENCH_RSS_INTERVAL seconds, of the summed proportional set size of
#    every process in the tree (shared pages split between the processes sharing them, so forks are not
#    double-counted).

BENCH_RSS_INTERVAL="${BENCH_RSS_INTERVAL:-0.5}"

# Every descendant of PID (not PID itself), one per line.
descendants() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { kids[$2] = kids[$2] " " $1 }
    END {
      n = split(kids[root], queue, " "); head = 1
      while (head <= n) { p = queue[head++]; print p; m = split(kids[p], more, " "); for (i = 1; i <= m; i++) queue[++n] = more[i] }
    }'
}

# poll_memory PID OUT: until PID exits, writes "<peak tree PSS kB> <peak single RSS kB> <samples>" to OUT.
poll_memory() {
  local root="$1" out="$2" peak_pss=0 peak_rss=0 samples=0 line pss rss files
  while kill -0 "$root" 2>/dev/null; do
    files=""
    for p in "$root" $(descendants "$root"); do
      files="$files /proc/$p/smaps_rollup"
    done
    # cat reads on past a file whose process has exited (awk would stop).
    line=$(cat $files 2>/dev/null | awk '/^Pss:/ { pss += $2 } /^Rss:/ { if ($2 > rss) rss = $2 } END { print pss + 0, rss + 0 }' || true)
    pss=${line% *}
    rss=${line#* }
    [ -n "$pss" ] && [ "$pss" -gt "$peak_pss" ] && peak_pss=$pss
    [ -n "$rss" ] && [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    samples=$((samples + 1))
    echo "$peak_pss $peak_rss $samples" >"$out"
    sleep "$BENCH_RSS_INTERVAL"
  done
}

# measure PREFIX CMD...: runs CMD with its output in PREFIX.log and sets MEASURED_RC, MEASURED_WALL (seconds),
# MEASURED_MAXRSS_KB, MEASURED_TREE_PSS_KB, MEASURED_TOOL_CPU (user + system seconds of the tool's tree, from GNU
# time) and MEASURED_SERVER_CPU (seconds used by both PostgreSQL clusters meanwhile; MEASURED_SOURCE_CPU and
# MEASURED_TARGET_CPU each). CPU seconds do not depend on
# how busy the machine's other users keep the cores, so they compare tools even when wall times are noisy.
measure() {
  local prefix="$1"
  shift
  local started ended pid poller
  local ticks_before ticks_after hz
  : >"$prefix.mem"
  hz=$(getconf CLK_TCK)
  ticks_before=$(servers_cpu_ticks)
  started=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$prefix.time" "$@" >"$prefix.log" 2>&1 &
  else
    "$@" >"$prefix.log" 2>&1 &
  fi
  pid=$!
  CURRENT_PIDS="$pid"
  poll_memory "$pid" "$prefix.mem" &
  poller=$!
  CURRENT_PIDS="$pid $poller"
  MEASURED_RC=0
  wait "$pid" || MEASURED_RC=$?
  ended=$(date +%s.%N)
  ticks_after=$(servers_cpu_ticks)
  read -r MEASURED_SOURCE_CPU MEASURED_TARGET_CPU MEASURED_SERVER_CPU < <(echo "$ticks_before $ticks_after" \
    | awk -v hz="$hz" '{ printf "%.1f %.1f %.1f\n", ($3 - $1) / hz, ($4 - $2) / hz, ($3 + $4 - $1 - $2) / hz }')
  MEASURED_TOOL_CPU="-"
  wait "$poller" 2>/dev/null || true
  CURRENT_PIDS=""
  MEASURED_WALL=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')
  read -r MEASURED_TREE_PSS_KB MEASURED_MAXRSS_KB _ <"$prefix.mem" || { MEASURED_TREE_PSS_KB=0; MEASURED_MAXRSS_KB=0; }
  if [ -f "$prefix.time" ]; then
    local timed
    timed=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$prefix.time")
    [ -n "$timed" ] && MEASURED_MAXRSS_KB=$timed
    MEASURED_TOOL_CPU=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.1f", t }' "$prefix.time")
  fi
}
