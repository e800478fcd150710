package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pgmigrate.engine.cdc.OnlineMigration;
import org.pgmigrate.engine.cdc.OnlineReplication;
import org.pgmigrate.engine.cdc.ReplicationConfig;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.precheck.CheckResult;
import org.pgmigrate.engine.precheck.CheckState;
import org.pgmigrate.engine.precheck.PremigrationValidator;
import org.pgmigrate.engine.precheck.ValidationReport;
import org.pgmigrate.engine.precheck.ValidationRequest;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

/**
 * The oldest sources pgmigrate takes, 9.5, 9.6 and 10, into a 15 target. Offline, roles and the sample database (in
 * the shape each version can have: serial keys and inheritance partitioning before 10) arrive whole, with owners and
 * grants, the engine's verification passes, and the testkit's comparer finds no difference; validation passes them. Online, 9.5 and 9.6
 * (no pgoutput) are refused by validation and by the engine before anything is created, and 10 gets a warning that
 * TRUNCATE is not replicated (the online migration from 10 itself is in cdc.OldSourceOnlineIT, slow profile). A 10
 * server as a target is refused with the supported range before anything is written.
 *
 * <p>One target serves every source, each into a database of its own; the four clusters start, and the sources
 * load, at once.
 */
@Timeout(300)
class OldSourcesIT {

