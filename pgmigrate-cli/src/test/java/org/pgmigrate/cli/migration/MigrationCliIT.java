package org.pgmigrate.cli.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.Terminal;
import org.pgmigrate.cli.client.CliRun;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.service.DataDirectory;
import org.pgmigrate.service.ServiceConfig;
import org.pgmigrate.service.ServiceWiring;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

/**
 * The seed's walk-through and its bad inputs, end to end: {@code Main.run} → HTTPS → a real {@code pgmigrate serve}
 * (started in-process on port 0) → real source and target clusters.
 */
@Timeout(300)
class MigrationCliIT {

    static final String SUB = "11111111-1111-1111-1111-111111111111";
    static final String RG = "my-learning-rg";
    static final String TARGET = "myflexibleserver";
    static final String SOURCE = "mysource";

    static PgCluster source;
    static PgCluster target;
    static Path dataDir;
    static Path work;
    static ServiceWiring service;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("cli-source").start();
        target = PgCluster.builder().version(15).name("cli-target").start();
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.load(c, 500);
        }
        for (String db : new String[] {"crm", "waitdb", "overdb", "wrongpw", "deldb", "uuiddb", "valdb", "privdb",
            "watchdb"}) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE customers (id int PRIMARY KEY, name text);"
                    + "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 300) g");
        }
        target.createDatabase("overdb");
        target.execute("postgres", "CREATE ROLE nocreatedb LOGIN PASSWORD 'nocreatedb-pw'");
        dataDir = Files.createTempDirectory("pgmigrate-cli-it");
        work = Files.createTempDirectory("pgmigrate-cli-it-work");
        service = ServiceWiring.start(ServiceConfig.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));

        CliRun src = cli("server", "create", "--subscription", SUB, "-g", RG, "-n", SOURCE, "--type", "single",
                "--host", source.host(), "--port", Integer.toString(source.port()));
        CliRun tgt = cli("server", "create", "--subscription", SUB, "-g", RG, "-n", TARGET,
                "--host", target.host(), "--port", Integer.toString(target.port()), "--sslmode", "prefer");
        assertThat(src.exitCode()).as(src.toString()).isEqualTo(ExitCode.OK);
        assertThat(tgt.exitCode()).as(tgt.toString()).isEqualTo(ExitCode.OK);
    }

    @AfterAll
    static void stop() throws IOException {
        if (service != null) {
            service.close();
        }
        for (PgCluster cluster : new PgCluster[] {source, target}) {
            if (cluster != null) {
                cluster.close();
            }
        }
        for (Path dir : new Path[] {dataDir, work}) {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    static CliRun cli(String... args) {
        return CliRun.in(dataDir, args);
    }

    /** A migration command with the seed's flags: --subscription, --resource-group, --name, --migration-name. */
    static CliRun migration(String verb, String name, String... more) {
        List<String> args = new ArrayList<>(List.of("migration", verb, "--subscription", SUB, "--resource-group", RG,
                "--name", TARGET, "--migration-name", name));
        args.addAll(Arrays.asList(more));
        return cli(args.toArray(String[]::new));
    }

    /** The seed's JSON file, in the seed's shape (odd spacing, sourceServerUserName as username@servername). */
    static Path seedFile(String fileName, String sourcePassword, String overwrite, String extra, String... dbs)
            throws IOException {
        String dbList = String.join(",", Arrays.stream(dbs).map(d -> "\"" + d + "\"").toList());
        String json = """
                {
                "properties": {
                 "sourceDbServerResourceId":"/subscriptions/%s/resourceGroups/%s/providers/Microsoft.DBforPostgreSQL/servers/%s",
                "secretParameters": {
                    "adminCredentials":
                    {
                      "sourceServerPassword": "%s",
                      "targetServerPassword": "%s"
                    },
                   "sourceServerUserName": "%s@%s",
                   "targetServerUserName": "%s"
                },

                "dbsToMigrate":
                   [
                   %s
                   ],
                %s
                "overwriteDbsInTarget":"%s"

                }
                }
                """.formatted(SUB, RG, SOURCE, sourcePassword, target.password(), source.superuser(), SOURCE,
                target.superuser(), dbList, extra, overwrite);
        return Files.writeString(work.resolve(fileName), json);
    }

    static void assertNoSecretIn(CliRun run) {
        assertThat(run.out() + run.err()).doesNotContain(source.password()).doesNotContain(target.password());
    }

    @Test
    void theSeedsOfflineWalkthroughMigratesTheDatabasesAndListsThemAsFinished() throws Exception {
        Path body = seedFile("migrationBody.json", source.password(), "true", "", "shop", "crm");

        CliRun created = migration("create", "migration1", "--properties", body.toString(),
                "--migration-mode", "offline", "--tags", "env=test", "owner");
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        assertThat(created.out()).contains("\"name\": \"migration1\"").contains("\"migrationMode\": \"Offline\"")
                .contains("\"state\": \"InProgress\"").contains("\"env\": \"test\"").contains("\"owner\": \"\"");
        assertNoSecretIn(created);

        CliRun watched = migration("show", "migration1", "--watch", "--interval", "200ms");
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.OK);
        assertThat(watched.out()).contains("Succeeded / Completed").contains("\nshop ").contains("\ncrm ");
        for (String db : new String[] {"shop", "crm"}) {
            try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                DatabaseComparer.assertEqual(s, t);
            }
        }

        CliRun shown = migration("show", "migration1");
        assertThat(shown.out()).contains("\"state\": \"Succeeded\"").contains("\"dbDetails\"");
        assertNoSecretIn(shown);

        CliRun active = cli("migration", "list", "--subscription", SUB, "-g", RG, "-n", TARGET);
        CliRun all = cli("migration", "list", "--subscription", SUB, "-g", RG, "-n", TARGET, "--filter", "All",
                "--output", "table");
        assertThat(active.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(active.out()).doesNotContain("migration1");
        assertThat(all.out().lines().filter(l -> l.startsWith("migration1 "))).singleElement().asString()
                .contains("Offline").contains("Succeeded").contains("shop, crm");

        CliRun taken = migration("check-name-availability", "migration1");
        CliRun free = migration("check-name-availability", "migration-2");
        assertThat(taken.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(taken.out()).contains("\"nameAvailable\": false");
        assertThat(free.out()).contains("\"nameAvailable\": true");

        CliRun cutover = migration("update", "migration1", "--cutover");
        assertThat(cutover.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(cutover.err()).contains("Cutover is not possible for migration migration1 if the migration_mode "
                + "set to offline. The migration will cutover automatically");

        Path other = seedFile("other.json", source.password(), "true", "", "crm");
        CliRun duplicate = migration("create", "migration1", "--properties", other.toString());
        assertThat(duplicate.exitCode()).as(duplicate.toString()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(duplicate.err()).startsWith("ERROR: (").contains("migration1").doesNotContain("\tat ");
    }

    @Test
    void theOnlineWalkthroughShowsTheChangeCountersAndCutsOverFromTheCli() throws Exception {
        source.createDatabase("livedb");
        source.execute("livedb", "CREATE TABLE orders (id int PRIMARY KEY, item text); CREATE TABLE audit (line text); "
                + "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 500) g; "
                + "INSERT INTO audit VALUES ('one'), ('two')");
        Path body = seedFile("online.json", source.password(), "true", "", "livedb");

        CliRun created = migration("create", "online1", "--properties", body.toString(), "--migration-mode", "online",
                "--migration-option", "Migrate", "--allow-replica-identity-full");
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        assertThat(created.out()).contains("\"migrationMode\": \"Online\"")
                .contains("\"allowReplicaIdentityFull\": \"True\"");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> migration("show", "online1").out().contains("\"currentSubState\": \"WaitingForCutoverTrigger\""));
        source.execute("livedb", "INSERT INTO orders SELECT g, 'new' FROM generate_series(501, 505) g; "
                + "UPDATE audit SET line = line || '!'");
        CliRun table = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> migration("show", "online1", "--output", "table"), r -> r.out().contains(" 5/2/0 "));
        assertThat(table.out()).contains("WaitingForUserAction / WaitingForCutoverTrigger").contains("CDC ins/upd/del")
                .contains("Latency").contains("Pending")
                .contains("pgmigrate migration update -g " + RG + " -n " + TARGET + " --migration-name online1 --cutover");

        CliRun cutover = migration("update", "online1", "--cutover");
        assertThat(cutover.exitCode()).as(cutover.toString()).isEqualTo(ExitCode.OK);
        assertThat(cutover.out()).contains("\"triggerCutover\": \"True\"");
        CliRun watched = migration("show", "online1", "--watch", "--interval", "200ms");
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.OK);
        assertThat(watched.out()).contains("Succeeded / Completed").contains("Verified    Succeeded");
        try (Connection s = source.connect("livedb"); Connection t = target.connect("livedb")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void databasesCutsOverOneDatabaseWhileTheOtherKeepsReplicatingThenTheRest() throws Exception {
        for (String db : List.of("cut1", "cut2")) {
            source.createDatabase(db);
            source.execute(db, "CREATE TABLE public.notes (id int PRIMARY KEY, line text); "
                    + "INSERT INTO public.notes SELECT g, 'note ' || g FROM generate_series(1, 100) g");
        }
        Path body = seedFile("percut.json", source.password(), "true", "", "cut1", "cut2");
        CliRun created = migration("create", "percut", "--properties", body.toString(), "--migration-mode", "online",
                "--migration-option", "Migrate");
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        String waiting = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> migration("show", "percut").out(), out -> !out.contains("\"state\": \"InProgress\""));
        assertThat(waiting).contains("\"currentSubState\": \"WaitingForCutoverTrigger\"");

        CliRun unknown = migration("update", "percut", "--cutover", "--databases", "cut1", "nosuchdb");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(unknown.err()).contains("--databases names 'nosuchdb', which is not in migration percut's "
                + "databases (dbsToMigrate: 'cut1', 'cut2')").doesNotContain("\tat ");
        CliRun unknownCancel = migration("update", "percut", "--cancel", "--databases", "CUT2");
        assertThat(unknownCancel.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(unknownCancel.err()).contains("'CUT2'").contains("case-sensitive");

        CliRun one = migration("update", "percut", "--cutover", "--databases", "cut1");
        assertThat(one.exitCode()).as(one.toString()).isEqualTo(ExitCode.OK);
        assertThat(Json.mapper().readTree(one.out()).path("properties").path("dbsToTriggerCutoverOn").toString())
                .isEqualTo("[\"cut1\"]");
        JsonNode back = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> showJson("percut"), m -> dbState(m, "cut1").equals("Succeeded")
                        && m.path("properties").path("currentStatus").path("currentSubStateDetails")
                                .path("currentSubState").asText().equals("WaitingForCutoverTrigger"));
        assertThat(dbState(back, "cut2")).isEqualTo("WaitingForCutoverTrigger");
        // cut2 keeps replicating: a change on its source reaches the target.
        source.execute("cut2", "UPDATE public.notes SET line = 'after cut1' WHERE id = 5");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> showJson("percut").path("properties").path("currentStatus")
                        .path("currentSubStateDetails").path("dbDetails").path("cut2").path("appliedChanges").asLong() == 1);
        try (Connection t = target.connect("cut2"); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT line FROM public.notes WHERE id = 5")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("after cut1");
        }

        CliRun rest = migration("update", "percut", "--cutover", "--databases", "cut2");
        assertThat(rest.exitCode()).as(rest.toString()).isEqualTo(ExitCode.OK);
        CliRun watched = migration("show", "percut", "--watch", "--interval", "200ms");
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.OK);
        assertThat(watched.out()).contains("Succeeded / Completed")
                .contains("Verified    Succeeded (after the cutover: 2 tables compared, rows and contents equal");
        for (String db : List.of("cut1", "cut2")) {
            try (Connection s = source.connect(db); Connection t = target.connect(db)) {
                DatabaseComparer.assertEqual(s, t);
            }
        }
    }

    private static JsonNode showJson(String name) throws IOException {
        CliRun shown = migration("show", name);
        assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(ExitCode.OK);
        return Json.mapper().readTree(shown.out());
    }

    private static String dbState(JsonNode migration, String db) {
        return migration.path("properties").path("currentStatus").path("currentSubStateDetails").path("dbDetails")
                .path(db).path("migrationState").asText();
    }

    @Test
    void badInputsGetClearErrorsNoStackTraceAndTheRightExitCode() throws Exception {
        Path malformed = Files.writeString(work.resolve("malformed.json"), "{\"properties\": {\"dbsToMigrate\": [");
        CliRun badJson = migration("create", "badjson", "--properties", malformed.toString());
        CliRun missing = migration("create", "nofile", "--properties", work.resolve("absent.json").toString());
        Path body = seedFile("bad-name.json", source.password(), "true", "", "crm");
        // As with az (argparse), a value starting with "-" is given with "=".
        CliRun badName = cli("migration", "create", "--subscription", SUB, "-g", RG, "-n", TARGET,
                "--migration-name=-bad-name", "--properties", body.toString());
        CliRun badName2 = migration("create", "bad_name", "--properties", body.toString());
        CliRun twoOps = migration("update", "whatever", "--cancel", "--overwrite-dbs");
        CliRun unknownServer = cli("migration", "create", "--subscription", SUB, "-g", RG, "-n", "nosuchserver",
                "--migration-name", "m-unknown", "--properties", body.toString());
        CliRun unknownMigration = migration("show", "never-created");

        assertThat(badJson.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(badJson.err()).startsWith("ERROR: Invalid json file. Make sure that the json file content is "
                + "properly formatted.");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(missing.err()).startsWith("ERROR: Properties file does not exist in the given location");
        for (CliRun run : List.of(badName, badName2, unknownServer, unknownMigration)) {
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).as(run.toString()).startsWith("ERROR: (").doesNotContain("\tat ");
            assertNoSecretIn(run);
        }
        assertThat(badName.err()).contains("-bad-name");
        assertThat(unknownServer.err()).contains("nosuchserver");
        assertThat(twoOps.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(twoOps.err()).contains("Incorrect Usage: Can only specify one update operation.");
    }

    @Test
    void aWrongPasswordFailsTheMigrationAndWatchSaysWhyAndExitsOne() throws Exception {
        Path body = seedFile("wrongpw.json", "not-the-password", "true", "", "wrongpw");

        CliRun created = migration("create", "wrongpw", "--properties", body.toString());
        CliRun watched = migration("show", "wrongpw", "--watch", "--interval", "200ms");

        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.FAILED);
        assertThat(watched.out()).contains("ValidationFailed / Completed")
                .containsPattern("server +AuthenticationAndConnectivityValidation +Failed\n +Failed: Authentication failed");
        assertThat(watched.out()).doesNotContain("not-the-password");

        CliRun cancelFinished = migration("update", "wrongpw", "--cancel");
        assertThat(cancelFinished.exitCode()).as(cancelFinished.toString()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(cancelFinished.err()).startsWith("ERROR: (");
    }

    @Test
    void theSeedsUpdateCancelFormCancelsAWaitingMigrationAndLeavesTheTarget() throws Exception {
        String window = "\"migrationWindowStartTimeInUtc\": \"" + Instant.now().plus(Duration.ofHours(2)) + "\",";
        Path body = seedFile("wait.json", source.password(), "true", window, "waitdb");

        CliRun created = migration("create", "waiting", "--properties", body.toString());
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        CliRun listed = cli("migration", "list", "--subscription", SUB, "-g", RG, "-n", TARGET, "-o", "table");
        assertThat(listed.out()).contains("waiting");

        CliRun canceled = cli("migration", "update", "cancel", "--subscription", SUB, "--resource-group", RG,
                "--name", TARGET, "--migration-name", "waiting");
        assertThat(canceled.exitCode()).as(canceled.toString()).isEqualTo(ExitCode.OK);
        assertThat(canceled.err()).contains("doesn't drop or roll back");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> migration("show", "waiting").out(), out -> out.contains("\"state\": \"Canceled\""));
    }

    @Test
    void overwriteConfirmationIsAskedForShownAsTheNextStepAndGivenWithOverwriteDbs() throws Exception {
        Path body = seedFile("over.json", source.password(), "false", "", "overdb");

        CliRun created = migration("create", "overwrite", "--properties", body.toString());
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        // Wait for the state itself: the validation report names WaitingForTargetDBOverwriteConfirmation before the
        // migration reaches it.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> migration("show", "overwrite", "--query", "properties.currentStatus.currentSubStateDetails"
                        + ".currentSubState", "-o", "tsv").out(), "WaitingForTargetDBOverwriteConfirmation\n"::equals);
        String waiting = migration("show", "overwrite", "-o", "table").out();
        assertThat(waiting).contains("State       WaitingForUserAction / WaitingForTargetDBOverwriteConfirmation")
                .contains("--overwrite-dbs");

        CliRun overwrite = migration("update", "overwrite", "--overwrite-dbs");
        assertThat(overwrite.exitCode()).as(overwrite.toString()).isEqualTo(ExitCode.OK);
        CliRun watched = migration("show", "overwrite", "--watch", "--interval", "200ms");
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.OK);
        try (Connection s = source.connect("overdb"); Connection t = target.connect("overdb")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    /** Ctrl-C in a real terminal (tmux) ends {@code show --watch} with 130, as docs/cli.md says; the migration goes on. */
    @Test
    void ctrlCEndsWatchWithExitCode130AndTheMigrationGoesOn() throws Exception {
        String window = "\"migrationWindowStartTimeInUtc\": \"" + Instant.now().plus(Duration.ofHours(2)) + "\",";
        Path body = seedFile("watch.json", source.password(), "true", window, "watchdb");
        assertThat(migration("create", "watched", "--properties", body.toString()).exitCode()).isEqualTo(ExitCode.OK);
        Path jar = Path.of("target", "pgmigrate.jar").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (Terminal terminal = Terminal.open(Files.createDirectories(work.resolve("watch-terminal")))) {
            // SIGINT may be inherited as ignored (a background CI job): reset it, as a terminal's Ctrl-C finds it.
            Terminal.Command watch = terminal.type("env --default-signal=INT " + java + " -jar " + jar
                    + " migration show --subscription " + SUB + " --resource-group " + RG + " --name " + TARGET
                    + " --migration-name watched --watch --interval 200ms --output table --data-dir " + dataDir);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(terminal::screen, screen -> screen.contains("Every 200ms: "));
            terminal.pressCtrlC();
            assertThat(watch.awaitExit(Duration.ofSeconds(60))).as(terminal.screen()).isEqualTo(ExitCode.INTERRUPTED)
                    .isEqualTo(130);
        }
        assertThat(migration("show", "watched").out()).as("Ctrl-C stops the watch, not the migration")
                .contains("\"state\": \"InProgress\"");
        assertThat(migration("update", "watched", "--cancel").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void deleteWithYesCancelsAnActiveMigration() throws Exception {
        String window = "\"migrationWindowStartTimeInUtc\": \"" + Instant.now().plus(Duration.ofHours(2)) + "\",";
        Path body = seedFile("del.json", source.password(), "true", window, "deldb");
        assertThat(migration("create", "to-delete", "--properties", body.toString()).exitCode()).isEqualTo(ExitCode.OK);

        CliRun noTty = migration("delete", "to-delete");
        CliRun deleted = migration("delete", "to-delete", "--yes");

        assertThat(noTty.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(noTty.err()).contains("Unable to prompt for confirmation as no tty available. Use --yes.");
        assertThat(deleted.exitCode()).as(deleted.toString()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> migration("show", "to-delete"), r -> r.out().contains("\"state\": \"Canceled\"")
                        || r.exitCode() == ExitCode.INVALID_INPUT);
    }

    @Test
    void missingThingsAreAnsweredAsSuch() {
        CliRun noServer = cli("migration", "list", "--subscription", SUB, "-g", RG, "-n", "nosuchserver");
        assertThat(noServer.exitCode()).as(noServer.toString()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(noServer.out()).isEmpty();
        assertThat(noServer.err()).startsWith("ERROR: (ParentResourceNotFound) The target server 'nosuchserver'")
                .contains("pgmigrate server create");

        CliRun unresolved = cli("server", "create", "--subscription", SUB, "-g", RG, "-n", "unresolved",
                "--host", "no.such.host.invalid");
        assertThat(unresolved.exitCode()).as(unresolved.toString()).isEqualTo(ExitCode.OK);
        assertThat(unresolved.out()).contains("\"state\": \"Inaccessible\"").doesNotContain("\"Ready\"");
        assertThat(unresolved.err()).startsWith("WARNING: server 'unresolved' is registered but Inaccessible: The host "
                + "'no.such.host.invalid' does not resolve");
        assertThat(cli("server", "delete", "--subscription", SUB, "-g", RG, "-n", "unresolved").exitCode())
                .isEqualTo(ExitCode.OK);

        CliRun gone = migration("delete", "never-created", "--yes");
        assertThat(gone.exitCode()).as(gone.toString()).isEqualTo(ExitCode.OK);
        assertThat(gone.err()).contains("Migration 'never-created' does not exist on target server '" + TARGET + "'")
                .contains("nothing to delete");
        assertThat(gone.out()).isEmpty();
    }

    @Test
    void withoutAMigrationNameCreateUsesAUuidAsAzDoes() throws Exception {
        String window = "\"migrationWindowStartTimeInUtc\": \"" + Instant.now().plus(Duration.ofHours(2)) + "\",";
        Path body = seedFile("uuid.json", source.password(), "true", window, "uuiddb");

        CliRun created = cli("migration", "create", "--subscription", SUB, "-g", RG, "-n", TARGET,
                "--properties", body.toString());

        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        String name = org.pgmigrate.cli.output.Json.mapper().readTree(created.out()).path("name").asText();
        assertThat(java.util.UUID.fromString(name).toString()).isEqualTo(name);
        assertThat(migration("delete", name, "--yes").exitCode()).isEqualTo(ExitCode.OK);
    }

    @Test
    void serverParametersAreSetShownListedAndResetAsAzDoes() {
        // The spelling (-n names the server, --name the parameter) and az's (-s/--server-name).
        CliRun set = cli("server", "parameter", "set", "--subscription", SUB, "-g", RG, "-n", TARGET, "--name",
                "azure.migration_table_split_size", "--value", "2048", "--query", "properties.value", "-o", "tsv");
        assertThat(set.exitCode()).as(set.toString()).isEqualTo(ExitCode.OK);
        assertThat(set.out()).isEqualTo("2048\n");
        CliRun show = cli("server", "parameter", "show", "--subscription", SUB, "-g", RG, "--server-name", TARGET,
                "--name", "azure.migration_table_split_size", "-o", "table");
        assertThat(show.out()).contains("azure.migration_table_split_size").contains("2048").contains("user-override");
        CliRun list = cli("server", "parameter", "list", "--subscription", SUB, "-g", RG, "-s", TARGET, "--query",
                "[].name", "-o", "tsv");
        assertThat(list.out().lines()).contains("azure.migration_copy_with_binary", "azure.migration_skip_analyze",
                "pgmigrate.migration_table_jobs");
        CliRun reset = cli("server", "parameter", "set", "--subscription", SUB, "-g", RG, "-s", TARGET, "--name",
                "azure.migration_table_split_size", "--query", "properties.[value, source]", "-o", "tsv");
        assertThat(reset.out()).isEqualTo("1024\nsystem-default\n"); // az: a list of scalars, one per line
        CliRun bad = cli("server", "parameter", "set", "--subscription", SUB, "-g", RG, "-s", TARGET, "--name",
                "azure.migration_skip_analyze", "--value", "maybe");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(bad.err()).contains("'maybe' is not valid for server parameter 'azure.migration_skip_analyze'")
                .contains("on, off").doesNotContain("\tat ");
    }

    @Test
    void serversAreListedShownAndFoundByNameWithoutTheirType() {
        CliRun list = cli("server", "list", "--subscription", SUB, "-g", RG, "-o", "table");
        CliRun show = cli("server", "show", "--subscription", SUB, "-g", RG, "-n", SOURCE);
        CliRun missing = cli("server", "show", "--subscription", SUB, "-g", RG, "-n", "nope");

        assertThat(list.exitCode()).as(list.toString()).isEqualTo(ExitCode.OK);
        assertThat(list.out()).contains(TARGET).contains(SOURCE).contains(Integer.toString(source.port()));
        assertThat(show.out()).contains("\"type\": \"Microsoft.DBforPostgreSQL/servers\"")
                .contains("\"port\": " + source.port());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(missing.err()).contains("No server named 'nope'");
    }

    @Test
    void configuredDefaultsSpareTheSubscriptionAndGroup() {
        Path ownDataDir = dataDir;
        CliRun set = CliRun.in(ownDataDir, "configure", "--defaults", "group=" + RG, "subscription=" + SUB);
        try {
            CliRun list = CliRun.in(ownDataDir, "server", "list", "-o", "table");

            assertThat(set.exitCode()).isEqualTo(ExitCode.OK);
            assertThat(list.exitCode()).as(list.toString()).isEqualTo(ExitCode.OK);
            assertThat(list.out()).contains(TARGET).contains(SOURCE);
        } finally {
            CliRun.in(ownDataDir, "configure", "--defaults", "group=", "subscription=");
        }
    }

    @Test
    void aWrongTokenIsRefusedAndTheCliSaysWhereItsTokenCameFrom() throws IOException {
        Path other = Files.createTempDirectory(work, "wrong-token");
        Files.copy(dataDir.resolve("endpoint"), other.resolve("endpoint"));
        Files.createDirectories(other.resolve("tls"));
        Files.copy(dataDir.resolve("tls/server.crt"), other.resolve("tls/server.crt"));
        Files.writeString(other.resolve("token"), "not-the-token");

        CliRun run = CliRun.in(other, "migration", "list", "--subscription", SUB, "-g", RG, "-n", TARGET);

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).startsWith("ERROR: (InvalidAuthenticationToken)")
                .contains(other.resolve("token").toString()).doesNotContain("\tat ");
    }

    @Test
    void anUnknownSourceDatabaseFailsTheMigrationNamingIt() throws Exception {
        Path body = seedFile("nodb.json", source.password(), "true", "", "no_such_db");

        CliRun created = migration("create", "nodb", "--properties", body.toString());
        CliRun watched = migration("show", "nodb", "--watch", "--interval", "200ms", "--output", "table");

        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.FAILED);
        assertThat(watched.out()).contains("ValidationFailed / Completed")
                .containsPattern("no_such_db +SchemaValidation +Failed\n +Failed: Database no_such_db does not exist");
    }

    @Test
    void validateOnlyShowsEveryCheckWithItsStateAndMovesNoData() throws Exception {
        Path body = seedFile("validate.json", source.password(), "true", "", "valdb");

        CliRun created = migration("create", "validate-only", "--properties", body.toString(), "--migration-option",
                "validate");
        CliRun watched = migration("show", "validate-only", "--watch", "--interval", "200ms");
        CliRun shown = migration("show", "validate-only", "--output", "table");

        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        assertThat(created.out()).contains("\"migrationOption\": \"Validate\"");
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.OK);
        assertThat(watched.out()).contains("Succeeded / Completed");
        assertThat(shown.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(shown.out()).contains("Mode        Offline, Validate").contains("Validation  Succeeded (ended ")
                .containsPattern("server +AuthenticationAndConnectivityValidation +Succeeded\n +Connected to the source")
                .containsPattern("server +SourceVersionValidation +Succeeded")
                .containsPattern("server +ServerParametersValidation +Succeeded")
                .containsPattern("server +UserPrivilegesValidation +Succeeded")
                .containsPattern("valdb +SchemaValidation +Succeeded")
                .containsPattern("valdb +ExtensionsValidation +Succeeded")
                .containsPattern("valdb +CollationsValidation +Succeeded")
                .containsPattern("valdb +DatabaseSizeValidation +Succeeded\n +.*plan at least")
                .contains("Validation only: nothing was migrated.");
        assertNoSecretIn(shown);
        try (Connection c = target.connect("postgres"); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'valdb'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("Validate moves no data").isZero();
        }
    }

    @Test
    void aFailedCheckIsShownWithItsFixAndWatchExitsOne() throws Exception {
        Path body = seedFile("privileges.json", source.password(), "true", "", "privdb");
        Files.writeString(body, Files.readString(body)
                .replace("\"targetServerPassword\": \"" + target.password() + "\"", "\"targetServerPassword\": \"nocreatedb-pw\"")
                .replace("\"targetServerUserName\": \"" + target.superuser() + "\"", "\"targetServerUserName\": \"nocreatedb\""));

        CliRun created = migration("create", "no-createdb", "--properties", body.toString(), "--migration-option",
                "Validate", "--output", "table");
        CliRun watched = migration("show", "no-createdb", "--watch", "--interval", "200ms");
        CliRun shown = migration("show", "no-createdb", "-o", "table");

        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        assertThat(created.out()).contains("State       InProgress / PerformingPreRequisiteSteps");
        assertThat(watched.exitCode()).as(watched.toString()).isEqualTo(ExitCode.FAILED);
        assertThat(shown.out()).contains("State       ValidationFailed / Completed").contains("Validation  Failed")
                .containsPattern("server +UserPrivilegesValidation +Failed\n +Failed: The target user nocreatedb cannot "
                        + "create databases. Run ALTER ROLE nocreatedb CREATEDB on the target.")
                .containsPattern("server +AuthenticationAndConnectivityValidation +Succeeded")
                .contains("Nothing was migrated. Fix what the Failed checks say, then create the migration again.");
        assertNoSecretIn(shown);
    }

    @Test
    void withNoServiceRunningTheCliSaysHowToStartIt() throws IOException {
        Path empty = Files.createTempDirectory(work, "no-service");

        CliRun run = CliRun.in(empty, "migration", "list", "-g", RG, "-n", TARGET);

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("The pgmigrate service is not running")
                .contains("pgmigrate serve --data-dir " + empty.toAbsolutePath());
    }
}
