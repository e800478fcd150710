package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.copy.CopyOptions;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.verify.TableVerification;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * Table and schema filters: the target holds exactly what the filters take (schemas, tables, partitions, sequences),
 * a table kept without its rows is there and empty, the engine's verification passes on what was migrated, and a
 * filter that names what the source lacks, or that would break the target, is refused before anything is written.
 */
@Timeout(300)
class FiltersIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    final Engine engine = new Engine(EngineSettings.defaults());

    @TempDir
    Path work;

    @BeforeAll
    static void load() {
        source = clusters.source();
        target = clusters.target();
        source.createDatabase("shop");
        source.execute("shop", """
                CREATE TABLE public.customers (id serial PRIMARY KEY, name text NOT NULL);
                CREATE TABLE public.orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES public.customers,
                                            amount numeric NOT NULL);
                CREATE INDEX orders_customer ON public.orders (customer_id);
                CREATE VIEW public.big_orders AS SELECT id, amount FROM public.orders WHERE amount > 100;
                CREATE TABLE public.audit_log (id bigserial PRIMARY KEY, message text);
                CREATE TABLE public.scratch (id serial PRIMARY KEY, junk text);
                CREATE TABLE public.events (id int NOT NULL, at date NOT NULL, what text) PARTITION BY RANGE (at);
                CREATE TABLE public.events_2023 PARTITION OF public.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
                CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE SCHEMA staging;
                CREATE TABLE staging.raw (id int, payload text);
                CREATE FUNCTION staging.clean(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT trim(t)';
                CREATE SCHEMA "My Schema";
                CREATE TABLE "My Schema"."T.1" (id int PRIMARY KEY, v text);
                CREATE TABLE "My Schema"."Other" (id int PRIMARY KEY);
                INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 50) g;
                INSERT INTO public.orders (customer_id, amount) SELECT 1 + g % 50, g FROM generate_series(1, 500) g;
                INSERT INTO public.audit_log (message) SELECT 'event ' || g FROM generate_series(1, 300) g;
                INSERT INTO public.scratch (junk) SELECT 'x' FROM generate_series(1, 30) g;
                INSERT INTO public.events SELECT g, DATE '2023-06-01' + g, 'e' FROM generate_series(1, 400) g;
                INSERT INTO staging.raw SELECT g, 'p' FROM generate_series(1, 20) g;
                INSERT INTO "My Schema"."T.1" SELECT g, 'v' || g FROM generate_series(1, 40) g;
                INSERT INTO "My Schema"."Other" SELECT g FROM generate_series(1, 5) g;
                """);
    }

    @Test
    void excludedSchemasTablesPartitionsAndDataStayOnTheSource() throws Exception {
        TableFilter filter = TableFilter.parse(List.of(), List.of("staging"), List.of(),
                List.of("public.scratch", "\"My Schema\".\"Other\"", "PUBLIC.events_2023"), List.of("public.audit_log"));
        DatabaseReport report = migrate("shop_excluded", filter);

        try (Connection t = target.connect("shop_excluded")) {
            assertThat(EdgeCasesIT.query(t, "SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text"
                    + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p', 'v', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " ORDER BY 1")).containsExactly("My Schema.T.1:r", "public.audit_log:r",
                    "public.audit_log_id_seq:S", "public.big_orders:v", "public.customers:r",
                    "public.customers_id_seq:S", "public.events:p", "public.events_2024:r", "public.orders:r",
                    "public.orders_id_seq:S");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'staging'"))
                    .containsExactly("0");
            // Kept without its rows: the table, its key and its sequence's position are there.
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM public.audit_log")).containsExactly("0");
            assertThat(EdgeCasesIT.query(t, "SELECT indexrelid::regclass::text FROM pg_catalog.pg_index"
                    + " WHERE indrelid = 'public.audit_log'::regclass")).containsExactly("audit_log_pkey");
            assertThat(EdgeCasesIT.query(t, "SELECT last_value FROM public.audit_log_id_seq")).containsExactly("300");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM public.events")).containsExactly("187");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM \"My Schema\".\"T.1\"")).containsExactly("40");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM public.orders")).containsExactly("500");
        }
        // The engine verified what it migrated, and only that.
        assertThat(report.verification().equal()).isTrue();
        assertThat(report.verification().tables()).extracting(TableVerification::table).containsExactlyInAnyOrder(
                "My Schema.T.1", "public.customers", "public.orders", "public.events_2024");
        assertThat(report.notices()).anyMatch(n -> n.contains("the rows of 4 of the 9 tables"));
        // The independent comparer sees only what the filters left out.
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop_excluded")) {
            List<String> differences = DatabaseComparer.differences(s, t);
            assertThat(differences).isNotEmpty().allMatch(d -> d.contains("staging") || d.contains("scratch")
                    || d.contains("Other") || d.contains("events_2023") || d.contains("audit_log"), "left out");
            assertThat(differences).filteredOn(d -> d.contains("audit_log")).singleElement().asString()
                    .startsWith("data differs");
        }
    }

    @Test
    void includeOnlyTablesTakeThoseTablesAndTheirPartitions() throws Exception {
        TableFilter filter = TableFilter.parse(List.of(), List.of(), List.of("public.customers", "public.orders",
                "public.events", "\"My Schema\".\"T.1\""), List.of(), List.of());
        DatabaseReport report = migrate("shop_included", filter);

        try (Connection t = target.connect("shop_included")) {
            assertThat(EdgeCasesIT.query(t, "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).containsExactly(
                    "My Schema.T.1", "public.customers", "public.events", "public.events_2023", "public.events_2024",
                    "public.orders");
            // Other objects stay: the schemas (empty), the function, the view on an included table.
            assertThat(EdgeCasesIT.query(t, "SELECT staging.clean('  a ')")).containsExactly("a");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM public.big_orders")).containsExactly("400");
            assertThat(EdgeCasesIT.query(t, "SELECT count(*) FROM public.events")).containsExactly("400");
            assertThat(EdgeCasesIT.query(t, "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind = 'S'"
                    + " ORDER BY 1")).containsExactly("customers_id_seq", "orders_id_seq");
        }
        assertThat(report.verification().equal()).isTrue();
        assertThat(report.verification().tables()).hasSize(5);
    }

    @Test
    void includeOnlySchemasTakeThoseSchemasOnly() throws Exception {
        TableFilter filter = TableFilter.parse(List.of("\"My Schema\""), List.of(), List.of(), List.of(), List.of());
        DatabaseReport report = migrate("shop_schema", filter);

        try (Connection t = target.connect("shop_schema")) {
            assertThat(EdgeCasesIT.query(t, "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'S')"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")).containsExactly(
                    "My Schema.Other", "My Schema.T.1");
        }
        assertThat(report.verification().equal()).isTrue();
        assertThat(report.verification().tables()).extracting(TableVerification::table)
                .containsExactlyInAnyOrder("My Schema.T.1", "My Schema.Other");
    }

    @Test
    void namesTheSourceLacksAreRefusedBeforeAnythingIsWritten() throws Exception {
        TableFilter filter = TableFilter.parse(List.of(), List.of("nosuch"), List.of("public.\"Customers\"",
                "Public.Orders"), List.of(), List.of("public.big_orders"));
        assertThatThrownBy(() -> migrate("shop_unknown", filter))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("schema nosuch does not exist",
                            "table public.\"Customers\" does not exist", "public.big_orders is a view, not a table",
                            "Nothing was written");
                });
        assertThat(databaseExists("shop_unknown")).isFalse();
    }

    @Test
    void aFilterThatWouldBreakTheTargetIsRefusedBeforeAnythingIsWritten() throws Exception {
        TableFilter filter = TableFilter.parse(List.of(), List.of(), List.of(), List.of("public.orders"),
                List.of("public.customers"));
        assertThatThrownBy(() -> migrate("shop_broken", filter))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.error()).isEqualTo(EngineError.INVALID_INPUT);
                    assertThat(e.getMessage()).contains("view public.big_orders reads public.orders, which the"
                            + " filters leave out").doesNotContain("orders_customer_id_fkey");
                });
        TableFilter withoutRows = TableFilter.parse(List.of(), List.of(), List.of(), List.of(),
                List.of("public.customers"));
        assertThatThrownBy(() -> migrate("shop_broken", withoutRows))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.getMessage()).contains(
                        "foreign key orders_customer_id_fkey of public.orders references public.customers, whose rows"
                                + " the filters leave out"));
        assertThat(databaseExists("shop_broken")).isFalse();
    }

    @Test
    void aResumeWithOtherFiltersIsRefused() throws Exception {
        Path journal = work.resolve("journal");
        TableFilter first = TableFilter.parse(List.of(), List.of("staging"), List.of(), List.of(), List.of());
        try (DirectoryCheckpointStore checkpoints = DirectoryCheckpointStore.open(journal)) {
            checkpoints.put("db/shop/filters", first.describe());
            assertThatThrownBy(() -> engine.migrateDatabase(job("shop_resume", TableFilter.NONE), ProgressListener.NONE,
                    checkpoints, new Cancellation())).isInstanceOfSatisfying(EngineException.class, e -> assertThat(
                    e.getMessage()).contains("used other filters (exclude-schema: staging) than this one (no filters)"));
        }
        assertThat(databaseExists("shop_resume")).isFalse();
    }

    private DatabaseReport migrate(String targetDb, TableFilter filter) {
        return engine.migrateDatabase(job(targetDb, filter), ProgressListener.NONE, CheckpointStore.NONE,
                new Cancellation());
    }

    private DatabaseJob job(String targetDb, TableFilter filter) {
        return DatabaseJob.of(PgEndpoint.parse(source.uri("shop")), PgEndpoint.parse(target.uri(targetDb)),
                work.resolve(targetDb)).withCopy(CopyOptions.defaults().withJobs(2, 2)).withFilter(filter);
    }

    private static boolean databaseExists(String name) throws Exception {
        try (Connection t = target.connect("postgres")) {
            return !EdgeCasesIT.query(t, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = '" + name + "'")
                    .isEmpty();
        }
    }

}