    static final int ROWS = 1000;
    static final Map<Integer, PgCluster> SOURCES = new ConcurrentHashMap<>();
    static PgCluster target;

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(4);
        try {
            Future<PgCluster> targetStart = starting.submit(() -> PgCluster.builder().version(15).name("old-sources-target").start());
            List<Future<?>> sources = new ArrayList<>();
            for (int major : new int[] {95, 96, 10}) {
                sources.add(starting.submit(() -> {
                    PgCluster source = PgCluster.builder().version(major).name("old-source").start();
                    SOURCES.put(major, source);
                    source.createDatabase("shop");
                    try (Connection c = source.connect("shop")) {
                        SampleDatabase.load(c, ROWS);
                    }
                    String role = appRole(source);
                    source.execute("shop", "CREATE ROLE " + role + " LOGIN PASSWORD 'app-pw';"
                            + " ALTER TABLE shop.customers OWNER TO " + role + "; GRANT SELECT ON shop.orders TO " + role);
                    return null;
                }));
            }
            target = targetStart.get();
            for (Future<?> f : sources) {
                f.get();
            }
        } finally {
            starting.shutdown();
        }
    }

    @AfterAll
    static void stopClusters() {
        SOURCES.values().forEach(PgCluster::close);
        if (target != null) {
            target.close();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0} to 15")
    @ValueSource(ints = {95, 96, 10})
    void migratesTheSampleDatabaseOfflineFromAnOldSource(int major) throws Exception {
        PgCluster source = SOURCES.get(major);
        String into = "shop_from_" + source.versionLabel().replace('.', '_');
        // A small split threshold: the keyed tables copy in key ranges (ctid ranges need 14).
        Engine engine = new Engine(EngineSettings.defaults());
        engine.migrateRoles(PgEndpoint.parse(source.uri("postgres")), PgEndpoint.parse(target.uri("postgres")),
                new Cancellation());
        DatabaseJob job = DatabaseJob.of(PgEndpoint.parse(source.uri("shop")), PgEndpoint.parse(target.uri(into)),
                work.resolve("shop")).withCopy(CopyOptions.defaults().withSplitThreshold(64 * 1024))
                .withKeepOwnership(true);
        DatabaseReport report = engine.migrateDatabase(job, ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());

        assertThat(report.verification().equal()).isTrue();
        try (Connection s = source.connect("shop"); Connection t = target.connect(into)) {
            DatabaseComparer.assertEqual(s, t);
            assertThat(count(t, "SELECT count(*) FROM shop.orders")).isEqualTo(ROWS);
            assertThat(count(t, "SELECT count(*) FROM shop.events")).isEqualTo(ROWS);
            assertThat(count(t, "SELECT count(*) FROM shop.events_2026")).isPositive();
            // Roles came through pg_dumpall of the old server, owners and grants through its pg_dump.
            assertThat(strings(t, "SELECT tableowner FROM pg_tables WHERE schemaname = 'shop' AND tablename = 'customers'"))
                    .containsExactly(appRole(source));
            assertThat(count(t, "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = '"
                    + appRole(source) + "' AND table_name = 'orders' AND privilege_type = 'SELECT'")).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0} to 15")
    @ValueSource(ints = {95, 96, 10})
    void validationPassesAnOldSourceOffline(int major) {
        ValidationReport report = validator().validate(new ValidationRequest(PgEndpoint.parse(SOURCES.get(major).uri("postgres")),
                PgEndpoint.parse(target.uri("postgres")), List.of("shop"), false, true, false, false));

        assertThat(report.status()).as(report.toString()).isNotEqualTo(CheckState.Failed);
        CheckResult version = item(report.serverLevel(), "SourceVersionValidation");
        assertThat(version.state()).isEqualTo(CheckState.Succeeded);
        assertThat(version.messages().get(0).message()).startsWith("Source PostgreSQL " + SOURCES.get(major).versionLabel() + ".");
        assertThat(report.databaseLevel().get(0).summary()).extracting(CheckResult::type)
                .contains("SchemaValidation", "ExtensionsValidation", "DatabaseSizeValidation");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {95, 96})
    void validationRefusesOnlineFromASourceWithoutPgoutput(int major) {
        PgCluster source = SOURCES.get(major);
        ValidationReport report = validator().validate(new ValidationRequest(PgEndpoint.parse(source.uri("postgres")),
                PgEndpoint.parse(target.uri("postgres")), List.of("shop"), true, true, false, true));

        assertThat(report.status()).isEqualTo(CheckState.Failed);
        CheckResult version = item(report.serverLevel(), "SourceVersionValidation");
        assertThat(version.state()).isEqualTo(CheckState.Failed);
        assertThat(version.messages()).anyMatch(m -> m.state() == CheckState.Failed && m.message().equals(
                "Online migration is not possible from this source: PostgreSQL " + source.versionLabel() + " has no"
                        + " pgoutput (logical replication came with 10): migrate it offline, or upgrade the source to"
                        + " 10+ first."));
    }

    @Test
    void validationWarnsThatTenDoesNotReplicateTruncate() {
        ValidationReport report = validator().validate(new ValidationRequest(PgEndpoint.parse(SOURCES.get(10).uri("postgres")),
                PgEndpoint.parse(target.uri("postgres")), List.of("shop"), true, true, false, true));

        CheckResult version = item(report.serverLevel(), "SourceVersionValidation");
        assertThat(version.state()).isEqualTo(CheckState.Warning);
        assertThat(version.messages()).anyMatch(m -> m.state() == CheckState.Warning
                && m.message().startsWith("PostgreSQL 10 does not replicate TRUNCATE"));
        assertThat(report.status()).as(report.toString()).isNotEqualTo(CheckState.Failed);
    }

    @Test
    void theEngineRefusesOnlineFrom96BeforeCreatingAnything() throws Exception {
        PgCluster source = SOURCES.get(96);
        PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
        PgEndpoint to = PgEndpoint.parse(target.uri("online_from_9_6"));
        Path spool = work.resolve("spool");
        ReplicationConfig config = ReplicationConfig.builder("old-online", from, to, spool).allowReplicaIdentityFull(true)
                .build();
        Engine engine = new Engine(EngineSettings.defaults());
        try (OnlineMigration migration = new OnlineMigration(engine, DatabaseJob.of(from, to, work.resolve("job")),
                new OnlineReplication(config, new PgConnector()))) {
            assertThatThrownBy(() -> migration.start(ProgressListener.NONE, new Cancellation()))
                    .isInstanceOfSatisfying(EngineException.class, e -> {
                        assertThat(e.error()).isEqualTo(EngineError.UNSUPPORTED_VERSION);
                        assertThat(e.getMessage()).isEqualTo("Online migration from the source " + from.address()
                                + " is not possible: PostgreSQL 9.6 has no pgoutput (logical replication came with 10):"
                                + " migrate it offline, or upgrade the source to 10+ first.");
                    });
        }
        try (Connection s = source.connect("shop"); Connection t = target.connect("postgres")) {
            assertThat(count(s, "SELECT count(*) FROM pg_replication_slots")).isZero();
            assertThat(count(s, "SELECT count(*) FROM pg_class WHERE relreplident = 'f'")).isZero();
            assertThat(count(t, "SELECT count(*) FROM pg_database WHERE datname = 'online_from_9_6'")).isZero();
            assertThat(count(t, "SELECT count(*) FROM pg_replication_origin")).isZero();
        }
        assertThat(spool).doesNotExist();
        assertThat(work.resolve("job")).doesNotExist();
    }

    @Test
    void aPublicationOf10ListsPartitionsWhenTheUserIsNotASuperuser() throws Exception {
        PgCluster ten = SOURCES.get(10);
        ten.execute("postgres", "CREATE ROLE shop_owner LOGIN REPLICATION PASSWORD 'owner-pw'");
        ten.createDatabase("owned");
        ten.execute("postgres", "GRANT CREATE ON DATABASE owned TO shop_owner");
        ten.execute("owned", "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);"
                + " CREATE TABLE events_old PARTITION OF events FOR VALUES FROM ('2000-01-01') TO ('2020-01-01');"
                + " CREATE TABLE events_new PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2100-01-01');"
                + " ALTER TABLE events_old ADD PRIMARY KEY (id); ALTER TABLE events_new ADD PRIMARY KEY (id);"
                + " CREATE TABLE plain (id int PRIMARY KEY);"
                + " ALTER TABLE events OWNER TO shop_owner; ALTER TABLE events_old OWNER TO shop_owner;"
                + " ALTER TABLE events_new OWNER TO shop_owner; ALTER TABLE plain OWNER TO shop_owner");
        ReplicationConfig config = ReplicationConfig.builder("owned10", PgEndpoint.parse(ten.uri("owned", "shop_owner",
                "owner-pw")), PgEndpoint.parse(target.uri("owned")), work.resolve("spool")).build();
        try (OnlineReplication replication = new OnlineReplication(config, new PgConnector())) {
            replication.prepare();
            try (Connection c = ten.connect("owned")) {
                assertThat(strings(c, "SELECT tablename FROM pg_publication_tables WHERE pubname = '"
                        + replication.names().publication() + "' ORDER BY 1"))
                        .containsExactly("events_new", "events_old", "plain");
            }
            replication.cancel();
        }
        try (Connection c = ten.connect("owned")) {
            assertThat(count(c, "SELECT count(*) FROM pg_publication")).isZero();
            assertThat(count(c, "SELECT count(*) FROM pg_replication_slots")).isZero();
        }
    }

    @Test
    void aTargetOlderThan11IsRefusedWithTheSupportedRangeBeforeAnythingIsWritten() throws Exception {
        PgCluster source = SOURCES.get(96);
        PgCluster ten = SOURCES.get(10);
        source.execute("postgres", "DROP ROLE IF EXISTS app_owner; CREATE ROLE app_owner LOGIN");
        PgEndpoint from = PgEndpoint.parse(source.uri("shop"));
        PgEndpoint to = PgEndpoint.parse(ten.uri("shop_from_9_6"));
        Engine engine = new Engine(EngineSettings.defaults());
        String expected = "The target " + to.address() + " runs PostgreSQL 10.23; pgmigrate supports sources 9.5 to 18"
                + " and targets 11 to 18. Migrate into a server running PostgreSQL 11 or newer.";

        assertThatThrownBy(() -> engine.migrateDatabase(DatabaseJob.of(from, to, work.resolve("job")), ProgressListener.NONE,
                CheckpointStore.NONE, new Cancellation()))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.UNSUPPORTED_VERSION);
                    assertThat(e.getMessage()).isEqualTo(expected);
                });
        assertThatThrownBy(() -> engine.migrateRoles(from, to, new Cancellation()))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.getMessage()).isEqualTo(expected));
        try (Connection t = ten.connect("postgres")) {
            assertThat(count(t, "SELECT count(*) FROM pg_database WHERE datname = 'shop_from_9_6'")).isZero();
            assertThat(count(t, "SELECT count(*) FROM pg_roles WHERE rolname = 'app_owner'")).isZero();
        }
        assertThat(work.resolve("job")).doesNotExist();

        ValidationReport report = validator().validate(new ValidationRequest(PgEndpoint.parse(source.uri("postgres")),
                PgEndpoint.parse(ten.uri("postgres")), List.of("shop"), false, true, false, false));
        CheckResult version = item(report.serverLevel(), "SourceVersionValidation");
        assertThat(version.state()).isEqualTo(CheckState.Failed);
        assertThat(version.messages().get(0).message()).isEqualTo("The target server runs PostgreSQL 10.23; pgmigrate"
                + " supports sources 9.5 to 18 and targets 11 to 18. Migrate into a server running PostgreSQL 11 or newer.");
        // Nothing else is checked against catalogs pgmigrate does not read.
        assertThat(report.databaseLevel()).isEmpty();
    }

    /** A role per source, since they all migrate into one target. */
    private static String appRole(PgCluster source) {
        return "shop_app_" + source.versionLabel().replace('.', '_');
    }

    private static PremigrationValidator validator() {
        return new PremigrationValidator(new PgConnector(), List.of());
    }

    private static CheckResult item(List<CheckResult> results, String type) {
        return results.stream().filter(r -> r.type().equals(type)).findFirst().orElseThrow();
    }

    private static List<String> strings(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
