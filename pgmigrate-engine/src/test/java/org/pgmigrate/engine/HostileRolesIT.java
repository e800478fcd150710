package org.pgmigrate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pgmigrate.engine.objects.RoleCopy;
import org.pgmigrate.engine.pg.Identifiers;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * The role copy against a hostile source: role names made to break a line-by-line reader of pg_dumpall's script,
 * source roles named like privileged target roles, and settings only a superuser may give. One copy, many facts.
 */
@Timeout(300)
class HostileRolesIT {

    static final String INJECTION = "x\nALTER ROLE tenant SUPERUSER;--";
    static final List<String> ODD_NAMES = List.of(INJECTION, "we;ird--/*$$", "quote\"d'", "$tag$ /* -- ; */",
            "new\nline\r\tand tab", "Ünï 名前 ☃", "back\\slash E'x'", "\\connect postgres");

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;
    static RoleCopy.Result result;

    @BeforeAll
    static void copyRolesFromAHostileSource() {
        source = clusters.source();
        target = clusters.target();
        StringBuilder odd = new StringBuilder();
        for (String name : ODD_NAMES) {
            odd.append("CREATE ROLE ").append(Identifiers.quote(name)).append(" LOGIN CONNECTION LIMIT 3;\n");
        }
        source.execute("postgres", odd + """
                CREATE ROLE tenant LOGIN CONNECTION LIMIT 7;
                ALTER ROLE tenant SET search_path = 'app', 'public';
                ALTER ROLE tenant SET session_replication_role = replica;
                GRANT pg_read_all_data TO tenant;
                CREATE ROLE boss NOLOGIN CONNECTION LIMIT 5;
                CREATE ROLE monitor LOGIN;
                CREATE ROLE delegate CREATEROLE NOLOGIN;
                CREATE ROLE app_reader NOLOGIN;
                GRANT app_reader TO tenant, boss, "we;ird--/*$$";
                GRANT tenant TO "x
                ALTER ROLE tenant SUPERUSER;--";
                """);
        // On the target: an ordinary tenant, a superuser and a monitoring role that happen to share source names.
        target.execute("postgres", """
                CREATE ROLE tenant NOLOGIN;
                CREATE ROLE boss SUPERUSER NOLOGIN;
                CREATE ROLE monitor NOLOGIN;
                GRANT pg_monitor TO monitor;
                """);
        result = new Engine(EngineSettings.defaults()).migrateRoles(PgEndpoint.parse(source.uri("postgres")),
                PgEndpoint.parse(target.uri("postgres")), new Cancellation());
    }

    @Test
    void aRoleNameHoldingANewlineAndASemicolonDoesNotMakeTenantASuperuser() throws Exception {
        assertThat(role("tenant", "rolsuper::text")).containsExactly("false");
        assertThat(role(INJECTION, "rolname")).containsExactly(INJECTION);
        // The membership written with that name arrived as a membership, nothing else.
        assertThat(query("SELECT pg_catalog.pg_has_role(?, 'tenant', 'MEMBER')::text", INJECTION)).containsExactly("true");
    }

    @Test
    void everyOddNameArrivesVerbatimWithItsAttributes() throws Exception {
        for (String name : ODD_NAMES) {
            assertThat(role(name, "rolcanlogin::text || ' ' || rolconnlimit")).as(name).containsExactly("true 3");
        }
        assertThat(query("SELECT pg_catalog.pg_has_role(?, 'app_reader', 'MEMBER')::text", "we;ird--/*$$"))
                .containsExactly("true");
    }

    @Test
    void anExistingOrdinaryTargetRoleIsAlignedWithTheSourceAndReported() throws Exception {
        assertThat(role("tenant", "rolcanlogin::text || ' ' || rolconnlimit || ' ' || rolcreaterole::text"))
                .containsExactly("true 7 false");
        assertThat(query("SELECT pg_catalog.array_to_string(s.setconfig, ';') FROM pg_catalog.pg_db_role_setting s"
                + " JOIN pg_catalog.pg_roles r ON r.oid = s.setrole WHERE r.rolname = ? AND s.setdatabase = 0", "tenant"))
                .containsExactly("search_path=app, public");
        assertThat(result.existingRolesChanged()).contains("tenant").doesNotContain("boss", "monitor");
    }

    @Test
    void aSourceRoleNamedLikeATargetSuperuserIsNotAlteredNorGrantedAnything() throws Exception {
        assertThat(role("boss", "rolsuper::text || ' ' || rolconnlimit")).containsExactly("true -1");
        // pg_has_role says yes to a superuser for every role: look at the memberships themselves.
        assertThat(query("SELECT count(*) FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member"
                + " WHERE r.rolname = ?", "boss")).containsExactly("0");
        assertThat(result.skippedRoles()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("boss");
            assertThat(s.reason()).contains("SUPERUSER on the target");
        });
    }

    @Test
    void aTargetRoleThatHoldsAPredefinedRoleIsNotAltered() throws Exception {
        assertThat(role("monitor", "rolcanlogin::text")).containsExactly("false");
        assertThat(result.skippedRoles()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("monitor");
            assertThat(s.reason()).contains("member of pg_monitor");
        });
    }

    @Test
    void predefinedRolesAndTheTargetUserAreUntouched() throws Exception {
        assertThat(query("SELECT pg_catalog.pg_has_role('tenant', 'pg_read_all_data', 'MEMBER')::text", null))
                .containsExactly("false");
        assertThat(query("SELECT count(*) FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid"
                + " WHERE r.rolname = ?", "pg_read_all_data")).containsExactly("0");
        assertThat(result.skippedRoles()).extracting(RoleCopy.SkippedRole::name).contains("pg_read_all_data", "postgres");
    }

    @Test
    void aRoleThatHadCreateroleOnTheSourceKeepsItAndSuperuserOnlySettingsAreNotApplied() throws Exception {
        assertThat(role("delegate", "rolcreaterole::text")).containsExactly("true");
        assertThat(result.rejected()).anySatisfy(r -> assertThat(r).contains("session_replication_role")
                .contains("only a superuser may set"));
        assertThat(query("SELECT pg_catalog.array_to_string(s.setconfig, ';') FROM pg_catalog.pg_db_role_setting s"
                + " JOIN pg_catalog.pg_roles r ON r.oid = s.setrole WHERE r.rolname = ?", "tenant"))
                .singleElement().asString().doesNotContain("session_replication_role");
        assertThat(result.refused()).isEmpty();
    }

    @Test
    void aLatin1SourceStillGivesNonAsciiNamesVerbatim() throws Exception {
        try (PgCluster latin1 = PgCluster.builder().version(15).name("latin1").encoding("LATIN1").locale("C").start()) {
            latin1.execute("postgres", "CREATE ROLE \"Ünïcödé rôle\" NOLOGIN");
            RoleCopy.Result copied = new Engine(EngineSettings.defaults()).migrateRoles(
                    PgEndpoint.parse(latin1.uri("postgres")), PgEndpoint.parse(target.uri("postgres")), new Cancellation());
            assertThat(copied.rejected()).isEmpty();
            assertThat(role("Ünïcödé rôle", "rolname")).containsExactly("Ünïcödé rôle");
        }
    }

    private static List<String> role(String name, String expression) throws Exception {
        return query("SELECT " + expression + " FROM pg_catalog.pg_roles WHERE rolname = ?", name);
    }

    private static List<String> query(String sql, String parameter) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = target.connect("postgres"); PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
