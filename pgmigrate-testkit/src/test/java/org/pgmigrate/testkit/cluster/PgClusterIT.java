package org.pgmigrate.testkit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(180)
class PgClusterIT {

    /**
     * Also what the build's cluster templates (ClusterTemplates) must not change: clusters of one kind are copies of
     * one initdb, yet each is a system of its own (pgmigrate tells servers apart by the system identifier) with a
     * password of its own; the template's no longer opens it.
     */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {95, 96, 10, 11, 15, 17})
    void startsAClusterOfTheRequestedMajorWithLogicalWalAndPasswordAuth(int major) throws Exception {
        assertThat(ClusterTemplates.configured()).as("the build sets " + ClusterTemplates.PROPERTY).isPresent();
        Path dataDir;
        try (PgCluster cluster = PgCluster.builder().version(major).name("it").start()) {
            dataDir = cluster.dataDir();
            try (Connection c = cluster.connect("postgres"); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT current_setting('server_version'), current_setting('wal_level')")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith(cluster.versionLabel() + ".");
                assertThat(cluster.versionLabel()).isEqualTo(switch (major) {
                    case 95 -> "9.5";
                    case 96 -> "9.6";
                    default -> Integer.toString(major);
                });
                assertThat(rs.getString(2)).isEqualTo("logical");
            }
            Path template = template(cluster.versionLabel());
            String templatePassword = Files.readString(template.resolve("password")).trim();
            assertThat(cluster.password()).isNotEqualTo(templatePassword);
            for (String wrong : List.of("wrong", templatePassword)) {
                assertThatThrownBy(() -> DriverManager.getConnection(cluster.jdbcUrl("postgres"), "postgres", wrong))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("password authentication failed");
            }
            String identifier = SystemIdentifier.of(cluster.dataDir());
            assertThat(identifier).isNotEqualTo(SystemIdentifier.of(template.resolve("data")));
            if (!cluster.olderThan(96)) {
                assertThat(systemIdentifier(cluster)).as("what the server says").isEqualTo(identifier);
            }
            cluster.createDatabase("Mixed Case");
            cluster.execute("Mixed Case", "CREATE TABLE t(i int); INSERT INTO t VALUES (1)");
            cluster.restart();
            try (Connection c = cluster.connect("Mixed Case"); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
        assertThat(Files.exists(dataDir)).isFalse();
    }

    /** Crash recovery reads the WAL, whose segment headers must carry the identifier the copy was given. */
    @Test
    void aCopiedClusterRecoversFromACrashWithTheIdentifierItWasGiven() throws Exception {
        try (PgCluster cluster = PgCluster.builder().version(15).name("crash").start()) {
            String identifier = SystemIdentifier.of(cluster.dataDir());
            // A commit that waits for its WAL write, which the kill must not take away (the testkit turns it off).
            cluster.execute("postgres", "SET synchronous_commit = on; CREATE TABLE t (i int); INSERT INTO t VALUES (1)");
            cluster.kill();
            cluster.startAgain();
            try (Connection c = cluster.connect("postgres"); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertThat(SystemIdentifier.of(cluster.dataDir())).isEqualTo(identifier);
        }
    }

    @Test
    void threadsRacingForANewTemplateBuildItOnceAndEachGetsACopyWithItsOwnIdentifier() throws Exception {
        Path base = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "templates-");
        OsUser.handOver(base); // initdb runs as the server user, which must reach the cache inside
        try {
            ClusterTemplates templates = new ClusterTemplates(base.resolve("cache"));
            PgDistribution distribution = PgDistribution.forMajor(15);
            ClusterTemplates.InitDb initdb = new ClusterTemplates.InitDb("postgres", "UTF8", "C");
            ExecutorService threads = Executors.newFixedThreadPool(3);
            List<Future<ClusterTemplates.Template>> copies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path dataDir = base.resolve("copy" + i);
                copies.add(threads.submit(() -> templates.copyTo(dataDir, distribution, initdb)));
            }
            threads.shutdown();
            Set<Path> templateDirs = new HashSet<>();
            for (Future<ClusterTemplates.Template> copy : copies) {
                templateDirs.add(copy.get(120, TimeUnit.SECONDS).dataDir());
            }
            assertThat(templateDirs).hasSize(1);
            try (Stream<Path> cache = Files.list(base.resolve("cache"))) {
                assertThat(cache.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")))
                        .as("one template and no half-built folder").hasSize(1);
            }
            Set<String> identifiers = new HashSet<>();
            identifiers.add(SystemIdentifier.of(templateDirs.iterator().next()));
            for (int i = 0; i < 3; i++) {
                identifiers.add(SystemIdentifier.of(base.resolve("copy" + i)));
                assertThat(base.resolve("copy" + i).resolve("PG_VERSION")).hasContent("15");
            }
            assertThat(identifiers).hasSize(4);
        } finally {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The template the build made for this major's default kind (UTF8, C). */
    private static Path template(String label) throws Exception {
        Path cache = Path.of(System.getProperty(ClusterTemplates.PROPERTY));
        try (Stream<Path> templates = Files.list(cache)) {
            return templates.filter(p -> p.getFileName().toString().startsWith("pg" + label + "-UTF8-")
                    && Files.isDirectory(p) && !p.getFileName().toString().contains(".build-")).findFirst().orElseThrow();
        }
    }

    private static String systemIdentifier(PgCluster cluster) throws SQLException {
        try (Connection c = cluster.connect("postgres"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT system_identifier::text FROM pg_control_system()")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
