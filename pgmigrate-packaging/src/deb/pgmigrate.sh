#!/bin/sh
# pgmigrate, installed from the Debian package.
# The class-data sharing archive made at install (postinst) spares every start most of its class loading; a JVM
# that finds it missing or mismatched (another JDK build since) starts as without it. PGMIGRATE_JAVA_OPTS comes after
# its options, so -Xshare:off there goes without it.
archive=/var/cache/pgmigrate/pgmigrate.jsa
if [ -f "$archive" ]; then
    exec java -XX:SharedArchiveFile="$archive" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off \
        ${PGMIGRATE_JAVA_OPTS:--Xmx512m} -jar /usr/share/pgmigrate/pgmigrate.jar "$@"
fi
exec java ${PGMIGRATE_JAVA_OPTS:--Xmx512m} -jar /usr/share/pgmigrate/pgmigrate.jar "$@"
