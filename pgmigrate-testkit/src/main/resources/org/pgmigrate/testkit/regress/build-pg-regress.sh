#!/usr/bin/env bash
# Builds PostgreSQL's regression suite (pg_regress, regress.so, autoinc.so, refint.so, and the sql/expected/data
# files) from Debian's source package of the installed server, into a cache folder that later runs reuse.
#
#   build-pg-regress.sh <major> <cache-dir> [<package-version>]
#
# The source is the given version of postgresql-<major>, by default the installed one (dpkg-query), fetched with apt-get source through a private sources
# list and state folder made from the machine's own apt sources (deb lines turned into deb-src): the machine's apt
# setup is not changed. Only what installcheck needs is built: ./configure with minimal options, then
# make -C src/test/regress. The release tarball ships the generated parser files, so bison and flex are not needed.
# The result appears atomically: built under <cache-dir>.build-*, then renamed into place.
set -euo pipefail

usage="usage: build-pg-regress.sh <major> <cache-dir> [<package-version>]"
major="${1:?$usage}"
cache="${2:?$usage}"
package="postgresql-$major"

if [ -f "$cache/COMPLETE" ]; then
  echo "pg-regress: $cache is already built"
  exit 0
fi

version="${3:-$(dpkg-query -W -f '${Version}' "$package" 2>/dev/null || true)}"
if [ -z "$version" ]; then
  echo "pg-regress: $package is not installed; nothing to build the regression suite for" >&2
  exit 3
fi

# The toolchain: on a fresh CI machine (root) the build installs it; elsewhere it must be there already.
missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v perl >/dev/null 2>&1 || missing+=(perl)
command -v dpkg-source >/dev/null 2>&1 || missing+=(dpkg-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "pg-regress: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 3
  fi
  echo "pg-regress: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mkdir -p "$(dirname "$cache")"
work="$(mktemp -d "$cache.build-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "pg-regress: building the regression suite of $package $version in $work"

# A private apt: deb-src twins of the machine's sources, private lists and cache.
apt_dir="$work/apt"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
: > "$apt_dir/sources.list"
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >> "$apt_dir/sources.list"
fi
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  sed 's/^Types:.*$/Types: deb-src/' "$f" > "$apt_dir/sources.list.d/$(basename "$f")"
done
for f in /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" > "$apt_dir/sources.list.d/$(basename "$f")"
done
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "Debug::NoLocking=1"
          -o "APT::Sandbox::User=root" -o "Acquire::Retries=3")
apt-get -qq "${apt_opts[@]}" update
(cd "$work" && apt-get -qq "${apt_opts[@]}" source --download-only "$package=$version")
dsc="$(ls "$work"/"${package}"_*.dsc)"
dpkg-source --no-check -x "$dsc" "$work/src" > "$work/dpkg-source.log"

cd "$work/src"
./configure --without-readline --without-zlib --without-icu --without-llvm --without-openssl \
  > "$work/configure.log" 2>&1 || { tail -30 "$work/configure.log" >&2; exit 4; }
make -j"$(nproc)" -C src/test/regress > "$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 4; }

out="$work/out"
mkdir -p "$out"
regress=src/test/regress
cp "$regress/pg_regress" "$regress/regress.so" "$regress/autoinc.so" "$regress/refint.so" \
   "$regress/parallel_schedule" "$regress/resultmap" "$out/"
cp -r "$regress/sql" "$regress/expected" "$regress/data" "$out/"
echo "$package $version" > "$out/COMPLETE"
chmod -R a+rX "$out"

rm -rf "$cache"
mv "$out" "$cache"
echo "pg-regress: built $cache"
