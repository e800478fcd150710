package org.pgmigrate.service.migration;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a migration's source or target server told when the service connected to it: the ARM resource's
 * {@code sourceDbServerMetadata}/{@code targetDbServerMetadata}. Immutable.
 *
 * @param version   the major version, as the spec has it ("major version of PostgreSQL database engine"): 15 for
 *                  15.18, 9.6 for 9.6.24
 * @param storageMb the space its databases take ({@code pg_database_size} of every database the migration user may
 *                  connect to), in MiB rounded up; null when the server would not say
 * @param location  the location of the server's registration (for the target, else the migration's); null if none
 */
public record ServerMetadata(String version, Long storageMb, String location) {

    private static final Pattern LEADING_VERSION = Pattern.compile("^(\\d+)(?:\\.(\\d+))?");

    /** From the server's {@code server_version} ({@code 15.18 (Debian 15.18-0+deb12u1)}) and its databases' bytes. */
    public static ServerMetadata of(String serverVersion, Long storageBytes, String location) {
        return new ServerMetadata(major(serverVersion), storageBytes == null ? null : (storageBytes + (1 << 20) - 1) >> 20,
                location);
    }

    static String major(String serverVersion) {
        Matcher m = LEADING_VERSION.matcher(serverVersion.trim());
        if (!m.find()) {
            return serverVersion;
        }
        return Integer.parseInt(m.group(1)) >= 10 || m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
    }
}
