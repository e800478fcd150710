package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/** {@code clone} with filter flags and a pgcopydb filters file. */
@Timeout(300)
class CloneFiltersIT {

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
        source.createDatabase("app");
        source.execute("app", """
                CREATE TABLE public.users (id serial PRIMARY KEY, name text);
                CREATE TABLE public.audit_log (id bigserial PRIMARY KEY, message text);
                CREATE SCHEMA staging;
                CREATE TABLE staging.raw (id int);
                CREATE SCHEMA "My Schema";
                CREATE TABLE "My Schema"."T.1" (id int PRIMARY KEY);
                INSERT INTO public.users (name) SELECT 'u' || g FROM generate_series(1, 30) g;
                INSERT INTO public.audit_log (message) SELECT 'm' FROM generate_series(1, 20) g;
                INSERT INTO staging.raw SELECT generate_series(1, 10);
                INSERT INTO "My Schema"."T.1" SELECT generate_series(1, 7);
                """);
    }

    @Test
    void aFiltersFileAndFlagsChooseWhatIsCloned() throws Exception {
        Path filters = Files.writeString(work.resolve("filters.ini"), """
                # as pgcopydb reads it
                [exclude-schema]
                staging

                [exclude-table-data]
                public.audit_log
                """);
        CloneCommandIT.Result r = CloneCommandIT.run("clone", "--source", source.uri("app"), "--target",
                target.uri("app_filtered"), "--dir", work.resolve("dir").toString(), "--filters", filters.toString(),
                "--exclude-table", "\"My Schema\".\"T.1\"");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).contains("Filters (exclude-schema: staging; exclude-table: \"My Schema\".\"T.1\";"
                + " exclude-table-data: public.audit_log): the rows of 1 of the 4 tables");
        assertThat(tables("app_filtered")).containsExactly("public.audit_log 0", "public.users 30");
    }

    @Test
    void aBadLineInTheFiltersFileIsInvalidInputWithItsLineNumber() throws Exception {
        Path filters = Files.writeString(work.resolve("bad.ini"), """
                [exclude-table]
                public.audit_log
                audit_log
                """);
        CloneCommandIT.Result r = CloneCommandIT.run("clone", "--source", source.uri("app"), "--target",
                target.uri("app_bad"), "--dir", work.resolve("bad").toString(), "--filters", filters.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("Filters file " + filters + " line 3: Table name 'audit_log' must be"
                + " schema.table (for example public.audit_log).").doesNotContain("\tat ");
        assertThat(databaseExists("app_bad")).isFalse();
        assertThat(work.resolve("bad")).doesNotExist();
    }

    @Test
    void aTableTheSourceLacksIsInvalidInputAndNothingIsWritten() throws Exception {
        CloneCommandIT.Result r = CloneCommandIT.run("clone", "--source", source.uri("app"), "--target",
                target.uri("app_unknown"), "--dir", work.resolve("unknown").toString(), "--include-table",
                "public.Users", "--include-table", "public.\"Users\"");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(r.err()).contains("The filters name what source database app does not have: table"
                + " public.\"Users\" does not exist.").doesNotContain("\tat ");
        assertThat(databaseExists("app_unknown")).isFalse();
    }

    /** Each user table of {@code db} on the target with its row count. */
    private static List<String> tables(String db) throws Exception {
        List<String[]> names = new ArrayList<>();
        try (Connection t = target.connect(db); ResultSet rs = t.createStatement().executeQuery(
                "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
                        + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")) {
            while (rs.next()) {
                names.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        List<String> rows = new ArrayList<>();
        try (Connection t = target.connect(db)) {
            for (String[] n : names) {
                try (ResultSet count = t.createStatement().executeQuery("SELECT count(*) FROM "
                        + Identifiers.qualified(n[0], n[1]))) {
                    count.next();
                    rows.add(n[0] + "." + n[1] + " " + count.getLong(1));
                }
            }
        }
        return rows;
    }

    private static boolean databaseExists(String name) throws Exception {
        try (Connection t = target.connect("postgres"); ResultSet rs = t.createStatement().executeQuery(
                "SELECT 1 FROM pg_catalog.pg_database WHERE datname = '" + name + "'")) {
            return rs.next();
        }
    }
}
