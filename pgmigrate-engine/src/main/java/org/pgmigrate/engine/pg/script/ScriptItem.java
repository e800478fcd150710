package org.pgmigrate.engine.pg.script;

import java.util.List;

/** What a psql script is made of: SQL statements and backslash (meta) commands. */
public sealed interface ScriptItem permits ScriptItem.Statement, ScriptItem.MetaCommand {

    /** The line of the script the item starts on, from 1. */
    int line();

    /**
     * One SQL statement.
     *
     * @param text    from its first token to its last, comments between them included, without the semicolon
     * @param tokens  its tokens, offsets into {@code text}
     * @param problem null for a well-formed statement ended by a semicolon; otherwise why it is not one (an unclosed
     *                quote or comment, a missing semicolon at the end of the script, a backslash command inside it).
     *                A statement with a problem must not be run.
     */
    record Statement(String text, List<SqlToken> tokens, int line, String problem) implements ScriptItem {
        public Statement {
            tokens = List.copyOf(tokens);
        }
    }

    /**
     * A psql backslash command ({@code \connect}, {@code \restrict}...) that starts a statement: from the backslash
     * to the end of its line. psql runs these itself; they are not SQL.
     */
    record MetaCommand(String text, int line) implements ScriptItem {
    }
}
