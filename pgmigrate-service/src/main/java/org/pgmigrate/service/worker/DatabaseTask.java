package org.pgmigrate.service.worker;

import java.nio.file.Path;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * One database of a migration, ready for the engine: both endpoints with the database set, and the options the
 * migration's properties decide. Immutable.
 *
 * @param dropIfExists replace the target database if it exists ({@code overwriteDbsInTarget}, confirmed)
 * @param keepOwnership restore owners and grants ({@code migrateRoles}, unless the target's parameters skip roles)
 * @param tuning       the target server's parameters in effect when the database started
 * @param workDir      the engine's files for this database (schema archive, restore lists), under the data dir
 * @param filter       the schemas and tables to migrate (property {@code filters})
 */
record DatabaseTask(String database, PgEndpoint source, PgEndpoint target, boolean dropIfExists, boolean keepOwnership,
                    MigrationTuning tuning, Path workDir, TableFilter filter) {
}
