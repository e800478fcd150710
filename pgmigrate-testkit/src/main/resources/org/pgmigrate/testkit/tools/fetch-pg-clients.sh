#!/usr/bin/env bash
# Puts the client tools (pg_dump, pg_restore, pg_dumpall, psql) of PostgreSQL majors newer than Debian 12's into a
# cache directory, for tests with sources 16 to 18: pg_dump must be at least as new as the server it reads.
#
# Debian 12 ships 15 only, but Debian's registry also serves trixie (postgresql-client-17) and sid (-18). Their
# packages are fetched with a private sources list and state directory (the machine's apt setup is not touched),
# unpacked together with the newer C library and libraries they link, and run through that library's own loader
# by a small wrapper per tool. Nothing is installed.
#
# usage: fetch-pg-clients.sh CACHE_DIR MAJOR...   -> CACHE_DIR/<major>/bin/{pg_dump,pg_restore,pg_dumpall,psql}
set -euo pipefail
cache=$1; shift
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9                      # two test JVMs may ask at once: the second waits and finds the tools

missing=()
for major in "$@"; do
  [ -x "$cache/$major/bin/pg_dump" ] || missing+=("$major")
done
[ ${#missing[@]} -eq 0 ] && exit 0

work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/prefs"
cat > "$work/sources.list" <<LIST
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
LIST
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State=$work/state" -o "Dir::Cache=$work/cache" -o Dir::Etc::Preferences=/dev/null
  -o "Dir::Etc::PreferencesParts=$work/prefs" -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
apt-get "${apt_opts[@]}" update

packages=()
for major in "${missing[@]}"; do packages+=("postgresql-client-$major"); done
# The shared libraries the clients link, resolved by apt (names change between suites: t64, sonames). Perl and
# its databases come with postgresql-client-common's scripts, which the tools themselves do not need.
mapfile -t libs < <(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances "${packages[@]}" | grep -v '^ ' | sort -u \
  | grep '^lib' | grep -Ev '^lib(perl|db5|gdbm)')
(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" "${libs[@]}")

root="$work/root"
mkdir -p "$root"
for deb in "$work/debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done

for major in "${missing[@]}"; do
  final="$cache/$major"
  rm -rf "$final"
  mkdir -p "$work/out/$major/bin"
  cp -a "$root/." "$work/out/$major/root"
  for tool in pg_dump pg_restore pg_dumpall psql; do
    cat > "$work/out/$major/bin/$tool" <<WRAP
#!/bin/sh
# PostgreSQL $major's $tool from Debian's newer suites, run with the C library it was built for (see fetch-pg-clients.sh).
root="$final/root"
exec "\$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "\$root/usr/lib/x86_64-linux-gnu:\$root/lib/x86_64-linux-gnu" "\$root/usr/lib/postgresql/$major/bin/$tool" "\$@"
WRAP
    chmod 755 "$work/out/$major/bin/$tool"
  done
  mv "$work/out/$major" "$final"
  "$final/bin/pg_dump" --version | grep -q "(PostgreSQL) $major\." || { echo "pg_dump $major does not run" >&2; exit 1; }
done
