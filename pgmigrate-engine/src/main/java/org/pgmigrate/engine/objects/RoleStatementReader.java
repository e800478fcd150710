package org.pgmigrate.engine.objects;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleAttributes;
import org.pgmigrate.engine.objects.RoleStatement.AlterRoleSetting;
import org.pgmigrate.engine.objects.RoleStatement.CommentOnRole;
import org.pgmigrate.engine.objects.RoleStatement.CreateRole;
import org.pgmigrate.engine.objects.RoleStatement.GrantMembership;
import org.pgmigrate.engine.objects.RoleStatement.SecurityLabelOnRole;
import org.pgmigrate.engine.objects.RoleStatement.SessionSetting;
import org.pgmigrate.engine.objects.RoleStatement.Unsupported;
import org.pgmigrate.engine.pg.script.ScriptItem;
import org.pgmigrate.engine.pg.script.SqlToken;
import org.pgmigrate.engine.pg.script.SqlToken.Kind;

/**
 * Reads one statement's tokens against the small grammar of what {@code pg_dumpall --roles-only} writes (PostgreSQL
 * 11 to 18): CREATE ROLE, ALTER ROLE (attributes, SET, RESET), GRANT of roles, COMMENT ON ROLE, SECURITY LABEL ON
 * ROLE and SET. A token out of place makes the statement {@link Unsupported} with the reason. Role names are taken
 * only from the positions the grammar gives them; {@code CURRENT_USER}, {@code SESSION_USER}, {@code CURRENT_ROLE},
 * {@code PUBLIC}, {@code ALL}... written unquoted there are not names and make the statement unsupported (they would
 * make the server pick a role by its own rules, such as the migration user).
 *
 * <p>Not thread-safe; one instance per statement.
 */
final class RoleStatementReader {

    /** Unquoted words that, where a role name belongs, mean something else to the server. */
    private static final Set<String> NOT_ROLE_NAMES = Set.of("current_user", "current_role", "session_user", "user",
            "public", "none", "all");
    private static final Set<String> FLAG_ATTRIBUTES = Set.of("superuser", "nosuperuser", "inherit", "noinherit",
            "createrole", "nocreaterole", "createdb", "nocreatedb", "login", "nologin", "replication", "noreplication",
            "bypassrls", "nobypassrls");

    private final ScriptItem.Statement statement;
    private final List<SqlToken> tokens;
    private int i;

    private RoleStatementReader(ScriptItem.Statement statement) {
        this.statement = statement;
        this.tokens = statement.tokens();
    }

    static RoleStatement read(ScriptItem.Statement statement) {
        if (statement.problem() != null) {
            return new Unsupported("not a complete statement: " + statement.problem());
        }
        try {
            return new RoleStatementReader(statement).statement();
        } catch (NotRecognised e) {
            return new Unsupported(e.getMessage());
        }
    }

    private RoleStatement statement() {
        String sql = statement.text();
        if (accept("create")) {
            expect("role", "CREATE ROLE");
            String role = roleName();
            Set<String> attributes = attributes();
            end();
            return new CreateRole(role, attributes, sql);
        }
        if (accept("alter")) {
            expect("role", "ALTER ROLE");
            return alterRole(sql);
        }
        if (accept("grant")) {
            return grant();
        }
        if (accept("comment")) {
            expect("on", "COMMENT ON");
            expect("role", "COMMENT ON ROLE");
            String role = roleName();
            expect("is", "COMMENT ON ROLE ... IS");
            literalOrNull();
            end();
            return new CommentOnRole(role, sql);
        }
        if (accept("security")) {
            expect("label", "SECURITY LABEL");
            if (accept("for")) {
                name("a label provider");
            }
            expect("on", "SECURITY LABEL ... ON");
            expect("role", "SECURITY LABEL ... ON ROLE");
            String role = roleName();
            expect("is", "SECURITY LABEL ... IS");
            literalOrNull();
            end();
            return new SecurityLabelOnRole(role, sql);
        }
        if (accept("set")) {
            if (!accept("session")) {
                accept("local");
            }
            String parameter = parameterName();
            if (!accept("to") && !acceptSymbol("=")) {
                throw new NotRecognised("SET " + parameter + " without TO or =");
            }
            List<SqlToken> value = settingValue();
            end();
            return new SessionSetting(parameter, value.size() == 1 ? value.get(0).value() : joined(value), sql);
        }
        throw new NotRecognised("not a kind of statement that a dump of roles holds ("
                + (tokens.isEmpty() ? "empty" : tokens.get(0).value().toUpperCase(Locale.ROOT)) + ")");
    }

