package org.pgmigrate.engine.precheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.ObjectSkips;
import org.pgmigrate.engine.catalog.TableFilter;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * Validation of a migration that skips extensions or large objects, on a PostgreSQL 15 source and a 17 target (17
 * dropped the old_snapshot extension, so a source that has it has a real extension the target lacks).
 */
@Timeout(300)
class SkippedObjectsValidationIT {

    private static final String SETTING = "azure.migration_skip_extensions";
    private static final ObjectSkips SKIP_EXTENSIONS = ObjectSkips.NONE.withExtensions(SETTING);

    static PgCluster source;
    static PgCluster target;
    final PremigrationValidator validator = new PremigrationValidator(new PgConnector(), List.of());

    @BeforeAll
    static void startClusters() {
        source = PgCluster.builder().version(15).name("skips-source").start();
        target = PgCluster.builder().version(17).name("skips-target").start();
    }

    @AfterAll
    static void stopClusters() {
        target.close();
        source.close();
    }

    @Test
    void anExtensionTheTargetLacksAndNothingUsesIsAWarningWhenSkippedAndAFailureOtherwise() {
        source.createDatabase("unused");
        source.execute("unused", "CREATE EXTENSION old_snapshot; CREATE EXTENSION hstore;"
                + " CREATE EXTENSION pg_stat_statements; CREATE EXTENSION citext SCHEMA pg_catalog;"
                + " CREATE TABLE t (id int PRIMARY KEY, v text)");

        ValidationReport skipped = validator.validate(request("unused", false).withSkips(SKIP_EXTENSIONS));
        assertThat(skipped.passed()).as(skipped.toString()).isTrue();
        CheckResult extensions = item(skipped, "ExtensionsValidation");
        assertThat(extensions.state()).isEqualTo(CheckState.Warning);
        assertThat(extensions.messages()).extracting(CheckResult.Message::message).containsExactly(
                "Extension old_snapshot 1.0 is not available on the target; it will not be migrated because"
                        + " azure.migration_skip_extensions is on, and nothing in database unused uses it.",
                "Extensions citext, hstore, pg_stat_statements will not be migrated because"
                        + " azure.migration_skip_extensions is on (nothing in database unused uses them): the target"
                        + " database will not have them.");

        CheckResult kept = item(validator.validate(request("unused", false)), "ExtensionsValidation");
        assertThat(kept.state()).isEqualTo(CheckState.Failed);
        assertThat(kept.messages()).anyMatch(m -> m.state() == CheckState.Failed
                && m.message().contains("Extension old_snapshot 1.0 is not available on the target"));
        assertThat(kept.messages()).as("placement and preload are checked for extensions that are created")
                .anyMatch(m -> m.message().contains("installed in the system schema pg_catalog"))
                .anyMatch(m -> m.message().contains("pg_stat_statements in the target's shared_preload_libraries"));
    }

    @Test
    void aSkippedExtensionThatObjectsUseFailsNamingTheExtensionTheObjectsAndTheFixes() {
        source.createDatabase("used");
        source.execute("used", "CREATE EXTENSION old_snapshot; CREATE EXTENSION citext; CREATE EXTENSION pg_trgm;"
                + " CREATE EXTENSION hstore;"
                + " CREATE VIEW public.horizon AS SELECT * FROM public.pg_old_snapshot_time_mapping();"
                + " CREATE TABLE public.people (id int PRIMARY KEY, email public.citext, aliases public.citext[],"
                + "   name text);"
                + " CREATE INDEX people_name_trgm ON public.people USING gin (name public.gin_trgm_ops)");

        CheckResult extensions = item(validator.validate(request("used", false).withSkips(SKIP_EXTENSIONS)),
                "ExtensionsValidation");
        assertThat(extensions.state()).isEqualTo(CheckState.Failed);
        assertThat(extensions.messages()).extracting(CheckResult.Message::message).containsExactly(
                "Extension citext is not migrated because azure.migration_skip_extensions is on, and the target"
                        + " database is created from template0, so it will not have citext; but column aliases of"
                        + " table public.people, column email of table public.people in database used use it, and"
                        + " would fail to restore. Turn azure.migration_skip_extensions off, or drop those objects on the source.",
                "Extension old_snapshot is not migrated because azure.migration_skip_extensions is on, and the"
                        + " target database is created from template0, so it will not have old_snapshot; but view"
                        + " public.horizon in database used uses it, and would fail to restore. Turn"
                        + " azure.migration_skip_extensions off (and install the extension on the target, for"
                        + " example the package postgresql-17-old_snapshot), or drop that object on the source.",
                "Extension pg_trgm is not migrated because azure.migration_skip_extensions is on, and the target"
                        + " database is created from template0, so it will not have pg_trgm; but index"
                        + " public.people_name_trgm in database used uses it, and would fail to restore. Turn"
                        + " azure.migration_skip_extensions off, or drop that object on the source.",
                "Extension hstore will not be migrated because azure.migration_skip_extensions is on (nothing in"
                        + " database used uses it): the target database will not have it.");
    }

