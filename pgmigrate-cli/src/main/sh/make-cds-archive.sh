#!/bin/sh
# Makes pgmigrate's class-data sharing archive (AppCDS; JDK 17's dynamic archive), which saves the JVM most of its
# class loading and verification at every start: `pgmigrate --version`, and above all a restart of `pgmigrate serve`
# that has migrations to resume.
#
# Usage: make-cds-archive.sh JAR ARCHIVE
#
# The training run starts `pgmigrate serve` on a throwaway data dir (loopback, a free port, no TLS), waits until it
# listens and stops it with SIGTERM, as systemd does; the JVM writes every class it loaded into the archive at exit.
# An archive is valid only for this JAR at this path and for the JVM that made it: a JVM that finds it mismatched
# (another JDK build, a rebuilt jar) ignores it and starts as without one (the callers pass -Xshare:auto). Exits
# non-zero, leaving ARCHIVE as it was, when the training run fails.
set -eu
jar="$1"
archive="$2"
work="$(mktemp -d "${TMPDIR:-/tmp}/pgmigrate-cds.XXXXXX")"
pid=""
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# The JVM accepts an archive only for the jar of the same size and time it was made from: one rebuilt meanwhile
# (a concurrent build) would leave an archive that never matches, so the run is refused then.
jar_stamp="$(stat -c '%s %Y' "$jar")"
java -Xmx512m -XX:ArchiveClassesAtExit="$work/pgmigrate.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$jar" serve --data-dir "$work/data" --listen 127.0.0.1:0 --no-tls >"$work/serve.log" 2>&1 &
pid=$!
# Up to 3 minutes: a busy machine (a package installed during a build) starts a JVM slowly.
i=0
while [ ! -s "$work/data/endpoint" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 1800 ]; then
        echo "make-cds-archive: the training run of pgmigrate serve did not start; its output:" >&2
        cat "$work/serve.log" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$pid"
wait "$pid" || true # a JVM stopped by SIGTERM exits 143 after its shutdown hooks; the archive is written by then
pid=""
if [ ! -s "$work/pgmigrate.jsa" ]; then
    echo "make-cds-archive: the JVM wrote no archive; its output:" >&2
    cat "$work/serve.log" >&2
    exit 1
fi
if [ "$(stat -c '%s %Y' "$jar")" != "$jar_stamp" ]; then
    echo "make-cds-archive: $jar changed during the training run; run it again." >&2
    exit 1
fi
# Into place in one rename, so that a JVM starting meanwhile finds the old archive or the new one, never a part.
mkdir -p "$(dirname "$archive")"
cp "$work/pgmigrate.jsa" "$archive.tmp.$$"
chmod 0644 "$archive.tmp.$$"
mv -f "$archive.tmp.$$" "$archive"
