#!/bin/sh
# pgmigrate, installed from the Debian package.
exec java ${PGMIGRATE_JAVA_OPTS:--Xmx512m} -jar /usr/share/pgmigrate/pgmigrate.jar "$@"
