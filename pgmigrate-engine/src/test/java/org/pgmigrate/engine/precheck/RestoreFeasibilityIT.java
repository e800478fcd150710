package org.pgmigrate.engine.precheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.engine.pg.PgConnector;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;

/**
 * The known causes of a failed schema restore, named before anything moves: user-defined casts, grants on
 * pg_authid/pg_shadow, an extension in pg_catalog, an extension that needs shared_preload_libraries, a base type
 * written in C, a procedural language the target lacks. A superuser target gets warnings where it could restore
 * them; an ordinary target user gets failures that say how to fix each.
 */
@Timeout(300)
class RestoreFeasibilityIT {

    static PgCluster source;
    static PgCluster target;
    final PremigrationValidator validator = new PremigrationValidator(new PgConnector(), List.of());

    @BeforeAll
    static void start() {
        source = PgCluster.builder().version(15).name("feasibility-source").start();
        target = PgCluster.builder().version(15).name("feasibility-target").start();
        source.createDatabase("risky");
        source.execute("risky", """
                CREATE ROLE auditor;
                GRANT SELECT ON pg_catalog.pg_authid TO auditor;
                CREATE CAST (text AS point) WITH INOUT;
                CREATE EXTENSION fuzzystrmatch SCHEMA pg_catalog;
                CREATE EXTENSION pg_stat_statements;
                CREATE TYPE blob16;
                CREATE FUNCTION blob16_in(cstring) RETURNS blob16 LANGUAGE c STRICT
                    AS '$libdir/plpgsql', 'plpgsql_call_handler';
                CREATE FUNCTION blob16_out(blob16) RETURNS cstring LANGUAGE c STRICT
                    AS '$libdir/plpgsql', 'plpgsql_validator';
                CREATE TYPE blob16 (INPUT = blob16_in, OUTPUT = blob16_out, INTERNALLENGTH = 16);
                """);
        source.createDatabase("plain");
        source.execute("plain", "CREATE TABLE t (id int PRIMARY KEY)");
        target.execute("postgres", "CREATE ROLE migrator LOGIN CREATEDB PASSWORD 'migrator-pw'");
    }

    @AfterAll
    static void stop() {
        target.close();
        source.close();
    }

    @Test
    void aSuperuserTargetIsWarnedAboutWhatItCanRestore() {
        ValidationReport report = validator.validate(request("risky", target.uri("postgres")));
        List<CheckResult> db = report.databaseLevel().get(0).summary();
        assertThat(state(db, RestoreFeasibility.CASTS)).isEqualTo(CheckState.Succeeded);
        assertThat(messages(db, RestoreFeasibility.CASTS)).anyMatch(m -> m.startsWith("1 user-defined cast in"));
        assertThat(state(db, RestoreFeasibility.CATALOG_GRANTS)).isEqualTo(CheckState.Warning);
        assertThat(messages(db, RestoreFeasibility.CATALOG_GRANTS)).anyMatch(m ->
                m.startsWith("Privileges granted on pg_catalog.pg_authid to auditor in database risky"));
        assertThat(messages(db, "ExtensionsValidation"))
                .anyMatch(m -> m.startsWith("Extension fuzzystrmatch is installed in the system schema pg_catalog")
                        && m.contains("ALTER EXTENSION \"fuzzystrmatch\" SET SCHEMA public"))
                .anyMatch(m -> m.startsWith("Extension pg_stat_statements needs pg_stat_statements in the target's"
                        + " shared_preload_libraries") && m.contains("does not work"));
        assertThat(state(db, "ExtensionsValidation")).isEqualTo(CheckState.Warning);
        assertThat(state(db, RestoreFeasibility.BASE_TYPES)).isEqualTo(CheckState.Warning);
        assertThat(messages(db, RestoreFeasibility.BASE_TYPES)).anyMatch(m ->
                m.contains("public.blob16 (library $libdir/plpgsql)"));
        assertThat(state(db, RestoreFeasibility.LANGUAGES)).isEqualTo(CheckState.Succeeded);
    }

