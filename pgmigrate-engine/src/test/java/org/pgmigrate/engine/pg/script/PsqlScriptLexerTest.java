package org.pgmigrate.engine.pg.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.pg.script.SqlToken.Kind;

class PsqlScriptLexerTest {

    @Test
    void theReproductionIsTwoStatementsNotFourLines() {
        String script = "CREATE ROLE \"x\nALTER ROLE tenant SUPERUSER;--\";\n"
                + "ALTER ROLE \"x\nALTER ROLE tenant SUPERUSER;--\" WITH NOSUPERUSER NOLOGIN;\n";
        List<ScriptItem.Statement> statements = statements(script);
        assertThat(statements).hasSize(2);
        assertThat(statements.get(0).text()).isEqualTo("CREATE ROLE \"x\nALTER ROLE tenant SUPERUSER;--\"");
        assertThat(statements.get(0).tokens()).extracting(SqlToken::kind)
                .containsExactly(Kind.IDENTIFIER, Kind.IDENTIFIER, Kind.QUOTED_IDENTIFIER);
        assertThat(statements.get(0).tokens().get(2).value()).isEqualTo("x\nALTER ROLE tenant SUPERUSER;--");
        assertThat(statements.get(1).tokens()).extracting(SqlToken::value)
                .containsExactly("alter", "role", "x\nALTER ROLE tenant SUPERUSER;--", "with", "nosuperuser", "nologin");
        assertThat(statements.get(1).line()).isEqualTo(3);
        assertThat(statements).allMatch(s -> s.problem() == null);
        // What the old line splitter saw: a line "ALTER ROLE tenant SUPERUSER;--\";" of its own.
        assertThat(script.lines()).contains("ALTER ROLE tenant SUPERUSER;--\";");
    }

    @Test
    void unquotedIdentifiersFoldAsciiOnlyAndQuotedOnesKeepEverything() {
        List<SqlToken> t = tokens("SELECT Abc, ÄbC_1$x, \"Mixed \"\"Q\"\" ; -- /* $$\", a$$b");
        assertThat(t).extracting(SqlToken::value)
                .containsExactly("select", "abc", ",", "Äbc_1$x", ",", "Mixed \"Q\" ; -- /* $$", ",", "a$$b");
        assertThat(t.get(1).text()).isEqualTo("Abc");
        assertThat(t.get(7).kind()).isEqualTo(Kind.IDENTIFIER); // $ inside an identifier does not open a dollar quote
    }

    @Test
    void identifiersAreTruncatedTo63BytesOnWholeCharacters() {
        String longAscii = "a".repeat(70);
        assertThat(tokens(longAscii).get(0).value()).isEqualTo("a".repeat(63));
        String longUnicode = "\"" + "é".repeat(40) + "\""; // 80 bytes in UTF-8
        assertThat(tokens(longUnicode).get(0).value()).isEqualTo("é".repeat(31));
    }

    @Test
    void standardStringsDoubleQuotesAndKeepBackslashes() {
        List<SqlToken> t = tokens("SELECT 'it''s; -- not /* a comment', 'C:\\dir\\'");
        assertThat(t.get(1).kind()).isEqualTo(Kind.STRING);
        assertThat(t.get(1).value()).isEqualTo("it's; -- not /* a comment");
        assertThat(t.get(3).value()).isEqualTo("C:\\dir\\");
        assertThat(t).hasSize(4);
    }

    @Test
    void escapeStringsTakeBackslashEscapes() {
        List<SqlToken> t = tokens("SELECT E'a\\'b;c\\\\', e'\\n\\t\\x41\\101\\u00e9\\U0001F600\\q', E'x''y'");
        assertThat(t.get(1).value()).isEqualTo("a'b;c\\");
        assertThat(t.get(1).text()).isEqualTo("E'a\\'b;c\\\\'");
        assertThat(t.get(3).value()).isEqualTo("\n\tAAé\uD83D\uDE00q");
        assertThat(t.get(5).value()).isEqualTo("x'y");
        assertThat(t).hasSize(6);
    }

    @Test
    void anEscapedQuoteInAnEStringDoesNotEndTheStatementWhereASplitterWouldEndIt() {
        List<ScriptItem.Statement> s = statements("COMMENT ON ROLE a IS E'it\\';s';\nSELECT 1;");
        assertThat(s).hasSize(2);
        assertThat(s.get(0).tokens().get(5).value()).isEqualTo("it';s");
    }

