package org.pgmigrate.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class MigrationViewTest {

    /** The spec's completed-migration example (SPEC 2026-07-01-preview), with the service's extra pendingBytes. */
    static final String SUCCEEDED = """
            { "name": "examplemigration", "type": "Microsoft.DBForPostgreSql/flexibleServers/migrations",
              "properties": {
                "currentStatus": { "state": "Succeeded", "error": "",
                  "currentSubStateDetails": { "currentSubState": "Completed",
                    "dbDetails": { "exampledatabase": {
                        "databaseName": "exampledatabase", "migrationState": "Succeeded",
                        "fullLoadQueuedTables": 0, "fullLoadErroredTables": 0, "fullLoadLoadingTables": 0,
                        "fullLoadCompletedTables": 10, "cdcUpdateCounter": 1, "cdcDeleteCounter": 2,
                        "cdcInsertCounter": 3, "appliedChanges": 6, "incomingChanges": 0, "latency": 0,
                        "pendingBytes": 3145728, "copiedBytes": 1048576, "totalBytes": 4194304 } },
                    "validationDetails": { "status": "Warning",
                      "serverLevelValidationDetails": [
                        { "type": "AuthenticationAndConnectivityValidation", "state": "Succeeded" },
                        { "type": "ServerParametersValidation", "state": "Warning",
                          "messages": [{"state": "Warning", "message": "max_replication_slots is low"}] } ] } } },
                "verificationDetails": { "status": "Failed", "databases": [ { "databaseName": "exampledatabase",
                  "status": "Failed", "tables": [
                    { "table": "public.a", "sourceRows": 5, "targetRows": 5, "equal": true },
                    { "table": "public.b", "sourceRows": 7, "targetRows": 6, "equal": false,
                      "message": "public.b: 7 rows on the source, 6 on the target" } ],
                  "sequenceMismatches": [], "objectMismatches": ["indexes: 0 on the source, 1 on the target"] } ] },
                "dbsToMigrate": ["exampledatabase"], "migrationMode": "Offline",
                "migrationOption": "ValidateAndMigrate", "sourceDbServerResourceId": "20.228.214.65:5432@postgres" } }
            """;

    static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    @Test
    void theDetailShowsTheFiltersInClonesWords() throws Exception {
        String view = MigrationView.detail(json("""
                { "name": "m", "properties": { "migrationMode": "Offline",
                  "filters": { "excludeSchemas": ["staging"], "includeTables": [],
                               "excludeTableData": ["public.log", "\\"My Schema\\".\\"T.1\\""] } } }"""), "");
        assertThat(view).contains("Filters     exclude-schema: staging; exclude-table-data: public.log,"
                + " \"My Schema\".\"T.1\"\n");
        assertThat(MigrationView.detail(json(SUCCEEDED), "")).doesNotContain("Filters");
    }

    @Test
    void theDetailShowsStatePerDatabaseCountersAndWhatValidationFlagged() throws Exception {
        String view = MigrationView.detail(json(SUCCEEDED), "");

        assertThat(view).contains("State       Succeeded / Completed")
                .contains("Mode        Offline, ValidateAndMigrate")
                .contains("Source      20.228.214.65:5432@postgres")
                .contains("Validation  Warning\n")
                .contains("  server  AuthenticationAndConnectivityValidation  Succeeded\n")
                .contains("  server  ServerParametersValidation               Warning\n"
                        + "          Warning: max_replication_slots is low\n")
                .contains("Verified    Failed (2 tables compared)\n"
                        + "  exampledatabase: public.b: 7 rows on the source, 6 on the target\n"
                        + "  exampledatabase: indexes: 0 on the source, 1 on the target\n")
                .doesNotContain("public.a");
        String row = view.lines().filter(l -> l.startsWith("exampledatabase")).findFirst().orElseThrow();
        assertThat(row).contains("Succeeded").contains("0/0/10/0")
                .contains("1.0 MiB of ~4.0 MiB (~25%)");
        // An offline migration captures no changes: no CDC columns.
        assertThat(view).doesNotContain("CDC ins/upd/del").doesNotContain("Latency").doesNotContain("Pending");
    }

    @Test
    void anOnlineMigrationShowsTheChangeCaptureColumns() throws Exception {
        String view = MigrationView.detail(json(SUCCEEDED.replace("\"Offline\"", "\"Online\"")), "");

        assertThat(view).contains("CDC ins/upd/del").contains("Latency").contains("Pending");
        String row = view.lines().filter(l -> l.startsWith("exampledatabase")).findFirst().orElseThrow();
        assertThat(row).contains("3/1/2").contains("6").contains("0s").contains("3.0 MiB");
    }

    @Test
    void aFinishedCopyReads100PercentAndAnEstimateSaysSo() throws Exception {
        assertThat(MigrationView.copied(json("{\"copiedBytes\": 75497472, \"totalBytes\": 75497472}")))
                .isEqualTo("72.0 MiB (100%)");
        assertThat(MigrationView.copied(json("{\"copiedBytes\": 63543705, \"totalBytes\": 75497472}")))
                .isEqualTo("60.6 MiB of ~72.0 MiB (~84%)");
        assertThat(MigrationView.copied(json("{\"copiedBytes\": 90000000, \"totalBytes\": 75497472}")))
                .as("an estimate outgrown: not 100% before the copy ends").endsWith("(~99%)");
        assertThat(MigrationView.copied(json("{\"copiedBytes\": 0, \"totalBytes\": 0}"))).isEqualTo("-");
    }

    @Test
    void aLongErrorIsCutInTheListAndTheNoteSaysWhereToReadItWhole() throws Exception {
        String longError = "Database shop: " + "x".repeat(300);
        String table = MigrationView.list(json("[" + SUCCEEDED.replace("\"error\": \"\"", "\"error\": \"" + longError
                + "\\nsecond line\"") + "]"));

        String row = table.lines().filter(l -> l.startsWith("examplemigration")).findFirst().orElseThrow();
        assertThat(row).contains("Database shop: xxx").endsWith("...").doesNotContain("second line");
        assertThat(row.length()).isLessThan(200);
        assertThat(table).endsWith("Long errors are cut; 'pgmigrate migration show --migration-name NAME' prints them"
                + " whole.\n");
    }

    /** The spec's validation-failure example (2026-07-01-preview), with the service's per-database checks. */
    static final String VALIDATION_FAILED = """
            { "name": "examplemigration",
              "properties": {
                "currentStatus": { "state": "ValidationFailed", "error": "Validation failed; no data was migrated. ...",
                  "currentSubStateDetails": { "currentSubState": "Completed", "dbDetails": {},
                    "validationDetails": { "status": "Failed",
                      "validationStartTimeInUtc": "2025-06-01T18:30:22.123456Z",
                      "validationEndTimeInUtc": "2025-06-01T18:30:23.123456Z",
                      "serverLevelValidationDetails": [
                        { "type": "AuthenticationAndConnectivityValidation", "state": "Succeeded",
                          "messages": [{"state": "Succeeded", "message": "Connected to the source and the target."}] },
                        { "type": "UserPrivilegesValidation", "state": "Failed",
                          "messages": [{"state": "Failed", "message": "The target user bob cannot create databases. Run ALTER ROLE bob CREATEDB on the target."},
                                       {"state": "Succeeded", "message": "Source user postgres, target user bob."}] } ],
                      "dbLevelValidationDetails": [ { "databaseName": "exampledatabase",
                          "startedOn": "2025-06-01T18:30:22.5Z", "endedOn": "2025-06-01T18:30:23Z",
                          "summary": [
                            { "type": "ExtensionsValidation", "state": "Failed",
                              "messages": [{"state": "Failed", "message": "Unsupported Extension. Consider pg_dump/pg_restore."}] },
                            { "type": "DatabaseSizeValidation", "state": "Succeeded",
                              "messages": [{"state": "Succeeded", "message": "Database exampledatabase is 7.5 MB."}] } ] } ] } } },
                "dbsToMigrate": ["exampledatabase"], "migrationMode": "Offline", "migrationOption": "Validate" } }
            """;

    @Test
    void aValidationReportShowsEveryCheckItsStateAndItsMessagesWithTheFix() throws Exception {
        String view = MigrationView.detail(json(VALIDATION_FAILED), "");

        assertThat(view).contains("State       ValidationFailed / Completed\n")
                .contains("Validation  Failed (ended 2025-06-01T18:30:23.123456Z)\n")
                .contains("""
                          server           AuthenticationAndConnectivityValidation  Succeeded
                                           Connected to the source and the target.
                          server           UserPrivilegesValidation                 Failed
                                           Failed: The target user bob cannot create databases. Run ALTER ROLE bob CREATEDB on the target.
                                           Source user postgres, target user bob.
                          exampledatabase  ExtensionsValidation                     Failed
                                           Failed: Unsupported Extension. Consider pg_dump/pg_restore.
                          exampledatabase  DatabaseSizeValidation                   Succeeded
                                           Database exampledatabase is 7.5 MB.
                        """)
                .contains("Nothing was migrated. Fix what the Failed checks say, then create the migration again.")
                .as("the error repeats the report; the report is easier to read").doesNotContain("Error ");
        assertThat(MigrationView.isTerminal(json(VALIDATION_FAILED))).isTrue();
    }

    @Test
    void aWaitingMigrationShowsTheNextCommand() throws Exception {
        JsonNode waiting = json("""
                {"name": "m", "properties": {"currentStatus": {"state": "WaitingForUserAction",
                 "currentSubStateDetails": {"currentSubState": "WaitingForCutoverTrigger"}}}}""");

        assertThat(MigrationView.detail(waiting, "Next: run cutover")).contains("Next: run cutover");
        assertThat(MigrationView.isTerminal(waiting)).isFalse();
        assertThat(MigrationView.isTerminal(json(SUCCEEDED))).isTrue();
    }

    @Test
    void theListTableHasOneRowPerMigration() throws Exception {
        String table = MigrationView.list(json("[" + SUCCEEDED + "," + SUCCEEDED.replace("examplemigration", "other")
                + "]"));

        assertThat(table.lines()).hasSize(4);
        assertThat(table.lines().findFirst().orElseThrow()).startsWith("Name").contains("State").contains("Substate");
        assertThat(table).contains("examplemigration").contains("other").contains("exampledatabase");
    }

    @Test
    void bytesUseBinaryUnitsAsEveryPrintedSizeDoes() {
        assertThat(MigrationView.bytes(512)).isEqualTo("512 B");
        assertThat(MigrationView.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(MigrationView.bytes(5L << 30)).isEqualTo("5.0 GiB");
        for (long n : new long[] {0, 1023, 1536, 72L << 20, 812L << 20, 5L << 30}) {
            assertThat(org.pgmigrate.cli.clone.ByteSize.format(n)).as("clone and show print sizes alike")
                    .isEqualTo(MigrationView.bytes(n));
        }
    }

    @Test
    void withoutATerminalTheLiveViewPrintsEachChangeOnceAndStopsAtATerminalState() throws Exception {
        Deque<JsonNode> answers = new ArrayDeque<>();
        String inProgress = """
                {"name": "m", "properties": {"currentStatus": {"state": "InProgress",
                 "currentSubStateDetails": {"currentSubState": "%s"}}}}""";
        answers.add(json(inProgress.formatted("PerformingPreRequisiteSteps")));
        answers.add(json(inProgress.formatted("MigratingData")));
        answers.add(json(inProgress.formatted("MigratingData")));
        answers.add(json(SUCCEEDED));
        StringWriter out = new StringWriter();

        JsonNode last = new LiveView(new PrintWriter(out), false, Duration.ofMillis(1))
                .run("test", answers::removeFirst, m -> MigrationView.detail(m, ""));

        assertThat(MigrationView.state(last)).isEqualTo("Succeeded");
        assertThat(answers).isEmpty();
        assertThat(out.toString()).containsOnlyOnce("InProgress / MigratingData")
                .contains("InProgress / PerformingPreRequisiteSteps").contains("Succeeded / Completed")
                .doesNotContain("\u001b[");
    }

    @Test
    void onATerminalTheLiveViewRedrawsTheScreenInPlaceEachPoll() throws Exception {
        Deque<JsonNode> answers = new ArrayDeque<>();
        JsonNode inProgress = json("""
                {"name": "m", "properties": {"currentStatus": {"state": "InProgress",
                 "currentSubStateDetails": {"currentSubState": "MigratingData"}}}}""");
        answers.add(inProgress);
        answers.add(inProgress);
        answers.add(json(SUCCEEDED));
        StringWriter out = new StringWriter();

        new LiveView(new PrintWriter(out), true, Duration.ofMillis(1))
                .run("test", answers::removeFirst, m -> MigrationView.detail(m, ""));

        assertThat(out.toString().split("\u001b\\[H\u001b\\[2J", -1)).hasSize(4);
        assertThat(out.toString()).startsWith("\u001b[H\u001b[2JEvery 1ms: test");
    }

    @Test
    void intervalsAcceptSecondsMillisecondsAndMinutes() {
        IntervalConverter converter = new IntervalConverter();

        assertThat(converter.convert("5")).isEqualTo(Duration.ofSeconds(5));
        assertThat(converter.convert("2.5s")).isEqualTo(Duration.ofMillis(2500));
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("1m")).isEqualTo(Duration.ofMinutes(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> converter.convert("10ms"))
                .hasMessageContaining("at least 100ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> converter.convert("soon"))
                .hasMessageContaining("not an interval");
    }

    @Test
    void jsonIsPrintedAsAzPrintsIt() throws Exception {
        assertThat(Json.pretty(json("{\"a\":[1,2],\"b\":{}}"))).isEqualTo("""
                {
                  "a": [
                    1,
                    2
                  ],
                  "b": {}
                }""");
    }

    private static String verified(String databases) throws Exception {
        String body = "{\"name\": \"m\", \"properties\": {\"migrationMode\": \"Online\", \"currentStatus\": "
                + "{\"state\": \"InProgress\"}, \"verificationDetails\": {\"status\": \"Succeeded\", "
                + "\"databases\": [" + databases + "]}}}";
        return MigrationView.detail(json(body), "");
    }

    @Test
    void theVerificationOfABaseCopySaysSoAndTheCheckAfterTheCutoverToo() throws Exception {
        String base = "{\"databaseName\": \"crm1\", \"status\": \"Succeeded\", \"scope\": \"BaseCopy\", "
                + "\"tables\": [{\"table\": \"public.t\", \"sourceRows\": 3, \"targetRows\": 3, \"equal\": true}]}";
        assertThat(verified(base)).contains("Verified    Succeeded (base copy before the cutover: 1 table compared, "
                + "rows and contents equal on both sides)\n");
        String after = base.replace("crm1", "crm2").replace("BaseCopy", "AfterCutover");
        assertThat(verified(after)).contains("Verified    Succeeded (after the cutover: 1 table compared, ");
        assertThat(verified(base + ", " + after)).contains("Verified    Succeeded (crm1 base copy before the cutover, "
                + "crm2 after the cutover: 2 tables compared, ");
    }

    @Test
    void aTableWrittenAfterTheEndPointIsShownOnceWithTheWarning() throws Exception {
        String db = "{\"databaseName\": \"shop\", \"status\": \"Succeeded\", \"scope\": \"AfterCutover\", "
                + "\"tables\": [{\"table\": \"public.t\", \"sourceRows\": 5, \"targetRows\": 3, \"equal\": false, "
                + "\"message\": \"public.t: 5 rows on the source, 3 on the target (written on the source after the "
                + "cutover's end point)\"}], \"warnings\": [\"The source changed after the cutover's end point: table "
                + "public.t was written on the source after it.\"]}";
        String view = verified(db);
        assertThat(view).contains("Verified    Succeeded (after the cutover: 1 table compared)\n"
                + "  shop: public.t: 5 rows on the source, 3 on the target (written on the source after the cutover's "
                + "end point)\n"
                + "  shop: WARNING: The source changed after the cutover's end point: table public.t was written on "
                + "the source after it.\n");
        assertThat(view.split("5 rows on the source", -1)).hasSize(2);
    }
}
