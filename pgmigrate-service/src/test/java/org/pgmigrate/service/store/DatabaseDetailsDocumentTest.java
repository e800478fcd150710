package org.pgmigrate.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.cdc.CdcCounters;
import org.pgmigrate.service.migration.DatabaseDetails;
import org.pgmigrate.service.migration.DatabaseMigrationState;

/**
 * The stores' document of a database's details kept its flat shape when the counters were grouped into named
 * records: a document written by the version before still reads, counter by counter, and a document written now
 * is the same JSON, so that a node of either version reads the other's.
 */
class DatabaseDetailsDocumentTest {

    /** What the SQLite and PostgreSQL stores held for a database before the counters were grouped. */
    private static final String STORED_BEFORE = """
            {"databaseName":"shop","migrationState":"IN_PROGRESS","migrationOperation":"Applying changes",\
            "startedOn":"2026-12-01T10:00:00Z","endedOn":null,"fullLoadQueuedTables":1,"fullLoadErroredTables":2,\
            "fullLoadLoadingTables":3,"fullLoadCompletedTables":4,"cdcUpdateCounter":20,"cdcDeleteCounter":30,\
            "cdcInsertCounter":10,"appliedChanges":62,"incomingChanges":70,"latency":5,"pendingBytes":4096,\
            "copiedRows":1000,"copiedBytes":2000,"totalBytes":3000,"message":"replication paused"}""";

    @Test
    void aDocumentStoredBeforeTheCountersWereGroupedStillReadsCounterByCounter() {
        DatabaseDetails d = Documents.read(STORED_BEFORE, DatabaseDetails.class);

        assertThat(d.databaseName()).isEqualTo("shop");
        assertThat(d.migrationState()).isEqualTo(DatabaseMigrationState.IN_PROGRESS);
        assertThat(d.migrationOperation()).isEqualTo("Applying changes");
        assertThat(d.startedOn()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(d.endedOn()).isNull();
        assertThat(d.message()).isEqualTo("replication paused");
        assertThat(d.fullLoadQueuedTables()).isEqualTo(1);
        assertThat(d.fullLoadErroredTables()).isEqualTo(2);
        assertThat(d.fullLoadLoadingTables()).isEqualTo(3);
        assertThat(d.fullLoadCompletedTables()).isEqualTo(4);
        assertThat(d.copiedRows()).isEqualTo(1000);
        assertThat(d.copiedBytes()).isEqualTo(2000);
        assertThat(d.totalBytes()).isEqualTo(3000);
        // appliedChanges beyond the row counters were TRUNCATEs: two here.
        assertThat(d.replication().counters()).isEqualTo(CdcCounters.ZERO.withInserts(10).withUpdates(20)
                .withDeletes(30).withTruncates(2).withIncoming(70));
        assertThat(d.appliedChanges()).isEqualTo(62);
        assertThat(d.latency()).isEqualTo(5);
        assertThat(d.pendingBytes()).isEqualTo(4096);
    }

    @Test
    void aDocumentWrittenNowHasTheShapeAndValuesOfTheOldOne() throws Exception {
        DatabaseDetails d = Documents.read(STORED_BEFORE, DatabaseDetails.class);

        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(Documents.write(d))).isEqualTo(json.readTree(STORED_BEFORE));
        assertThat(Documents.read(Documents.write(d), DatabaseDetails.class)).isEqualTo(d);
    }

    @Test
    void aQueuedDatabaseRoundTripsWithNothingCounted() {
        DatabaseDetails queued = DatabaseDetails.queued("crm");

        DatabaseDetails read = Documents.read(Documents.write(queued), DatabaseDetails.class);

        assertThat(read).isEqualTo(queued);
        assertThat(read.replication().counters()).isEqualTo(CdcCounters.ZERO);
        assertThat(read.appliedChanges()).isZero();
    }
}