    @Test
    void prefixedStringsAndUnicodeFormsAreRecognised() {
        List<SqlToken> t = tokens("SELECT B'101', X'1F', N'nat', U&'d\\0061t', U&\"d\\0061t\" UESCAPE '!'");
        assertThat(t).extracting(SqlToken::kind).containsExactly(Kind.IDENTIFIER, Kind.STRING, Kind.PUNCTUATION,
                Kind.STRING, Kind.PUNCTUATION, Kind.STRING, Kind.PUNCTUATION, Kind.UNICODE_STRING, Kind.PUNCTUATION,
                Kind.UNICODE_IDENTIFIER, Kind.IDENTIFIER, Kind.STRING);
        assertThat(t.get(1).value()).isEqualTo("101");
        assertThat(t.get(7).value()).isEqualTo("d\\0061t"); // not decoded: UESCAPE may change the escape
        assertThat(t.get(9).value()).isEqualTo("d\\0061t");
    }

    @Test
    void stringsContinueAcrossANewlineButNotAcrossSpaces() {
        List<SqlToken> t = tokens("SELECT 'a'\n  -- note\n 'b', 'c' 'd'");
        assertThat(t.get(1).value()).isEqualTo("ab");
        assertThat(t.get(1).text()).isEqualTo("'a'\n  -- note\n 'b'");
        assertThat(t).extracting(SqlToken::value).containsExactly("select", "ab", ",", "c", "d");
    }

    @Test
    void dollarQuotesWithAndWithoutTagsHoldSemicolonsQuotesAndOtherTags() {
        List<ScriptItem.Statement> s = statements("SELECT $$a;'\"$$, $fn$ x $$ ; $other$ $fn$, $1, $ ;\nSELECT 2;");
        assertThat(s).hasSize(2);
        List<SqlToken> t = s.get(0).tokens();
        assertThat(t.get(1).kind()).isEqualTo(Kind.DOLLAR_STRING);
        assertThat(t.get(1).value()).isEqualTo("a;'\"");
        assertThat(t.get(3).value()).isEqualTo(" x $$ ; $other$ ");
        assertThat(t.get(5).kind()).isEqualTo(Kind.PARAMETER);
        assertThat(t.get(7).text()).isEqualTo("$");
    }

    @Test
    void commentsNestAndHideSemicolonsAndQuotes() {
        List<ScriptItem.Statement> s = statements("/* outer /* inner; ' \" */ still; */ CREATE ROLE a; -- ; 'x\n"
                + "CREATE /* c */ ROLE b;");
        assertThat(s).hasSize(2);
        assertThat(s.get(0).text()).isEqualTo("CREATE ROLE a");
        assertThat(s.get(1).text()).isEqualTo("CREATE /* c */ ROLE b");
        assertThat(s.get(1).tokens()).extracting(SqlToken::value).containsExactly("create", "role", "b");
        assertThat(s.get(1).tokens().get(2).start()).isEqualTo("CREATE /* c */ ROLE ".length());
    }

    @Test
    void operatorsStopAtACommentStart() {
        List<SqlToken> t = tokens("SELECT 1 +-- comment\n2 */* c */ 3 <> 4");
        assertThat(t).extracting(SqlToken::text).containsExactly("SELECT", "1", "+", "2", "*", "3", "<>", "4");
    }

    @Test
    void aSemicolonInsideParenthesesDoesNotEndTheStatement() {
        List<ScriptItem.Statement> s = statements("CREATE RULE r AS ON INSERT TO t DO (INSERT INTO a VALUES (1); "
                + "INSERT INTO b VALUES (2));\nSELECT 1;");
        assertThat(s).hasSize(2);
        assertThat(s.get(0).text()).endsWith("VALUES (2))");
    }

    @Test
    void backslashCommandsAtAStatementStartAreSeparateItemsToTheEndOfTheirLine() {
        List<ScriptItem> items = PsqlScriptLexer.read("\\restrict abc123\nSET x = 1;\n  \\connect -reuse-previous=on "
                + "\"dbname='a;b'\"\nCREATE ROLE r;\n\\unrestrict abc123\n");
        assertThat(items).hasSize(5);
        assertThat(items.get(0)).isEqualTo(new ScriptItem.MetaCommand("\\restrict abc123", 1));
        assertThat(((ScriptItem.MetaCommand) items.get(2)).text()).isEqualTo("\\connect -reuse-previous=on \"dbname='a;b'\"");
        assertThat(((ScriptItem.Statement) items.get(3)).text()).isEqualTo("CREATE ROLE r");
        assertThat(items.get(4)).isEqualTo(new ScriptItem.MetaCommand("\\unrestrict abc123", 5));
    }

