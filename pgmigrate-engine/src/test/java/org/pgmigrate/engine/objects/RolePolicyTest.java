package org.pgmigrate.engine.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.objects.RolePolicy.Decision;
import org.pgmigrate.engine.objects.RolePolicy.KeepExisting;
import org.pgmigrate.engine.objects.RolePolicy.Privilege;
import org.pgmigrate.engine.objects.RolePolicy.Reject;
import org.pgmigrate.engine.objects.RolePolicy.Run;
import org.pgmigrate.engine.objects.RolePolicy.Skip;
import org.pgmigrate.engine.pg.script.PsqlScriptLexer;
import org.pgmigrate.engine.pg.script.ScriptItem;

class RolePolicyTest {

    final RolePolicy policy = new RolePolicy(
            Map.of("postgres", "a superuser on the source", "pg_monitor", "a predefined role",
                    "admin", "it has SUPERUSER on the target"),
            Map.of("postgres", EnumSet.of(Privilege.SUPERUSER), "pg_monitor", EnumSet.noneOf(Privilege.class),
                    "admin", EnumSet.noneOf(Privilege.class), "tenant", EnumSet.noneOf(Privilege.class),
                    "ops", EnumSet.of(Privilege.CREATEROLE, Privilege.REPLICATION), "x\nALTER ROLE tenant SUPERUSER;--",
                    EnumSet.noneOf(Privilege.class)),
            Set.of("postgres", "admin", "tenant", "pg_monitor"),
            Map.of("search_path", "user", "session_preload_libraries", "superuser", "session_replication_role", "superuser"));

    @Test
    void aStatementNamingAnExcludedRoleAnywhereIsSkipped() {
        assertThat(decide("GRANT pg_monitor TO tenant GRANTED BY postgres;")).isEqualTo(new Skip("pg_monitor", "a predefined role"));
        assertThat(decide("GRANT tenant TO admin;")).isEqualTo(new Skip("admin", "it has SUPERUSER on the target"));
        assertThat(decide("ALTER ROLE admin WITH NOSUPERUSER LOGIN;")).isInstanceOf(Skip.class);
        // The grantor is not run, so naming the source's superuser there does not skip the membership.
        assertThat(decide("GRANT ops TO tenant GRANTED BY postgres;")).isEqualTo(new Run());
    }

    @Test
    void privilegedAttributesMustBeTheSourceRolesOwn() {
        assertThat(decide("ALTER ROLE ops WITH NOSUPERUSER CREATEROLE REPLICATION NOBYPASSRLS;")).isEqualTo(new Run());
        assertThat(decide("ALTER ROLE tenant WITH SUPERUSER;")).isEqualTo(
                new Reject("it would give tenant SUPERUSER, which that role does not have on the source"));
        assertThat(decide("ALTER ROLE ops WITH BYPASSRLS;")).isInstanceOf(Reject.class);
        assertThat(decide("CREATE ROLE tenant WITH CREATEROLE;")).isInstanceOf(Reject.class);
    }

    @Test
    void rolesTheSourceDoesNotHaveAreRejected() {
        assertThat(decide("ALTER ROLE ghost WITH LOGIN;")).isEqualTo(
                new Reject("it names the role ghost, which the source does not have"));
    }

    @Test
    void anExistingTargetRoleIsKeptAndAligned() {
        assertThat(decide("CREATE ROLE tenant;")).isEqualTo(new KeepExisting("tenant"));
        assertThat(decide("ALTER ROLE tenant WITH LOGIN PASSWORD 'x';")).isEqualTo(new Run());
        assertThat(policy.existsOnTarget("tenant")).isTrue();
        assertThat(decide("CREATE ROLE \"x\nALTER ROLE tenant SUPERUSER;--\";")).isEqualTo(new Run());
    }

    @Test
    void onlySettingsARoleCouldSetItselfAreCopied() {
        assertThat(decide("ALTER ROLE tenant SET search_path TO 'a';")).isEqualTo(new Run());
        assertThat(decide("ALTER ROLE tenant SET \"Search_Path\" TO 'a';")).isEqualTo(new Run());
        assertThat(decide("ALTER ROLE tenant SET myext.level = 3;")).isEqualTo(new Run());
        Decision preload = decide("ALTER ROLE tenant SET session_preload_libraries = '/tmp/evil.so';");
        assertThat(preload).isInstanceOf(Reject.class);
        assertThat(((Reject) preload).reason()).contains("only a superuser may set").contains("superuser");
        assertThat(decide("ALTER ROLE tenant SET session_replication_role = replica;")).isInstanceOf(Reject.class);
    }

    @Test
    void unsupportedStatementsAreRejectedWithTheirReason() {
        assertThat(decide("DROP ROLE tenant;")).isEqualTo(
                new Reject("not a kind of statement that a dump of roles holds (DROP)"));
    }

    private Decision decide(String sql) {
        return policy.decide(RoleStatement.read((ScriptItem.Statement) PsqlScriptLexer.read(sql).get(0)));
    }
}
