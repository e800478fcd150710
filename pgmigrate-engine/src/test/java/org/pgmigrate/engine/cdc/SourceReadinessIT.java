package org.pgmigrate.engine.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * {@link SourceReadiness}'s verdicts on real clusters, and how the replication setup ({@link SourceSetup}) words
 * them: not logical, every slot taken, too few WAL senders, and ready.
 */
@Timeout(120)
class SourceReadinessIT {

    @Test
    void aReplicaSourceIsNotReadyAndTheFixIsNamed() throws Exception {
        try (PgCluster source = PgCluster.builder().version(15).name("readiness-replica").walLevel("replica")
                .setting("max_replication_slots", "2").start();
             Connection c = source.connect("postgres")) {
            SourceReadiness.Verdict verdict = SourceReadiness.inspect(c, 1, null);
            assertThat(verdict.walLevel()).isEqualTo("replica");
            assertThat(verdict.logical()).isFalse();
            assertThat(verdict.enoughSlots()).isTrue();
            assertThat(verdict.ready()).isFalse();
            assertThat(verdict.statements()).first().isEqualTo("ALTER SYSTEM SET wal_level = 'logical'");

            EngineException refused = catchThrowableOfType(
                    () -> new SourceSetup(PgEndpoint.parse(source.uri("postgres"))).checkReady(c, "pgmigrate_x"),
                    EngineException.class);
            assertThat(refused.error()).isEqualTo(EngineError.LOGICAL_REPLICATION_NOT_ENABLED);
            assertThat(refused).hasMessageContaining("has wal_level=replica")
                    .hasMessageContaining("Run ALTER SYSTEM SET wal_level = logical; on the source and restart it");

            // Both slots taken (physical slots need no logical wal_level): named, and the fix raises the count.
            source.execute("postgres", "SELECT pg_catalog.pg_create_physical_replication_slot('standby_a');"
                    + " SELECT pg_catalog.pg_create_physical_replication_slot('standby_b')");
            SourceReadiness.Verdict full = SourceReadiness.inspect(c, 1, null);
            assertThat(full.slotsUsed()).isEqualTo(2);
            assertThat(full.enoughSlots()).isFalse();
            assertThat(full.settings()).containsExactly(Map.entry("wal_level", "logical"),
                    Map.entry("max_replication_slots", "5"));
            assertThat(full.statements()).containsExactly("ALTER SYSTEM SET wal_level = 'logical'",
                    "ALTER SYSTEM SET max_replication_slots = 5");
        }
    }

    @Test
    void aLogicalSourceIsReadyUntilItsSlotsAreTakenOrItsSendersTooFew() throws Exception {
        try (PgCluster source = PgCluster.builder().version(15).name("readiness-logical")
                .setting("max_replication_slots", "2").setting("max_wal_senders", "4").start();
             Connection c = source.connect("postgres")) {
            SourceSetup setup = new SourceSetup(PgEndpoint.parse(source.uri("postgres")));
            SourceReadiness.Verdict ok = SourceReadiness.inspect(c, 1, null);
            assertThat(ok.ready()).isTrue();
            assertThat(ok).isEqualTo(new SourceReadiness.Verdict("logical", 2, 0, 4, 0, 1));
            assertThat(setup.checkReady(c, "pgmigrate_x")).isEqualTo(c.getMetaData().getDatabaseMajorVersion() * 10000
                    + c.getMetaData().getDatabaseMinorVersion());

            // Three databases need six WAL senders; four are allowed.
            SourceReadiness.Verdict three = SourceReadiness.inspect(c, 3, null);
            assertThat(three.enoughSenders()).isFalse();
            assertThat(three.enoughSlots()).isFalse();
            assertThat(three.settings()).containsExactly(Map.entry("max_replication_slots", "5"),
                    Map.entry("max_wal_senders", "8"));

            source.execute("postgres", "SELECT pg_catalog.pg_create_physical_replication_slot('standby_a');"
                    + " SELECT pg_catalog.pg_create_physical_replication_slot('pgmigrate_x')");
            SourceReadiness.Verdict full = SourceReadiness.inspect(c, 1, null);
            assertThat(full.ready()).isFalse();
            assertThat(full.logical()).isTrue();
            assertThat(full.enoughSlots()).isFalse();
            EngineException refused = catchThrowableOfType(() -> setup.checkReady(c, "pgmigrate_y"),
                    EngineException.class);
            assertThat(refused.error()).isEqualTo(EngineError.LOGICAL_REPLICATION_NOT_ENABLED);
            assertThat(refused).hasMessageContaining("has no free replication slot: max_replication_slots is 2 with 2"
                    + " in use").hasMessageContaining("ALTER SYSTEM SET max_replication_slots = 5")
                    .hasMessageContaining("Nothing was created");
            // A leftover of the slot about to be created is dropped first, so it does not count as taken.
            assertThat(SourceReadiness.inspect(c, 1, "pgmigrate_x").enoughSlots()).isTrue();
            assertThat(setup.checkReady(c, "pgmigrate_x")).isPositive();
            // A resume creates no slot: a full source does not stop it.
            assertThat(setup.checkReady(c, null)).isPositive();
        }
    }
}