    @Test
    void aBackslashInsideAStatementMarksItAsNotRunnable() {
        List<ScriptItem.Statement> s = statements("ALTER ROLE a \\! rm -rf /\nWITH LOGIN;\nCREATE ROLE b;");
        assertThat(s).hasSize(2);
        assertThat(s.get(0).problem()).contains("backslash command").contains("\\! rm -rf /");
        assertThat(s.get(1).problem()).isNull();
    }

    @Test
    void unterminatedQuotesCommentsAndStatementsAreProblemsNotStatements() {
        assertThat(statements("CREATE ROLE \"a;\nCREATE ROLE b;").get(0).problem()).contains("unterminated quoted identifier");
        assertThat(statements("COMMENT ON ROLE a IS 'x;").get(0).problem()).contains("unterminated quoted string");
        assertThat(statements("SELECT $q$ x;").get(0).problem()).contains("unterminated dollar-quoted string");
        assertThat(statements("CREATE ROLE a; /* open /* */").get(1).problem()).contains("unterminated /* comment");
        assertThat(statements("CREATE ROLE a; CREATE ROLE b").get(1).problem()).contains("without a semicolon");
        assertThat(statements("CREATE ROLE \"\";").get(0).problem()).contains("zero-length");
        assertThat(statements("CREATE ROLE a;").get(0).problem()).isNull();
    }

    @Test
    void emptyStatementsAreLeftOut() {
        assertThat(statements(";; \n -- only a comment\n;")).isEmpty();
    }

    @Test
    void plainStringsFollowTheScriptsStandardConformingStrings() {
        List<ScriptItem.Statement> s = statements("SET standard_conforming_strings = off;\nSELECT 'a\\';b';\n"
                + "SET standard_conforming_strings TO 'on';\nSELECT 'c\\';d';");
        assertThat(s).hasSize(5);
        assertThat(s.get(1).tokens().get(1).value()).isEqualTo("a';b");
        assertThat(s.get(3).tokens().get(1).value()).isEqualTo("c\\");
        assertThat(s.get(4).text()).isEqualTo("d';");
        assertThat(s.get(4).problem()).contains("unterminated");
    }

    @Test
    void tokensKnowTheirPlaceAndLinesAreCounted() {
        List<ScriptItem.Statement> s = statements("\n\n  GRANT a TO \"b\"\n  GRANTED BY c;\n\nSELECT\n1;");
        assertThat(s.get(0).line()).isEqualTo(3);
        assertThat(s.get(1).line()).isEqualTo(6);
        SqlToken granted = s.get(0).tokens().get(4);
        assertThat(granted.isWord("granted")).isTrue();
        assertThat(s.get(0).text().substring(granted.start(), granted.end())).isEqualTo("GRANTED");
        assertThat(s.get(0).tokens().get(3).isName()).isTrue();
        assertThat(s.get(0).tokens().get(3).isWord("b")).isFalse(); // quoted: a name, never a key word
    }

    @Test
    void numbersAndOddCharacters() {
        List<SqlToken> t = tokens("SELECT 1.5e-3, .5, 10_000, {x}");
        assertThat(t).extracting(SqlToken::text).containsExactly("SELECT", "1.5e-3", ",", ".5", ",", "10_000", ",", "{", "x", "}");
        assertThat(t.get(1).kind()).isEqualTo(Kind.NUMBER);
    }

    private static List<ScriptItem.Statement> statements(String script) {
        return PsqlScriptLexer.read(script).stream().filter(i -> i instanceof ScriptItem.Statement)
                .map(i -> (ScriptItem.Statement) i).toList();
    }

    private static List<SqlToken> tokens(String sql) {
        List<ScriptItem.Statement> s = statements(sql + ";");
        assertThat(s).hasSize(1);
        assertThat(s.get(0).problem()).isNull();
        return s.get(0).tokens();
    }
}
