#!/bin/sh
# pgmigrate, installed from the Debian package.
# The class-data sharing archive made at install (postinst) spares every start most of its class loading; a JVM
# that finds it missing or mismatched (another JDK build since) starts as without it. PGMIGRATE_JAVA_OPTS comes after
# its options, so -Xshare:off there goes without it.
# The quick JIT compiler only: on 2 vCPUs its CPU pays off where the optimizing one's does not, in a clone and in the
# service alike (PGMIGRATE_JAVA_OPTS="-XX:TieredStopAtLevel=4" restores it). The heap: everything streams (a clone's
# live heap stays under 50 MB), so 256 MB, and 512 MB for serve.
jit=-XX:TieredStopAtLevel=1
heap=-Xmx256m
[ "${1:-}" = serve ] && heap=-Xmx512m
archive=/var/cache/pgmigrate/pgmigrate.jsa
if [ -f "$archive" ]; then
    exec java -XX:SharedArchiveFile="$archive" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off $jit \
        ${PGMIGRATE_JAVA_OPTS:-$heap} -jar /usr/share/pgmigrate/pgmigrate.jar "$@"
fi
exec java $jit ${PGMIGRATE_JAVA_OPTS:-$heap} -jar /usr/share/pgmigrate/pgmigrate.jar "$@"
