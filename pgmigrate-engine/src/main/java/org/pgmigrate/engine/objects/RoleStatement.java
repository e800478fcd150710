package org.pgmigrate.engine.objects;

import java.util.List;
import java.util.Set;
import org.pgmigrate.engine.pg.Printable;
import org.pgmigrate.engine.pg.script.ScriptItem;
import org.pgmigrate.engine.pg.script.SqlToken;

/**
 * What one statement of a {@code pg_dumpall --roles-only} script does, and every role it names, read from its tokens
 * ({@link RoleStatementReader}). Only the kinds such a script holds are recognised; everything else is
 * {@link Unsupported}, so that no script can make the role copy run a statement it does not expect.
 */
sealed interface RoleStatement {

    /** Every role the statement names (the grantor of a GRANT excepted: {@code GRANTED BY} is not run). */
    List<String> roles();

    /** The SQL to run for it. */
    String sql();

    /** {@code CREATE ROLE r [[WITH] attributes]}; {@code attributes} in upper case (SUPERUSER, NOLOGIN, PASSWORD...). */
    record CreateRole(String role, Set<String> attributes, String sql) implements RoleStatement {
        @Override
        public List<String> roles() {
            return List.of(role);
        }
    }

    /** {@code ALTER ROLE r [WITH] attributes}. */
    record AlterRoleAttributes(String role, Set<String> attributes, String sql) implements RoleStatement {
        @Override
        public List<String> roles() {
            return List.of(role);
        }
    }

    /** {@code ALTER ROLE r [IN DATABASE d] SET p TO v} or {@code RESET p}; {@code database} may be null. */
    record AlterRoleSetting(String role, String database, String parameter, String sql) implements RoleStatement {
        @Override
        public List<String> roles() {
            return List.of(role);
        }
    }

    /** {@code GRANT g, ... TO m, ... [WITH options]}; {@code sql} is without the {@code GRANTED BY} clause. */
    record GrantMembership(List<String> granted, List<String> members, String sql) implements RoleStatement {
        @Override
        public List<String> roles() {
            return java.util.stream.Stream.concat(granted.stream(), members.stream()).toList();
        }
    }

    /** {@code COMMENT ON ROLE r IS ...}. */
    record CommentOnRole(String role, String sql) implements RoleStatement {
        @Override
        public List<String> roles() {
            return List.of(role);
        }
    }

    /** {@code SECURITY LABEL [FOR provider] ON ROLE r IS ...}. */
    record SecurityLabelOnRole(String role, String sql) implements RoleStatement {
        @Override
        public List<String> roles() {
            return List.of(role);
        }
    }

    /** {@code SET [SESSION] parameter TO value}: the script's session setup; {@code value} as one word. */
    record SessionSetting(String parameter, String value, String sql) implements RoleStatement {
        @Override
        public List<String> roles() {
            return List.of();
        }
    }

    /** Anything else, or a recognised kind in a form pg_dumpall does not write. */
    record Unsupported(String reason) implements RoleStatement {
        @Override
        public List<String> roles() {
            return List.of();
        }

        @Override
        public String sql() {
            throw new IllegalStateException("An unsupported statement is never run");
        }
    }

    /** What {@code statement} does. */
    static RoleStatement read(ScriptItem.Statement statement) {
        return RoleStatementReader.read(statement);
    }

    /**
     * {@code statement} as messages and logs show it: the string after PASSWORD masked (in any quoting form), control
     * characters escaped, and long statements cut.
     */
    static String shown(ScriptItem.Statement statement) {
        StringBuilder out = new StringBuilder(statement.text().length());
        int copied = 0;
        List<SqlToken> tokens = statement.tokens();
        for (int i = 1; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            boolean literal = t.kind() == SqlToken.Kind.STRING || t.kind() == SqlToken.Kind.UNICODE_STRING
                    || t.kind() == SqlToken.Kind.DOLLAR_STRING;
            if (literal && tokens.get(i - 1).isWord("password")) {
                out.append(statement.text(), copied, t.start()).append("'<masked>'");
                copied = t.end();
            }
        }
        out.append(statement.text(), copied, statement.text().length());
        String text = Printable.escape(out.toString());
        return text.length() > 400 ? text.substring(0, 400) + "..." : text;
    }
}
