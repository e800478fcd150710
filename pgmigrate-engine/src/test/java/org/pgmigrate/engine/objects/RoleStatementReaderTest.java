package org.pgmigrate.engine.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleAttributes;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleSetting;
import org.pgmigrate.engine.objects.RoleStatement.CommentOnRole;
import org.pgmigrate.engine.objects.RoleStatement.CreateRole;
import org.pgmigrate.engine.objects.RoleStatement.GrantMembership;
import org.pgmigrate.engine.objects.RoleStatement.SecurityLabelOnRole;
import org.pgmigrate.engine.objects.RoleStatement.SessionSetting;
import org.pgmigrate.engine.objects.RoleStatement.Unsupported;
import org.pgmigrate.engine.pg.script.PsqlScriptLexer;
import org.pgmigrate.engine.pg.script.ScriptItem;

class RoleStatementReaderTest {

    @Test
    void createAndAlterRoleAsPgDumpallWritesThem() {
        assertThat(read("CREATE ROLE \"x\nALTER ROLE tenant SUPERUSER;--\";"))
                .isEqualTo(new CreateRole("x\nALTER ROLE tenant SUPERUSER;--", Set.of(),
                        "CREATE ROLE \"x\nALTER ROLE tenant SUPERUSER;--\""));
        RoleStatement alter = read("ALTER ROLE tenant WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION"
                + " NOBYPASSRLS CONNECTION LIMIT -1 PASSWORD 'SCRAM-SHA-256$4096:abc' VALID UNTIL '2030-01-01 00:00:00+00';");
        assertThat(alter).isInstanceOf(AlterRoleAttributes.class);
        assertThat(((AlterRoleAttributes) alter).role()).isEqualTo("tenant");
        assertThat(((AlterRoleAttributes) alter).attributes()).containsExactly("NOSUPERUSER", "INHERIT", "NOCREATEROLE",
                "NOCREATEDB", "LOGIN", "NOREPLICATION", "NOBYPASSRLS", "CONNECTION LIMIT", "PASSWORD", "VALID UNTIL");
        assertThat(((AlterRoleAttributes) read("ALTER ROLE \"Mixed Role\" ENCRYPTED PASSWORD NULL SUPERUSER;")).attributes())
                .containsExactly("PASSWORD", "SUPERUSER");
    }

    @Test
    void roleSettingsWithAndWithoutADatabase() {
        assertThat(read("ALTER ROLE tenant SET search_path TO 'a', 'b c';"))
                .isEqualTo(new AlterRoleSetting("tenant", null, "search_path", "ALTER ROLE tenant SET search_path TO 'a', 'b c'"));
        assertThat(read("ALTER ROLE t IN DATABASE \"Shop\" SET work_mem = '8MB';")).extracting("database", "parameter")
                .containsExactly("Shop", "work_mem");
        assertThat(read("ALTER ROLE t SET myext.level = -1;")).extracting("parameter").isEqualTo("myext.level");
        assertThat(read("ALTER ROLE t RESET ALL;")).extracting("parameter").isEqualTo("all");
        assertThat(reason("ALTER ROLE t SET search_path FROM CURRENT;")).contains("FROM CURRENT");
        assertThat(reason("ALTER ROLE t SET search_path TO (SELECT 1);")).contains("setting value");
    }

    @Test
    void membershipsLoseTheirGrantorInEveryVersionsForm() {
        assertThat(read("GRANT pg_monitor TO tenant GRANTED BY postgres;"))
                .isEqualTo(new GrantMembership(List.of("pg_monitor"), List.of("tenant"), "GRANT pg_monitor TO tenant"));
        GrantMembership sixteen = (GrantMembership) read("GRANT \"a\", b TO \"we;ird\" WITH ADMIN OPTION, INHERIT FALSE,"
                + " SET TRUE\n  GRANTED BY \"postgres\";");
        assertThat(sixteen.granted()).containsExactly("a", "b");
        assertThat(sixteen.members()).containsExactly("we;ird");
        assertThat(sixteen.sql()).isEqualTo("GRANT \"a\", b TO \"we;ird\" WITH ADMIN OPTION, INHERIT FALSE, SET TRUE");
        assertThat(sixteen.roles()).containsExactly("a", "b", "we;ird"); // the grantor is not run, so not named
        assertThat(read("GRANT a TO b;").sql()).isEqualTo("GRANT a TO b");
    }

