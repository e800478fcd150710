#!/usr/bin/env bash
# Start-up cost of pgmigrate with and without its class-data sharing archive (issue 13, restart): the wall and CPU
# seconds of `pgmigrate --version`, and of `pgmigrate serve` from its start until it listens (its endpoint file
# exists). Variants alternate run by run, so a neighbour's load hits both alike; CPU seconds do not depend on that
# load, wall seconds do. No PostgreSQL needed. Prints a Markdown table (medians, and every run).
#
#   bench/run-startup.sh            # 7 rounds
#   BENCH_RUNS=3 bench/run-startup.sh
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
BENCH_RUNS="${BENCH_RUNS:-7}"
# cds: the launcher's default (the archive it made after the build); nocds: PGMIGRATE_CDS=off.
BENCH_VARIANTS="${BENCH_VARIANTS:-nocds cds}"
work="$(mktemp -d "${TMPDIR:-/tmp}/pgmigrate-startup.XXXXXX")"
SERVE_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill -KILL "$SERVE_PID" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$REPO_DIR/pgmigrate" --version >/dev/null # builds the jar and the archive if needed, untimed
hz=$(getconf CLK_TCK)

variant_env() {
  case "$1" in
    cds) echo "PGMIGRATE_CDS=on" ;;
    nocds) echo "PGMIGRATE_CDS=off" ;;
    *) echo "unknown variant $1 (cds, nocds)" >&2; return 1 ;;
  esac
}

# "<wall s> <cpu s>" of `pgmigrate --version`.
time_version() {
  /usr/bin/time -f '%e %U %S' -o "$work/time" env "$(variant_env "$1")" "$REPO_DIR/pgmigrate" --version >/dev/null
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/time"
}

# "<wall s> <cpu s>" of `pgmigrate serve` until its endpoint file exists (CPU of the JVM up to then, from /proc).
time_serve() {
  local data="$work/data-$1" t0 t1 ticks
  rm -rf "$data"
  t0=$(date +%s.%N)
  env "$(variant_env "$1")" "$REPO_DIR/pgmigrate" serve --data-dir "$data" --listen 127.0.0.1:0 --no-tls \
    >"$work/serve.log" 2>&1 &
  SERVE_PID=$!
  until [ -s "$data/endpoint" ]; do
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$work/serve.log" >&2; return 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  # The launcher execs java: SERVE_PID is the JVM. utime + stime, fields 14 and 15.
  ticks=$(awk '{ print $14 + $15 }' "/proc/$SERVE_PID/stat")
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" || true
  SERVE_PID=""
  awk -v a="$t0" -v b="$t1" -v t="$ticks" -v hz="$hz" 'BEGIN { printf "%.2f %.2f\n", b - a, t / hz }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }

: >"$work/runs"
loads=""
for round in $(seq 1 "$BENCH_RUNS"); do
  # Rotate the order each round.
  set -- $BENCH_VARIANTS
  if [ $((round % 2)) = 0 ]; then set -- $(printf '%s\n' "$@" | tac); fi
  for v in "$@"; do
    echo "version $v $(time_version "$v")" >>"$work/runs"
    echo "serve $v $(time_serve "$v")" >>"$work/runs"
  done
  loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
done

echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) vCPU; $(java -version 2>&1 | sed -n 2p); commit $(git -C "$REPO_DIR" rev-parse --short HEAD)"
echo "Rounds: $BENCH_RUNS, variants alternating; 1-minute load average after each round:$loads"
echo
echo "| measure | variant | median wall s | median CPU s | every run (wall/CPU) |"
echo "|---|---|---|---|---|"
for m in version serve; do
  for v in $BENCH_VARIANTS; do
    runs=$(awk -v m="$m" -v v="$v" '$1 == m && $2 == v { printf "%s%s/%s", sep, $3, $4; sep = ", " }' "$work/runs")
    wall=$(awk -v m="$m" -v v="$v" '$1 == m && $2 == v { print $3 }' "$work/runs" | median)
    cpu=$(awk -v m="$m" -v v="$v" '$1 == m && $2 == v { print $4 }' "$work/runs" | median)
    label=$([ "$m" = version ] && echo '`pgmigrate --version`' || echo '`pgmigrate serve`, start to listening')
    echo "| $label | $v | $wall | $cpu | $runs |"
  done
done
