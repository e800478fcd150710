#!/usr/bin/env bash
# Builds target/pgmigrate_<version>_all.deb from the shaded jar: the pgmigrate command on the PATH, and a hardened
# systemd unit for `pgmigrate serve` that runs as its own system user with its data in /var/lib/pgmigrate.
# Usage: build-deb.sh <maven version> <shaded jar> <readme> <output dir>
set -euo pipefail
version="$1"; jar="$2"; readme="$3"; out="$4"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Debian orders 0.1.0~SNAPSHOT before 0.1.0, as Maven orders a snapshot before its release.
debversion="${version/-SNAPSHOT/~SNAPSHOT}"
root="$out/deb-root"
rm -rf "$root"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/pgmigrate" "$root/usr/share/doc/pgmigrate" \
    "$root/lib/systemd/system" "$root/etc/default"
install -m 0644 "$jar" "$root/usr/share/pgmigrate/pgmigrate.jar"
install -m 0755 "$here/pgmigrate.sh" "$root/usr/bin/pgmigrate"
install -m 0755 "$here/../../../pgmigrate-cli/src/main/sh/make-cds-archive.sh" "$root/usr/share/pgmigrate/make-cds-archive"
install -m 0644 "$here/systemd/pgmigrate.service" "$root/lib/systemd/system/pgmigrate.service"
install -m 0644 "$here/default/pgmigrate" "$root/etc/default/pgmigrate"
install -m 0644 "$readme" "$root/usr/share/doc/pgmigrate/README.md"
for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$root/DEBIAN/$script"
done
echo "/etc/default/pgmigrate" > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: pgmigrate
Version: $debversion
Architecture: all
Maintainer: pgmigrate maintainers <maintainers@users.noreply.b-seed-5e92b815.example>
Installed-Size: $size
Depends: openjdk-17-jre-headless | java17-runtime-headless, postgresql-client, adduser
Recommends: postgresql
Section: database
Priority: optional
Description: self-hosted PostgreSQL migration service, compatible with Azure's
 pgmigrate moves PostgreSQL databases between any two servers, offline or online
 (logical replication with cutover), and proves the copy row by row. It re-creates
 the Azure Database for PostgreSQL migration service: the same REST API and the
 same "az postgres flexible-server migration" command line.
 .
 This package installs the pgmigrate command and a systemd unit for
 "pgmigrate serve" (user pgmigrate, data in /var/lib/pgmigrate, options in
 /etc/default/pgmigrate). pg_dump and pg_restore come from postgresql-client.
CONTROL
mkdir -p "$out"
deb="$out/pgmigrate_${debversion}_all.deb"
dpkg-deb --root-owner-group --build -Zxz "$root" "$deb" >/dev/null
rm -rf "$root"
echo "$deb"