    @Test
    void objectsTheFiltersLeaveOutDoNotHoldASkippedExtensionBack() {
        source.createDatabase("filtered");
        source.execute("filtered", "CREATE EXTENSION citext; CREATE EXTENSION pg_trgm; CREATE SCHEMA archive;"
                + " CREATE TABLE archive.old_people (id int PRIMARY KEY, email public.citext);"
                + " CREATE TABLE public.notes (id int PRIMARY KEY, body text);"
                + " CREATE INDEX notes_body_trgm ON public.notes USING gin (body public.gin_trgm_ops);"
                + " CREATE TABLE public.kept (id int PRIMARY KEY, email public.citext)");

        CheckResult unfiltered = item(validator.validate(request("filtered", false).withSkips(SKIP_EXTENSIONS)),
                "ExtensionsValidation");
        assertThat(unfiltered.messages()).extracting(CheckResult.Message::message)
                .anyMatch(m -> m.startsWith("Extension citext is not migrated") && m.contains("column email of table"
                        + " archive.old_people, column email of table public.kept in database filtered use it"))
                .anyMatch(m -> m.startsWith("Extension pg_trgm is not migrated") && m.contains("index public.notes_body_trgm"));

        // archive left out, and public.notes with its index: only public.kept still needs citext
        TableFilter filter = TableFilter.parse(List.of(), List.of("archive"), List.of(), List.of("public.notes"), List.of());
        CheckResult filtered = item(validator.validate(new ValidationRequest(PgEndpoint.parse(source.uri("postgres")),
                PgEndpoint.parse(target.uri("postgres")), List.of("filtered"), false, false, false, true, filter)
                .withSkips(SKIP_EXTENSIONS)), "ExtensionsValidation");
        assertThat(filtered.state()).isEqualTo(CheckState.Failed);
        assertThat(filtered.messages()).extracting(CheckResult.Message::message).containsExactly(
                "Extension citext is not migrated because azure.migration_skip_extensions is on, and the target"
                        + " database is created from template0, so it will not have citext; but column email of table"
                        + " public.kept in database filtered uses it, and would fail to restore. Turn"
                        + " azure.migration_skip_extensions off, or drop that object on the source.",
                "Extension pg_trgm will not be migrated because azure.migration_skip_extensions is on (nothing in"
                        + " database filtered uses it): the target database will not have it.");
    }

    @Test
    void skippedLargeObjectsAreOneNoteInsteadOfTheOnlineWarning() {
        source.createDatabase("blobs");
        source.execute("blobs", "CREATE TABLE docs (id int PRIMARY KEY, body oid);"
                + " INSERT INTO docs SELECT g, pg_catalog.lo_from_bytea(0, '\\x0102') FROM generate_series(1, 3) g");

        ValidationReport warned = validator.validate(request("blobs", true));
        assertThat(item(warned, "OnlineReplicationValidation").messages())
                .anyMatch(m -> m.state() == CheckState.Warning && m.message().startsWith("3 large objects are copied"
                        + " with the base copy, but changes to them afterwards are not replicated"));
        assertThat(item(warned, "DatabaseSizeValidation").messages()).noneMatch(m -> m.message().contains("large"));

        ValidationReport skipped = validator.validate(request("blobs", true)
                .withSkips(ObjectSkips.NONE.withLargeObjects("azure.migration_skip_large_objects")));
        CheckResult online = item(skipped, "OnlineReplicationValidation");
        assertThat(online.state()).isEqualTo(CheckState.Succeeded);
        assertThat(online.messages()).noneMatch(m -> m.message().contains("large object"));
        List<String> notes = allMessages(skipped).stream().filter(m -> m.contains("large object")).toList();
        assertThat(notes).singleElement().asString()
                .startsWith("The 3 large objects of database blobs (").endsWith(") will not be migrated:"
                        + " azure.migration_skip_large_objects is on.");
        assertThat(item(skipped, "DatabaseSizeValidation").state()).isEqualTo(CheckState.Succeeded);
    }

    private static ValidationRequest request(String db, boolean online) {
        return new ValidationRequest(PgEndpoint.parse(source.uri("postgres")), PgEndpoint.parse(target.uri("postgres")),
                List.of(db), online, false, false, true);
    }

    private static CheckResult item(ValidationReport report, String type) {
        List<CheckResult> results = report.databaseLevel().get(0).summary();
        return results.stream().filter(r -> r.type().equals(type)).findFirst().orElseThrow(() -> new AssertionError(
                "no " + type + " in " + results));
    }

    private static List<String> allMessages(ValidationReport report) {
        return report.databaseLevel().get(0).summary().stream().flatMap(r -> r.messages().stream())
                .map(CheckResult.Message::message).toList();
    }
}
