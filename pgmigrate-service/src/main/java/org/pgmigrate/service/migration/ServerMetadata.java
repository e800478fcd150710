package org.pgmigrate.service.migration;

/**
 * What a migration's source or target server told when the service connected to it: the ARM resource's
 * {@code sourceDbServerMetadata}/{@code targetDbServerMetadata}. Immutable.
 *
 * @param version   {@code server_version}, such as {@code 15.18}
 * @param storageMb the space its databases take ({@code pg_database_size} of every database the migration user may
 *                  connect to), in MiB rounded up; null when the server would not say
 * @param location  the location of the server's registration (for the target, else the migration's); null if none
 */
public record ServerMetadata(String version, Long storageMb, String location) {
}
