package org.pgmigrate.service.worker;

import java.util.Optional;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.copy.CopyFormat;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerParameters;

/**
 * How a migration copies, read from its target server's parameters ({@link ServerParameters}) when a database
 * starts, as Azure's migration service reads the target's {@code azure.migration_*} parameters. A target that is
 * not registered (named by FQDN) has every default. Immutable.
 *
 * @param skipRoles  {@code azure.migration_skip_role_user}: roles are not migrated, whatever migrateRoles says
 * @param skips      {@code azure.migration_skip_large_objects} and {@code azure.migration_skip_extensions}, each
 *                   named by its parameter for the engine's messages
 */
record MigrationTuning(CopyFormat format, long splitThresholdBytes, boolean analyze, boolean skipRoles, int tableJobs,
                       int indexJobs, ObjectSkips skips) {

    static final String SKIP_LARGE_OBJECTS = "azure.migration_skip_large_objects";
    static final String SKIP_EXTENSIONS = "azure.migration_skip_extensions";
    static final String SKIP_ROLES = "azure.migration_skip_role_user";

    static MigrationTuning of(Optional<RegisteredServer> target, JobLimits limits) {
        RegisteredServer server = target.orElse(null);
        int tableJobs = Integer.parseInt(ServerParameters.value(server, "pgmigrate.migration_table_jobs"));
        int indexJobs = Integer.parseInt(ServerParameters.value(server, "pgmigrate.migration_index_jobs"));
        return new MigrationTuning(
                on(server, "azure.migration_copy_with_binary") ? CopyFormat.AUTO : CopyFormat.TEXT,
                Long.parseLong(ServerParameters.value(server, "azure.migration_table_split_size")) << 20,
                !on(server, "azure.migration_skip_analyze"),
                on(server, SKIP_ROLES),
                tableJobs == 0 ? limits.tableJobs() : tableJobs,
                indexJobs == 0 ? limits.indexJobs() : indexJobs,
                ObjectSkips.NONE.withLargeObjects(on(server, SKIP_LARGE_OBJECTS) ? SKIP_LARGE_OBJECTS : null)
                        .withExtensions(on(server, SKIP_EXTENSIONS) ? SKIP_EXTENSIONS : null));
    }

    CopyOptions copyOptions() {
        return CopyOptions.defaults().withJobs(tableJobs, indexJobs).withSplitThreshold(splitThresholdBytes)
                .withFormat(format);
    }

    private static boolean on(RegisteredServer server, String name) {
        return ServerParameters.value(server, name).equals("on");
    }
}
