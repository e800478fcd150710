package org.pgmigrate.engine.precheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.data.ManyTables;
import org.pgmigrate.testkit.data.SampleDatabase;

/** A passing and a failing case for every premigration check, on real clusters. */
@Timeout(300)
class PremigrationValidatorIT {

    static PgCluster source;
    static PgCluster target;
    final PremigrationValidator validator = new PremigrationValidator(new PgConnector(), List.of());

    @BeforeAll
    static void startClusters() throws Exception {
        source = PgCluster.builder().version(15).name("source").setting("max_replication_slots", "3").start();
        target = PgCluster.builder().version(15).name("target").start();
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.createSchema(c);
        }
        source.createDatabase("clean");
        source.execute("clean", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a')");
        source.execute("postgres", "CREATE ROLE plain LOGIN PASSWORD 'plain-pw'");
        target.execute("postgres", "CREATE ROLE plain LOGIN PASSWORD 'plain-pw'");
    }

    @AfterAll
    static void stopClusters() {
        target.close();
        source.close();
    }

    @Test
    void aHealthyOfflinePairPassesWithSizeAndVersionsReported() {
        ValidationReport report = validator.validate(request(List.of("clean"), false));
        assertThat(report.status()).isEqualTo(CheckState.Succeeded);
        assertThat(report.serverLevel()).extracting(CheckResult::type).containsExactly("AuthenticationAndConnectivityValidation",
                "SourceVersionValidation", "ServerParametersValidation", "UserPrivilegesValidation");
        assertThat(report.databaseLevel().get(0).summary()).extracting(CheckResult::type)
                .containsExactly("SchemaValidation", "ExtensionsValidation", "CollationsValidation",
                        "UserDefinedCastsValidation", "SystemCatalogGrantsValidation", "ProceduralLanguagesValidation",
                        "BaseTypesValidation", "SecurityDefinerFunctionsValidation", "ObjectOwnershipValidation",
                        "DatabaseSizeValidation");
        assertThat(messages(report)).anyMatch(m -> m.contains("plan at least"));
    }

    @Test
    void aHealthyOnlinePairPassesEvenWithTwoThousandTables() throws Exception {
        source.createDatabase("many");
        try (Connection c = source.connect("many")) {
            ManyTables.create(c, 2000, 1);
        }
        long started = System.nanoTime();
        ValidationReport report = validator.validate(request(List.of("many", "clean"), true));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(report.status()).as(messages(report).toString()).isEqualTo(CheckState.Succeeded);
        assertThat(report.databaseLevel()).hasSize(2);
        assertThat(millis).as("validation of 2000 tables took %d ms", millis).isLessThan(30_000);
    }

    @Test
    void theSourceServerRegisteredAgainAsTheTargetFailsSchemaValidation() {
        String credentials = "postgresql://" + source.superuser() + ":" + source.password() + "@";
        ValidationRequest sameServer = new ValidationRequest(
                PgEndpoint.parse(credentials + "localhost:" + source.port() + "/postgres"),
                PgEndpoint.parse(credentials + "127.0.0.1:" + source.port() + "/postgres"),
                List.of("clean"), false, true, false, false);
        ValidationReport report = validator.validate(sameServer);
        assertThat(report.status()).isEqualTo(CheckState.Failed);
        CheckResult schema = report.databaseLevel().get(0).summary().get(0);
        assertThat(schema.type()).isEqualTo("SchemaValidation");
        assertThat(schema.state()).isEqualTo(CheckState.Failed);
        assertThat(schema.messages()).extracting(CheckResult.Message::message).anyMatch(m -> m.startsWith(
                "The target database clean is the source database itself") && m.contains("Register the real target"));
    }

    @Test
    void unreachableOrWrongCredentialsFailConnectivityWithTheFix() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        ValidationRequest unreachable = new ValidationRequest(PgEndpoint.parse(source.uri("clean")),
                PgEndpoint.parse("postgresql://postgres:x@127.0.0.1:" + closed + "/postgres"), List.of("clean"), false, false, false, false);
        ValidationReport report = validator.validate(unreachable);
        assertThat(report.status()).isEqualTo(CheckState.Failed);
        assertThat(item(report.serverLevel(), "AuthenticationAndConnectivityValidation").messages().get(0).message())
                .contains("Cannot connect to the target server").contains("Is the server running");

