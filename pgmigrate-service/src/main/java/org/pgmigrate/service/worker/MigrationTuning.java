package org.pgmigrate.service.worker;

import java.util.Optional;
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
 */
record MigrationTuning(CopyFormat format, long splitThresholdBytes, boolean analyze, boolean skipRoles, int tableJobs,
                       int indexJobs) {

    static MigrationTuning of(Optional<RegisteredServer> target, JobLimits limits) {
        RegisteredServer server = target.orElse(null);
        int tableJobs = Integer.parseInt(ServerParameters.value(server, "pgmigrate.migration_table_jobs"));
        int indexJobs = Integer.parseInt(ServerParameters.value(server, "pgmigrate.migration_index_jobs"));
        return new MigrationTuning(
                on(server, "azure.migration_copy_with_binary") ? CopyFormat.AUTO : CopyFormat.TEXT,
                Long.parseLong(ServerParameters.value(server, "azure.migration_table_split_size")) << 20,
                !on(server, "azure.migration_skip_analyze"),
                on(server, "azure.migration_skip_role_user"),
                tableJobs == 0 ? limits.tableJobs() : tableJobs,
                indexJobs == 0 ? limits.indexJobs() : indexJobs);
    }

    CopyOptions copyOptions() {
        return CopyOptions.defaults().withJobs(tableJobs, indexJobs).withSplitThreshold(splitThresholdBytes)
                .withFormat(format);
    }

    private static boolean on(RegisteredServer server, String name) {
        return ServerParameters.value(server, name).equals("on");
    }
}