    @Test
    void commentsSecurityLabelsAndSessionSettings() {
        assertThat(read("COMMENT ON ROLE tenant IS 'it''s me';"))
                .isEqualTo(new CommentOnRole("tenant", "COMMENT ON ROLE tenant IS 'it''s me'"));
        assertThat(read("SECURITY LABEL FOR selinux ON ROLE \"T\" IS 'system_u:object_r:sepgsql_table_t:s0';"))
                .isEqualTo(new SecurityLabelOnRole("T",
                        "SECURITY LABEL FOR selinux ON ROLE \"T\" IS 'system_u:object_r:sepgsql_table_t:s0'"));
        assertThat(read("SET standard_conforming_strings = on;"))
                .isEqualTo(new SessionSetting("standard_conforming_strings", "on", "SET standard_conforming_strings = on"));
        assertThat(read("SET client_encoding = 'UTF8';")).extracting("value").isEqualTo("UTF8");
    }

    @Test
    void wordsTheServerReadsAsOtherRolesAreNotRoleNames() {
        assertThat(reason("GRANT app TO CURRENT_USER;")).contains("CURRENT_USER where a role name belongs");
        assertThat(reason("GRANT app TO session_user;")).contains("SESSION_USER");
        assertThat(reason("ALTER ROLE ALL SET search_path = evil;")).contains("ALL where a role name belongs");
        assertThat(reason("ALTER ROLE current_role WITH SUPERUSER;")).contains("CURRENT_ROLE");
        assertThat(reason("GRANT app TO public;")).contains("PUBLIC");
        // Quoted, they are ordinary names.
        assertThat(read("GRANT app TO \"current_user\";").roles()).containsExactly("app", "current_user");
    }

    @Test
    void everythingElseIsUnsupportedWithTheReason() {
        assertThat(reason("DROP ROLE tenant;")).contains("not a kind of statement that a dump of roles holds (DROP)");
        assertThat(reason("SELECT pg_catalog.set_config('a', 'b', false);")).contains("(SELECT)");
        assertThat(reason("GRANT SELECT ON t TO tenant;")).contains("GRANT ... TO");
        assertThat(reason("GRANT ALL ON t TO tenant;")).contains("ALL where a role name belongs");
        assertThat(reason("ALTER ROLE tenant RENAME TO admin;")).contains("role attribute pgmigrate does not know: RENAME");
        assertThat(reason("CREATE ROLE x IN ROLE admins;")).contains("role attribute pgmigrate does not know: IN");
        assertThat(reason("CREATE USER x;")).contains("not CREATE ROLE");
        RoleStatement unterminated = RoleStatement.read((ScriptItem.Statement) PsqlScriptLexer.read(
                "ALTER ROLE x WITH LOGIN; ALTER ROLE tenant SUPERUSER").get(1));
        assertThat(((Unsupported) unterminated).reason()).contains("without a semicolon");
        assertThat(reason("COMMENT ON ROLE x IS 'a' || 'b';")).contains("more than pgmigrate expects");
        assertThat(reason("ALTER ROLE x WITH PASSWORD $$secret$$;")).contains("quoted string").doesNotContain("secret");
        assertThat(reason("GRANT a TO b WITH GRANT OPTION;")).contains("ADMIN, INHERIT or SET");
        assertThat(reason("CREATE ROLE \"a;")).contains("not a complete statement").contains("unterminated");
    }

    @Test
    void shownStatementsMaskPasswordsInEveryQuotingAndEscapeLineBreaks() {
        assertThat(RoleStatement.shown(statement("ALTER ROLE \"a\nb\" WITH LOGIN PASSWORD 'md5abc' VALID UNTIL 'infinity';")))
                .isEqualTo("ALTER ROLE \"a\\nb\" WITH LOGIN PASSWORD '<masked>' VALID UNTIL 'infinity'");
        assertThat(RoleStatement.shown(statement("CREATE ROLE x PASSWORD E'sec\\'ret';")))
                .isEqualTo("CREATE ROLE x PASSWORD '<masked>'");
        assertThat(RoleStatement.shown(statement("CREATE ROLE x PASSWORD $p$secret$p$;"))).doesNotContain("secret");
        assertThat(RoleStatement.shown(statement("CREATE ROLE x password 'a'\n'continued';"))).doesNotContain("continued");
    }

    private static RoleStatement read(String sql) {
        return RoleStatement.read(statement(sql));
    }

    private static String reason(String sql) {
        RoleStatement s = read(sql);
        assertThat(s).isInstanceOf(Unsupported.class);
        return ((Unsupported) s).reason();
    }

    private static ScriptItem.Statement statement(String sql) {
        return (ScriptItem.Statement) PsqlScriptLexer.read(sql).get(0);
    }
}
