package org.pgmigrate.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

/** Each {@code --output} format and {@code --query}, printed as az prints them (knack's formatters). */
class PrinterTest {

    static final String NAME_CHECK = """
            {"name": "migration1", "type": "Microsoft.DBforPostgreSQL/flexibleServers/migrations",
             "nameAvailable": false, "reason": "AlreadyExists", "message": "taken"}""";

    static final String LIST = """
            [{"name": "m2", "id": "/subscriptions/s/m2", "type": "t", "location": "local", "tags": {"env": "test"},
              "properties": {"migrationMode": "Offline", "dbsToMigrate": ["shop", "crm"],
                             "currentStatus": {"state": "Succeeded", "error": ""}}},
             {"name": "m1", "id": "/subscriptions/s/m1", "type": "t", "location": "local", "tags": {},
              "properties": {"migrationMode": "Online", "dbsToMigrate": ["hr"],
                             "currentStatus": {"state": "InProgress", "error": ""}}}]""";

    static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    static String render(OutputFormat format, String query, String result) throws Exception {
        return Printer.render(format, query == null ? null : Query.compile(query), json(result), r -> "VIEW\n", false);
    }

    @Test
    void jsonIsIndentedByTwoWithKeysSortedAtEveryLevel() throws Exception {
        assertThat(render(OutputFormat.JSON, null, "{\"b\": 1, \"a\": {\"z\": [true, null], \"y\": \"x\"}, \"c\": []}"))
                .isEqualTo("""
                        {
                          "a": {
                            "y": "x",
                            "z": [
                              true,
                              null
                            ]
                          },
                          "b": 1,
                          "c": []
                        }
                        """);
    }

    @Test
    void aQueryPicksAScalarAndTsvPrintsItBare() throws Exception {
        assertThat(render(OutputFormat.TSV, "nameAvailable", NAME_CHECK)).isEqualTo("false\n");
        assertThat(render(OutputFormat.TSV, "reason", NAME_CHECK)).isEqualTo("AlreadyExists\n");
        assertThat(render(OutputFormat.JSON, "nameAvailable", NAME_CHECK)).isEqualTo("false\n");
        assertThat(render(OutputFormat.JSON, "reason", NAME_CHECK)).isEqualTo("\"AlreadyExists\"\n");
    }

    @Test
    void tsvGivesALinePerElementAndTheFieldsOfAnObjectTabSeparated() throws Exception {
        assertThat(render(OutputFormat.TSV, "[].name", LIST)).isEqualTo("m2\nm1\n");
        assertThat(render(OutputFormat.TSV, "[].properties.currentStatus.state", LIST)).isEqualTo("Succeeded\nInProgress\n");
        // a multiselect hash keeps the expression's order
        assertThat(render(OutputFormat.TSV, "[].{state: properties.currentStatus.state, name: name}", LIST))
                .isEqualTo("Succeeded\tm2\nInProgress\tm1\n");
        // a result's own object: its fields sorted by name, a nested object empty, a list its length
        assertThat(render(OutputFormat.TSV, "[0]", LIST)).isEqualTo("/subscriptions/s/m2\tlocal\tm2\t\t\tt\n");
        assertThat(render(OutputFormat.TSV, "[0].properties", LIST)).isEqualTo("\t2\tOffline\n");
        // inside a line, as Python's str() wrote them in az
        assertThat(render(OutputFormat.TSV, "{a: nameAvailable, b: missing, c: `3`}", NAME_CHECK))
                .isEqualTo("False\tNone\t3\n");
        assertThat(render(OutputFormat.TSV, "[].[name, properties.dbsToMigrate]", LIST)).isEqualTo("m2\t2\nm1\t1\n");
    }