        ValidationRequest wrongPassword = new ValidationRequest(PgEndpoint.parse(source.uri("clean", "postgres", "nope")),
                PgEndpoint.parse(target.uri("postgres")), List.of("clean"), false, false, false, false);
        assertThat(validator.validate(wrongPassword).serverLevel().get(0).messages().get(0).message())
                .contains("Authentication failed on the source server").contains("Check the user name and password");
    }

    @Test
    void aTargetOlderThanTheSourceFailsTheVersionCheck() {
        try (PgCluster older = PgCluster.builder().version(13).name("older").start()) {
            ValidationReport report = validator.validate(new ValidationRequest(PgEndpoint.parse(source.uri("clean")),
                    PgEndpoint.parse(older.uri("postgres")), List.of("clean"), false, false, false, false));
            CheckResult version = item(report.serverLevel(), "SourceVersionValidation");
            assertThat(version.state()).isEqualTo(CheckState.Failed);
            assertThat(version.messages().get(0).message()).contains("older than the source's").contains("15 or newer");
        }
    }

    @Test
    void onlineParametersWarnOnWalLevelAndFailOnTooFewSlots() {
        try (PgCluster replica = PgCluster.builder().version(15).name("replica").walLevel("replica").start()) {
            replica.createDatabase("clean");
            ValidationReport report = validator.validate(new ValidationRequest(PgEndpoint.parse(replica.uri("clean")),
                    PgEndpoint.parse(target.uri("postgres")), List.of("clean"), true, false, false, false));
            CheckResult parameters = item(report.serverLevel(), "ServerParametersValidation");
            assertThat(parameters.state()).isEqualTo(CheckState.Warning);
            assertThat(parameters.messages()).anyMatch(m -> m.message().contains("wal_level = replica")
                    && m.message().contains("--setup-replication"));
        }
        // max_replication_slots is 3 on the source: four databases need four.
        ValidationReport report = validator.validate(request(List.of("clean", "shop", "postgres", "template1"), true));
        CheckResult parameters = item(report.serverLevel(), "ServerParametersValidation");
        assertThat(parameters.state()).isEqualTo(CheckState.Failed);
        assertThat(parameters.messages()).anyMatch(m -> m.message().contains("max_replication_slots is 3")
                && m.message().contains("ALTER SYSTEM SET max_replication_slots"));
    }

    @Test
    void missingPrivilegesAreNamedWithTheGrantThatFixesThem() {
        ValidationRequest asPlain = new ValidationRequest(PgEndpoint.parse(source.uri("shop", "plain", "plain-pw")),
                PgEndpoint.parse(target.uri("postgres", "plain", "plain-pw")), List.of("shop"), true, false, true, false);
        ValidationReport report = validator.validate(asPlain);
        List<String> privileges = item(report.serverLevel(), "UserPrivilegesValidation").messages().stream()
                .map(CheckResult.Message::message).toList();
        assertThat(privileges).anyMatch(m -> m.contains("lacks the REPLICATION attribute") && m.contains("ALTER ROLE plain WITH REPLICATION"));
        assertThat(privileges).anyMatch(m -> m.contains("cannot create databases") && m.contains("CREATEDB"));
        assertThat(privileges).anyMatch(m -> m.contains("lacks CREATEROLE"));
        assertThat(privileges).anyMatch(m -> m.contains("session_replication_role") && m.contains("GRANT SET ON PARAMETER"));
        CheckResult schema = item(report.databaseLevel().get(0).summary(), "SchemaValidation");
        assertThat(schema.state()).isEqualTo(CheckState.Failed);
        assertThat(schema.messages().get(0).message()).contains("cannot read").contains("shop.customers").contains("GRANT SELECT");

        // Roles that a setting leaves out (the service's azure.migration_skip_role_user) need no CREATEROLE, and
        // the ownership check says whose objects change owner, and why.
        ValidationReport skipped = validator.validate(asPlain.withRolesSkippedBy("azure.migration_skip_role_user"));
        assertThat(item(skipped.serverLevel(), "UserPrivilegesValidation").messages())
                .noneMatch(m -> m.message().contains("CREATEROLE"));
        assertThat(item(skipped.databaseLevel().get(0).summary(), "ObjectOwnershipValidation").messages().get(0).message())
                .contains("Roles are not migrated (azure.migration_skip_role_user is on, which overrides migrateRoles)");
    }

    @Test
    void anUnknownDatabaseAndAnExistingTargetDatabaseAreReported() {
        target.createDatabase("clean");
        try {
            ValidationReport report = validator.validate(request(List.of("nope", "clean"), false));
            assertThat(item(report.databaseLevel().get(0).summary(), "SchemaValidation").messages().get(0).message())
                    .contains("Database nope does not exist on the source");
            CheckResult existing = item(report.databaseLevel().get(1).summary(), "SchemaValidation");
            assertThat(existing.state()).isEqualTo(CheckState.Warning);
            assertThat(existing.messages()).anyMatch(m -> m.message().contains("WaitingForTargetDBOverwriteConfirmation"));
        } finally {
            target.execute("postgres", "DROP DATABASE clean");
        }
    }

    @Test
    void anExtensionTheTargetLacksFailsAndNamesThePackage() {
        source.createDatabase("ext");
        source.execute("ext", "CREATE EXTENSION old_snapshot; CREATE EXTENSION hstore");
        try (PgCluster seventeen = PgCluster.builder().version(17).name("v17").start()) {
            ValidationReport report = validator.validate(new ValidationRequest(PgEndpoint.parse(source.uri("ext")),
                    PgEndpoint.parse(seventeen.uri("postgres")), List.of("ext"), false, false, false, false));
            CheckResult extensions = item(report.databaseLevel().get(0).summary(), "ExtensionsValidation");
            assertThat(extensions.state()).isEqualTo(CheckState.Failed);
            assertThat(extensions.messages()).anyMatch(m -> m.message().contains("old_snapshot")
                    && m.message().contains("not available on the target") && m.message().contains("postgresql-17-old_snapshot"));
            assertThat(extensions.messages()).noneMatch(m -> m.message().contains("hstore") && m.state() == CheckState.Failed);
        }
        CheckResult same = item(validator.validate(request(List.of("ext"), false)).databaseLevel().get(0).summary(),
                "ExtensionsValidation");
        assertThat(same.state()).isEqualTo(CheckState.Succeeded);
    }

    @Test
    void keylessTablesFailOnlineUnlessFullIdentityIsAllowedAndUnloggedTablesAndLargeObjectsWarn() {
        source.createDatabase("keyless");
        source.execute("keyless", "CREATE TABLE log (at timestamptz, msg text); CREATE UNLOGGED TABLE cache (k int PRIMARY KEY);"
                + " SELECT lo_from_bytea(0, 'x')");
        CheckResult refused = item(validator.validate(request(List.of("keyless"), true)).databaseLevel().get(0).summary(),
                "OnlineReplicationValidation");
        assertThat(refused.state()).isEqualTo(CheckState.Failed);
        assertThat(refused.messages()).anyMatch(m -> m.message().contains("public.log") && m.message().contains("allowReplicaIdentityFull"));
        assertThat(refused.messages()).anyMatch(m -> m.message().contains("public.cache") && m.state() == CheckState.Warning);
        assertThat(refused.messages()).anyMatch(m -> m.message().contains("1 large objects") && m.state() == CheckState.Warning);

        ValidationRequest allowed = new ValidationRequest(PgEndpoint.parse(source.uri("keyless")), PgEndpoint.parse(target.uri("postgres")),
                List.of("keyless"), true, false, false, true);
        assertThat(item(validator.validate(allowed).databaseLevel().get(0).summary(), "OnlineReplicationValidation").state())
                .isEqualTo(CheckState.Warning);
        // Offline, the same database passes: keys only matter to replication.
        assertThat(validator.validate(request(List.of("keyless"), false)).status()).isEqualTo(CheckState.Succeeded);
    }

    @Test
    void userDefinedCollationsWarnAndAnIcuDatabaseNeedsANewTarget() {
        source.execute("postgres", "CREATE DATABASE icu TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'");
        source.execute("icu", "CREATE COLLATION german (provider = icu, locale = 'de-DE')");
        try (PgCluster thirteen = PgCluster.builder().version(13).name("v13").start()) {
            ValidationReport report = validator.validate(new ValidationRequest(PgEndpoint.parse(source.uri("icu")),
                    PgEndpoint.parse(thirteen.uri("postgres")), List.of("icu"), false, false, false, false));
            CheckResult collations = item(report.databaseLevel().get(0).summary(), "CollationsValidation");
            assertThat(collations.state()).isEqualTo(CheckState.Failed);
            assertThat(collations.messages()).anyMatch(m -> m.message().contains("ICU locale en-US") && m.message().contains("15 or newer"));
            assertThat(collations.messages()).anyMatch(m -> m.message().contains("public.german") && m.state() == CheckState.Warning);
        }
        assertThat(item(validator.validate(request(List.of("clean"), false)).databaseLevel().get(0).summary(),
                "CollationsValidation").state()).isEqualTo(CheckState.Succeeded);
    }

    @Test
    void securityDefinerFunctionsAndOwnersThatChangeWithoutRolesWarnWithWhatItMeans() {
        source.createDatabase("owned");
        source.execute("postgres", "CREATE ROLE app_owner NOLOGIN");
        source.execute("owned", """
                CREATE SCHEMA app AUTHORIZATION app_owner;
                CREATE TABLE app.t (id int PRIMARY KEY, v text);
                CREATE VIEW app.v AS SELECT id FROM app.t;
                CREATE SEQUENCE app.s;
                CREATE TYPE app.mood AS ENUM ('ok', 'sad');
                CREATE FUNCTION app.f(integer) RETURNS integer LANGUAGE sql SECURITY DEFINER AS 'SELECT $1';
                ALTER TABLE app.t OWNER TO app_owner;
                ALTER VIEW app.v OWNER TO app_owner;
                ALTER SEQUENCE app.s OWNER TO app_owner;
                ALTER TYPE app.mood OWNER TO app_owner;
                ALTER FUNCTION app.f(integer) OWNER TO app_owner;
                CREATE FUNCTION public."Odd name"() RETURNS void LANGUAGE sql SECURITY DEFINER AS '';
                CREATE FUNCTION public.plain() RETURNS void LANGUAGE sql AS '';
                CREATE EXTENSION hstore;
                """);
        List<CheckResult> withoutRoles = validator.validate(request(List.of("owned"), false)).databaseLevel().get(0).summary();
        CheckResult definer = item(withoutRoles, "SecurityDefinerFunctionsValidation");
        assertThat(definer.state()).isEqualTo(CheckState.Warning);
        assertThat(definer.messages().get(0).message())
                .startsWith("2 SECURITY DEFINER functions in database owned: app.f(integer), public.\"Odd name\"().")
                .contains("with the rights of their owner").contains("the target user postgres, a superuser,")
                .contains("may EXECUTE them").contains("migrateRoles = True").contains("--roles");
        CheckResult owners = item(withoutRoles, "ObjectOwnershipValidation");
        assertThat(owners.state()).isEqualTo(CheckState.Warning);
        assertThat(owners.messages().get(0).message()).isEqualTo("6 objects of database owned (1 table, 1 view,"
                + " 1 sequence, 1 function, 1 schema, 1 type) are owned by roles other than the target user postgres:"
                + " app_owner (6). Roles are not migrated (migrateRoles is off), so on the target postgres will own them"
                + " all, and their grants to other roles are not copied. To keep owners and grants, migrate roles: set"
                + " migrateRoles = True (pgmigrate clone: --roles).");

        ValidationRequest withRoles = new ValidationRequest(PgEndpoint.parse(source.uri("postgres")),
                PgEndpoint.parse(target.uri("postgres")), List.of("owned"), false, false, true, false);
        List<CheckResult> kept = validator.validate(withRoles).databaseLevel().get(0).summary();
        assertThat(item(kept, "ObjectOwnershipValidation").state()).isEqualTo(CheckState.Succeeded);
        assertThat(item(kept, "ObjectOwnershipValidation").messages().get(0).message()).contains("keep their owners");
        assertThat(item(kept, "SecurityDefinerFunctionsValidation").state()).isEqualTo(CheckState.Warning);
        assertThat(item(kept, "SecurityDefinerFunctionsValidation").messages().get(0).message())
                .contains("keep their owners and grants");
        // A database whose objects the target user owns, without SECURITY DEFINER functions, is clean.
        List<CheckResult> clean = validator.validate(request(List.of("clean"), false)).databaseLevel().get(0).summary();
        assertThat(item(clean, "SecurityDefinerFunctionsValidation").state()).isEqualTo(CheckState.Succeeded);
        assertThat(item(clean, "ObjectOwnershipValidation").messages().get(0).message())
                .isEqualTo("Every object of database clean is owned by postgres, the target user.");
    }

    private static ValidationRequest request(List<String> dbs, boolean online) {
        return new ValidationRequest(PgEndpoint.parse(source.uri("postgres")), PgEndpoint.parse(target.uri("postgres")),
                dbs, online, false, false, false);
    }

    private static CheckResult item(List<CheckResult> results, String type) {
        return results.stream().filter(r -> r.type().equals(type)).findFirst().orElseThrow(() -> new AssertionError(
                "no " + type + " in " + results));
    }

    private static List<String> messages(ValidationReport report) {
        List<String> all = new java.util.ArrayList<>();
        report.serverLevel().forEach(r -> r.messages().forEach(m -> all.add(r.type() + ": " + m.state() + " " + m.message())));
        report.databaseLevel().forEach(d -> d.summary().forEach(r -> r.messages().forEach(m -> all.add(d.database() + " "
                + r.type() + ": " + m.state() + " " + m.message()))));
        return all;
    }
}