    @Test
    void anOrdinaryTargetUserIsToldWhatWouldFailAndHowToFixIt() {
        ValidationReport report = validator.validate(request("risky", target.uri("postgres", "migrator",
                "migrator-pw")));
        List<CheckResult> db = report.databaseLevel().get(0).summary();
        assertThat(state(db, RestoreFeasibility.CASTS)).isEqualTo(CheckState.Failed);
        assertThat(messages(db, RestoreFeasibility.CASTS)).anyMatch(m -> m.contains("(text AS point)")
                && m.contains("Migrate as a superuser, or drop the casts on the source"));
        assertThat(state(db, RestoreFeasibility.CATALOG_GRANTS)).isEqualTo(CheckState.Failed);
        assertThat(messages(db, RestoreFeasibility.CATALOG_GRANTS))
                .anyMatch(m -> m.contains("REVOKE ALL ON pg_catalog.pg_authid FROM"));
        assertThat(state(db, "ExtensionsValidation")).isEqualTo(CheckState.Failed);
        assertThat(messages(db, "ExtensionsValidation"))
                .anyMatch(m -> m.startsWith("Extension pg_stat_statements needs its library in the target's"
                        + " shared_preload_libraries, which the target user may not read"));
        assertThat(state(db, RestoreFeasibility.BASE_TYPES)).isEqualTo(CheckState.Failed);
        assertThat(messages(db, RestoreFeasibility.BASE_TYPES))
                .anyMatch(m -> m.contains("Package the type as an extension installed on the target"));
    }

    @Test
    void aCleanDatabasePassesEveryOneOfTheseChecks() {
        List<CheckResult> db = validator.validate(request("plain", target.uri("postgres"))).databaseLevel().get(0)
                .summary();
        for (String type : List.of(RestoreFeasibility.CASTS, RestoreFeasibility.CATALOG_GRANTS,
                RestoreFeasibility.LANGUAGES, RestoreFeasibility.BASE_TYPES, "ExtensionsValidation")) {
            assertThat(state(db, type)).as(type).isEqualTo(CheckState.Succeeded);
        }
    }

    /** PostgreSQL 13 from the zonky binaries has PL/Tcl; Debian's 15 does not unless postgresql-15-pltcl is installed. */
    @Test
    void aProceduralLanguageTheTargetLacksFailsWithThePackageToInstall() {
        try (PgCluster old = PgCluster.builder().version(13).name("feasibility-pltcl").start()) {
            old.createDatabase("tcl");
            old.execute("tcl", "CREATE EXTENSION pltcl;"
                    + " CREATE FUNCTION twice(int) RETURNS int LANGUAGE pltcl AS 'return [expr {$1 * 2}]';");
            ValidationReport report = validator.validate(new ValidationRequest(PgEndpoint.parse(old.uri("postgres")),
                    PgEndpoint.parse(target.uri("postgres")), List.of("tcl"), false, false, false, false));
            List<CheckResult> db = report.databaseLevel().get(0).summary();
            assertThat(state(db, RestoreFeasibility.LANGUAGES)).isEqualTo(CheckState.Failed);
            assertThat(messages(db, RestoreFeasibility.LANGUAGES)).anyMatch(m -> m.startsWith(
                    "Procedural language pltcl (used by 1 function in database tcl) is not available on the target")
                    && m.contains("postgresql-<major>-pltcl"));
        }
    }

    private static ValidationRequest request(String db, String targetUri) {
        return new ValidationRequest(PgEndpoint.parse(source.uri("postgres")), PgEndpoint.parse(targetUri), List.of(db),
                false, false, false, false);
    }

    private static CheckState state(List<CheckResult> results, String type) {
        return results.stream().filter(r -> r.type().equals(type)).findFirst().orElseThrow().state();
    }

    private static List<String> messages(List<CheckResult> results, String type) {
        return results.stream().filter(r -> r.type().equals(type)).findFirst().orElseThrow().messages().stream()
                .map(CheckResult.Message::message).toList();
    }
}