    private RoleStatement alterRole(String sql) {
        String role = roleName();
        String database = null;
        if (accept("in")) {
            expect("database", "ALTER ROLE ... IN DATABASE");
            database = name("a database name");
            if (!at("set") && !at("reset")) {
                throw new NotRecognised("ALTER ROLE ... IN DATABASE without SET or RESET");
            }
        }
        if (accept("set")) {
            String parameter = parameterName();
            if (!accept("to") && !acceptSymbol("=")) {
                throw new NotRecognised("ALTER ROLE ... SET " + parameter + " without TO or = (FROM CURRENT is not copied)");
            }
            settingValue();
            end();
            return new AlterRoleSetting(role, database, parameter, sql);
        }
        if (accept("reset")) {
            String parameter = accept("all") ? "all" : parameterName();
            end();
            return new AlterRoleSetting(role, database, parameter, sql);
        }
        Set<String> attributes = attributes();
        if (attributes.isEmpty()) {
            throw new NotRecognised("ALTER ROLE in a form other than attributes, SET or RESET");
        }
        end();
        return new AlterRoleAttributes(role, attributes, sql);
    }

    /** {@code GRANT role, ... TO role, ... [WITH option, ...] [GRANTED BY role]}; privileges on objects are not roles. */
    private RoleStatement grant() {
        List<String> granted = new ArrayList<>();
        do {
            granted.add(roleName());
        } while (acceptSymbol(","));
        expect("to", "GRANT ... TO (a GRANT of privileges on objects does not belong in a dump of roles)");
        List<String> members = new ArrayList<>();
        do {
            members.add(roleName());
        } while (acceptSymbol(","));
        if (accept("with")) {
            do {
                if (!accept("admin") && !accept("inherit") && !accept("set")) {
                    throw new NotRecognised("GRANT ... WITH an option other than ADMIN, INHERIT or SET");
                }
                if (!accept("option") && !accept("true") && !accept("false")) {
                    throw new NotRecognised("GRANT ... WITH an option value other than OPTION, TRUE or FALSE");
                }
            } while (acceptSymbol(","));
        }
        String sql = statement.text();
        if (at("granted")) {
            // The grantor is usually the source's superuser, which is not copied: the target's user grants instead.
            int cut = tokens.get(i).start();
            i++;
            expect("by", "GRANTED BY");
            roleName();
            sql = statement.text().substring(0, cut).stripTrailing();
        }
        end();
        return new GrantMembership(List.copyOf(granted), List.copyOf(members), sql);
    }

    /**
     * {@code [WITH] attribute ...}: the flags, {@code CONNECTION LIMIT n}, {@code [ENCRYPTED] PASSWORD 'x' | NULL},
     * {@code VALID UNTIL 'x'}, {@code SYSID n}. Options that name other roles ({@code IN ROLE}, {@code ROLE},
     * {@code ADMIN}) are not what pg_dumpall writes and are not recognised.
     */
    private Set<String> attributes() {
        Set<String> attributes = new LinkedHashSet<>();
        accept("with");
        while (i < tokens.size()) {
            SqlToken t = tokens.get(i);
            if (t.kind() == Kind.IDENTIFIER && FLAG_ATTRIBUTES.contains(t.value())) {
                i++;
                attributes.add(t.value().toUpperCase(Locale.ROOT));
            } else if (accept("connection")) {
                expect("limit", "CONNECTION LIMIT");
                acceptSymbol("-");
                number();
                attributes.add("CONNECTION LIMIT");
            } else if (at("password") || at("encrypted") || at("unencrypted")) {
                if (!accept("encrypted")) {
                    accept("unencrypted");
                }
                expect("password", "ENCRYPTED PASSWORD");
                literalOrNull();
                attributes.add("PASSWORD");
            } else if (accept("valid")) {
                expect("until", "VALID UNTIL");
                literal();
                attributes.add("VALID UNTIL");
            } else if (accept("sysid")) {
                number();
                attributes.add("SYSID");
            } else {
                throw new NotRecognised("a role attribute pgmigrate does not know: " + shown(t));
            }
        }
        return attributes;
    }

