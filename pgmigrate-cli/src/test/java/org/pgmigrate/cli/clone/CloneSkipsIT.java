package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * {@code clone --skip-large-objects --skip-extensions}, as pgcopydb's flags of those names: the target's catalog has
 * no large object (not even an empty one) and not the extension, the clone is still verified, and a table that needs
 * a skipped extension fails the clone with a message naming the extension and the flag, leaving no database behind.
 */
@Timeout(300)
class CloneSkipsIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;

    @TempDir
    Path work;

    @BeforeAll
    static void load() {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("docs");
        source.execute("docs", """
                CREATE EXTENSION pg_trgm;
                CREATE TABLE public.docs (id int PRIMARY KEY, body oid);
                INSERT INTO public.docs
                    SELECT g, pg_catalog.lo_from_bytea(0, pg_catalog.convert_to(repeat('x', g * 1000), 'UTF8'))
                    FROM generate_series(1, 5) g;
                """);
        source.createDatabase("typed");
        source.execute("typed", """
                CREATE EXTENSION citext;
                CREATE TABLE public.people (email public.citext PRIMARY KEY);
                INSERT INTO public.people VALUES ('a@example.com');
                """);
    }

    @Test
    void largeObjectsAndExtensionsAreLeftOutAndTheCloneIsVerified() throws Exception {
        CloneCommandIT.Result r = CloneCommandIT.run("clone", "--source", source.uri("docs"), "--target",
                target.uri("docs_skipped"), "--dir", work.resolve("dir").toString(), "--skip-large-objects",
                "--skip-extensions");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).contains("The source's extensions pg_trgm are not created on the target:"
                + " --skip-extensions is on.").contains("The source's 5 large objects are not copied:"
                + " --skip-large-objects is on.");
        assertThat(r.out()).contains("Large objects: 0 (0 B)").contains("Verification: 1 table");
        assertThat(count("docs", "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata", source)).isEqualTo(5);
        assertThat(count("docs_skipped", "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata", target)).isZero();
        assertThat(count("docs_skipped", "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm'",
                target)).isZero();
        assertThat(count("docs_skipped", "SELECT count(*) FROM public.docs", target)).isEqualTo(5);
    }

    @Test
    void withoutTheFlagsBothAreMigrated() throws Exception {
        CloneCommandIT.Result r = CloneCommandIT.run("clone", "--source", source.uri("docs"), "--target",
                target.uri("docs_whole"), "--dir", work.resolve("whole").toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(count("docs_whole", "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata", target)).isEqualTo(5);
        assertThat(count("docs_whole", "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm'",
                target)).isEqualTo(1);
    }

    @Test
    void aTableThatNeedsASkippedExtensionFailsNamingItAndTheFlag() throws Exception {
        CloneCommandIT.Result r = CloneCommandIT.run("clone", "--source", source.uri("typed"), "--target",
                target.uri("typed_skipped"), "--dir", work.resolve("typed").toString(), "--skip-extensions");
        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(r.err()).contains("type \"public.citext\" does not exist")
                .contains("The target database lacks the source's extension citext, not created because"
                        + " --skip-extensions is on, and objects that use it cannot be restored without it. Turn"
                        + " --skip-extensions off so that the migration creates it, or drop what uses it on the source.");
        assertThat(count("postgres", "SELECT count(*) FROM pg_catalog.pg_database WHERE datname = 'typed_skipped'",
                target)).as("the database the failed restore was in is dropped").isZero();
    }

    private static long count(String db, String sql, PgCluster cluster) throws Exception {
        try (Connection c = cluster.connect(db); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
