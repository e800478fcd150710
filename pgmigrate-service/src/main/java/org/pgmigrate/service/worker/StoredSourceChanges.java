package org.pgmigrate.service.worker;

import java.time.Clock;
import java.util.Optional;
import org.pgmigrate.engine.cdc.SourceChangeLog;
import org.pgmigrate.engine.cdc.SourceChanges;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.service.migration.SealedSecrets;
import org.pgmigrate.service.store.SourceCleanup;
import org.pgmigrate.service.store.SourceCleanupStore;

/**
 * The engine's {@link SourceChangeLog} for one database of one migration (or, with {@link SourceCleanup#SERVER},
 * its source server), kept as a {@link SourceCleanup} record: with the changes go where to undo them (the source's
 * conninfo, and its password sealed for this record), so the record can be undone after the migration itself is
 * deleted. An empty record is deleted. Durable on {@link #save}. Thread-safe.
 */
final class StoredSourceChanges implements SourceChangeLog {

    private final SourceCleanupStore records;
    private final SealedSecrets sealer;
    private final String migrationId;
    private final String migrationName;
    private final String database;
    private final PgEndpoint source;
    private final Clock clock;

    StoredSourceChanges(SourceCleanupStore records, SealedSecrets sealer, String migrationId, String migrationName,
                        String database, PgEndpoint source, Clock clock) {
        this.records = records;
        this.sealer = sealer;
        this.migrationId = migrationId;
        this.migrationName = migrationName;
        this.database = database;
        this.source = source;
        this.clock = clock;
    }

    @Override
    public SourceChanges load() {
        return records.find(migrationId, database).map(r -> SourceChanges.decode(r.changes())).orElse(SourceChanges.NONE);
    }

    @Override
    public void save(SourceChanges changes) {
        if (changes.isEmpty()) {
            records.delete(migrationId, database);
            return;
        }
        Optional<SourceCleanup> earlier = records.find(migrationId, database);
        String password = source.password() == null ? null
                : sealer.sealValue(source.password(), SourceCleanup.sealOwner(migrationId, database));
        records.put(new SourceCleanup(migrationId, database, migrationName, source.conninfoWithoutPassword(), password,
                changes.encode(), earlier.map(SourceCleanup::createdAt).orElse(clock.instant()),
                earlier.map(SourceCleanup::attemptedAt).orElse(null), earlier.map(SourceCleanup::problem).orElse(null)));
    }
}