    @Test
    void tableIsTheCommandsViewWithoutAQueryAndAzsAutomaticTableWithOne() throws Exception {
        assertThat(render(OutputFormat.TABLE, null, LIST)).isEqualTo("VIEW\n");
        assertThat(render(OutputFormat.TABLE, "[].{Name: name, State: properties.currentStatus.state}", LIST))
                .isEqualTo("""
                        Name    State
                        ------  ----------
                        m2      Succeeded
                        m1      InProgress
                        """);
        // fields holding a scalar, capitalized; id, type and etag left out; nested values too
        assertThat(render(OutputFormat.TABLE, "[0]", LIST)).isEqualTo("""
                Location    Name
                ----------  ------
                local       m2
                """);
        assertThat(render(OutputFormat.TABLE, "nameAvailable", NAME_CHECK)).isEqualTo("""
                Result
                --------
                False
                """);
        assertThat(render(OutputFormat.TABLE, "[].[name, location]", LIST)).isEqualTo("""
                Column1    Column2
                ---------  ---------
                m2         local
                m1         local
                """);
        assertThat(Printer.render(OutputFormat.TABLE, null, json(LIST), null, false)).startsWith("Location    Name\n");
    }

    @Test
    void aTableOfNothingButNestedValuesSaysToQuery() throws Exception {
        assertThatThrownBy(() -> render(OutputFormat.TABLE, "[].{status: properties.currentStatus}", LIST))
                .isInstanceOf(CliException.class).hasMessageContaining("Table output unavailable")
                .hasMessageContaining("Use the --query option");
    }

    @Test
    void yamlIsBlockStyleSortedAndQuotesOnlyWhatWouldReadAsSomethingElse() throws Exception {
        assertThat(render(OutputFormat.YAML, null, """
                {"name": "m1", "properties": {"overwriteDbsInTarget": "True", "version": "15", "error": "",
                 "dbsToMigrate": ["shop", "crm"], "latency": 0, "done": true, "tags": {}}}"""))
                .isEqualTo("""
                        name: m1
                        properties:
                          dbsToMigrate:
                          - shop
                          - crm
                          done: true
                          error: ""
                          latency: 0
                          overwriteDbsInTarget: "True"
                          tags: {}
                          version: "15"
                        """);
    }

    @Test
    void colorsOnlyOnATerminal() throws Exception {
        JsonNode check = json(NAME_CHECK);
        String plain = Printer.render(OutputFormat.JSONC, null, check, null, false);
        String colored = Printer.render(OutputFormat.JSONC, null, check, null, true);
        assertThat(plain).isEqualTo(Printer.render(OutputFormat.JSON, null, check, null, false)).doesNotContain("\u001b");
        assertThat(colored).contains("\u001b[94m\"nameAvailable\"\u001b[39;49;00m: \u001b[34mfalse\u001b[39;49;00m,\n")
                .contains("\u001b[94m\"reason\"\u001b[39;49;00m: \u001b[33m\"AlreadyExists\"\u001b[39;49;00m,\n");
        assertThat(colored.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain);
        String yamlc = Printer.render(OutputFormat.YAMLC, null, check, null, true);
        assertThat(yamlc).contains("\u001b[94mnameAvailable\u001b[39;49;00m: false\n");
        assertThat(yamlc.replaceAll("\u001b\\[[0-9;]*m", ""))
                .isEqualTo(Printer.render(OutputFormat.YAML, null, check, null, false));
        assertThat(Printer.render(OutputFormat.YAMLC, null, check, null, false)).doesNotContain("\u001b");
    }

    @Test
    void noneAndANullQueryResultPrintNothing() throws Exception {
        assertThat(render(OutputFormat.NONE, null, NAME_CHECK)).isEmpty();
        assertThat(render(OutputFormat.JSON, "nosuchfield", NAME_CHECK)).isEmpty();
        assertThat(render(OutputFormat.TSV, "nosuchfield", NAME_CHECK)).isEmpty();
    }

    @Test
    void aBadExpressionIsNamedWithWhereItGoesWrong() {
        assertThatThrownBy(() -> Query.compile("[].name[")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid JMESPath expression '[].name[': syntax error")
                .hasMessageContaining("at position 8").hasMessageContaining("https://jmespath.org");
    }

    @Test
    void aQueryThatFailsOnTheResultIsTheUsersMistake() {
        assertThatThrownBy(() -> render(OutputFormat.JSON, "length(nameAvailable)", NAME_CHECK))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("--query 'length(nameAvailable)' cannot be applied to the result")
                .hasMessageContaining("expected string, array or object but was boolean")
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    }
}
