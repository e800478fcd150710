package org.pgmigrate.service.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;

/** How a migration whose databases are done ends, decided from its details alone. */
class MigrationRunTest {

    private static final Instant T0 = Instant.parse("2026-12-07T04:00:00Z");

    @Test
    void anyFailedDatabaseFailsTheMigrationNamingEachWithItsMessage() {
        Migration m = completing(Map.of(
                "a", db("a", DatabaseMigrationState.SUCCEEDED, null),
                "b", db("b", DatabaseMigrationState.FAILED, "Change capture stopped: slot lost.")));
        Migration done = MigrationRun.completed(m);
        assertThat(done.status()).isEqualTo(MigrationStatus.FAILED_DONE);
        assertThat(done.error()).isEqualTo("b: Change capture stopped: slot lost.");
    }

    @Test
    void oneSucceededDatabaseAmongCanceledOnesIsASuccess() {
        Migration done = MigrationRun.completed(completing(Map.of(
                "a", db("a", DatabaseMigrationState.SUCCEEDED, null),
                "b", db("b", DatabaseMigrationState.CANCELED, "canceled"))));
        assertThat(done.status()).isEqualTo(MigrationStatus.SUCCEEDED_DONE);
    }

    @Test
    void onlyCanceledDatabasesEndCanceled() {
        Migration done = MigrationRun.completed(completing(Map.of(
                "a", db("a", DatabaseMigrationState.CANCELED, "canceled"))));
        assertThat(done.status()).isEqualTo(MigrationStatus.CANCELED_DONE);
    }

    private static DatabaseDetails db(String name, DatabaseMigrationState state, String message) {
        return DatabaseDetails.queued(name).withState(state, state.toString(), message);
    }

    private static Migration completing(Map<String, DatabaseDetails> dbs) {
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.dbsToMigrate = List.copyOf(dbs.keySet());
        return new Migration(new MigrationKey(new ServerKey("s", "rg", ServerKind.FLEXIBLE, "t"), "m"), "id-1", "local",
                Map.of(), b.build(), MigrationStatus.COMPLETING, "", dbs, null, null, null, null, T0, T0, null, 1);
    }
}