    /** A role's name where the grammar puts one: an identifier, but not a word the server gives another meaning. */
    private String roleName() {
        SqlToken t = next("a role name");
        if (!t.isName()) {
            throw new NotRecognised("a " + t.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + " where a role name belongs");
        }
        if (t.kind() == Kind.IDENTIFIER && NOT_ROLE_NAMES.contains(t.value())) {
            throw new NotRecognised(t.value().toUpperCase(Locale.ROOT) + " where a role name belongs");
        }
        return t.value();
    }

    private String name(String what) {
        SqlToken t = next(what);
        if (!t.isName()) {
            throw new NotRecognised("no " + what + " where one belongs");
        }
        return t.value();
    }

    /** {@code name} or {@code prefix.name} (a custom setting). */
    private String parameterName() {
        StringBuilder name = new StringBuilder(name("a setting name"));
        while (acceptSymbol(".")) {
            name.append('.').append(name("a setting name"));
        }
        return name.toString();
    }

    /** A setting's value: words, numbers and strings, comma separated; no expressions. */
    private List<SqlToken> settingValue() {
        List<SqlToken> value = new ArrayList<>();
        while (i < tokens.size()) {
            SqlToken t = tokens.get(i);
            boolean ok = t.isName() || t.kind() == Kind.STRING || t.kind() == Kind.NUMBER || t.isSymbol(",")
                    || t.isSymbol("-") || t.isSymbol("+");
            if (!ok) {
                throw new NotRecognised("a setting value that is not a list of words, numbers and strings");
            }
            value.add(t);
            i++;
        }
        if (value.isEmpty()) {
            throw new NotRecognised("a SET without a value");
        }
        return value;
    }

    private void literalOrNull() {
        if (!accept("null")) {
            literal();
        }
    }

    private void literal() {
        if (next("a string").kind() != Kind.STRING) {
            throw new NotRecognised("something other than a quoted string where pg_dumpall writes one");
        }
    }

    private void number() {
        if (next("a number").kind() != Kind.NUMBER) {
            throw new NotRecognised("something other than a number where one belongs");
        }
    }

    private SqlToken next(String what) {
        if (i >= tokens.size()) {
            throw new NotRecognised("the statement ends where " + what + " belongs");
        }
        return tokens.get(i++);
    }

    private boolean at(String word) {
        return i < tokens.size() && tokens.get(i).isWord(word);
    }

    private boolean accept(String word) {
        if (at(word)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean acceptSymbol(String symbol) {
        if (i < tokens.size() && tokens.get(i).isSymbol(symbol)) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(String word, String form) {
        if (!accept(word)) {
            throw new NotRecognised("not " + form);
        }
    }

    private void end() {
        if (i < tokens.size()) {
            throw new NotRecognised("more than pgmigrate expects after " + joined(tokens.subList(0, i)));
        }
    }

    private static String joined(List<SqlToken> part) {
        StringBuilder s = new StringBuilder();
        for (SqlToken t : part) {
            if (!s.isEmpty() && !t.isSymbol(",")) {
                s.append(' ');
            }
            s.append(shown(t));
        }
        return s.length() > 80 ? s.substring(0, 80) + "..." : s.toString();
    }

    /** A token for a message: literals (which may hold a password) are not shown. */
    private static String shown(SqlToken t) {
        return switch (t.kind()) {
            case STRING, UNICODE_STRING, DOLLAR_STRING -> "'...'";
            default -> t.text();
        };
    }

    /** A statement outside the grammar; the message says where. */
    private static final class NotRecognised extends RuntimeException {
        NotRecognised(String message) {
            super(message, null, false, false);
        }
    }
}
