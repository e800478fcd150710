package org.pgmigrate.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
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
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.CliRun;
import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.Environment;
import org.pgmigrate.cli.config.ResourceGroup;
import org.pgmigrate.service.DataDirectory;
import org.pgmigrate.service.ServiceConfig;
import org.pgmigrate.service.ServiceWiring;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.data.SampleDatabase;

/**
 * az's global arguments on every command that prints a resource ({@code --output} in each format, {@code --query},
 * {@code --only-show-errors}, {@code --verbose}, {@code --debug}), end to end: {@code Main.run} → HTTPS → an
 * in-process {@code pgmigrate serve} → real clusters, with one real migration and more than a page of others.
 */
@Timeout(300)
class OutputOptionsIT {

    static final String SUB = "22222222-2222-2222-2222-222222222222";
    static final String RG = "output-rg";
    static final String TARGET = "outtarget";
    static final String SOURCE = "outsource";
    /** One more than a page of the service's lists, so that `migration list` has to follow a nextLink. */
    static final int IDLE = 101;

    static PgCluster source;
    static PgCluster target;
    static Path dataDir;
    static Path work;
    static ServiceWiring service;

    @BeforeAll
    static void start() throws Exception {
        source = PgCluster.builder().version(15).name("out-source").start();
        target = PgCluster.builder().version(15).name("out-target").start();
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.load(c, 100);
        }
        dataDir = Files.createTempDirectory("pgmigrate-output-it");
        work = Files.createTempDirectory("pgmigrate-output-it-work");
        service = ServiceWiring.start(ServiceConfig.defaults(new DataDirectory(dataDir)).withListen("127.0.0.1:0")
                .withPollInterval(Duration.ofMillis(200)));
        assertThat(cli("server", "create", "--subscription", SUB, "-g", RG, "-n", SOURCE, "--type", "single",
                "--host", source.host(), "--port", Integer.toString(source.port()), "-o", "none").exitCode())
                .isEqualTo(ExitCode.OK);
        assertThat(cli("server", "create", "--subscription", SUB, "-g", RG, "-n", TARGET, "--host", target.host(),
                "--port", Integer.toString(target.port()), "--location", "westeurope", "-o", "none").exitCode())
                .isEqualTo(ExitCode.OK);

        CliRun created = migration("create", "copied", "--properties",
                propertiesFile("copied.json", "\"dbsToMigrate\": [\"shop\"], \"overwriteDbsInTarget\": \"true\"")
                        .toString(), "-o", "none");
        assertThat(created.exitCode()).as(created.toString()).isEqualTo(ExitCode.OK);
        assertThat(created.out()).isEmpty();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(
                () -> migration("show", "copied", "--query", "properties.currentStatus.state", "-o", "tsv").out(),
                state -> state.equals("Succeeded\n") || state.equals("Failed\n"));

        // More than a page of migrations that wait for their databases (and so touch no server), created directly.
        ArmClient client = ArmClient.connect(new DataDir(dataDir), Environment.system(),
                Diagnostics.quiet(new PrintWriter(new StringWriter())));
        for (int i = 1; i <= IDLE; i++) {
            client.put(ArmPath.migration(new ResourceGroup(SUB, RG), TARGET, String.format("idle-%03d", i)),
                    Json.mapper().readTree(properties("")));
        }
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

    static CliRun migration(String verb, String name, String... more) {
        List<String> args = new ArrayList<>(List.of("migration", verb, "--subscription", SUB, "-g", RG, "-n", TARGET,
                "--migration-name", name));
        args.addAll(Arrays.asList(more));
        return cli(args.toArray(String[]::new));
    }

    static CliRun list(String... more) {
        List<String> args = new ArrayList<>(List.of("migration", "list", "--subscription", SUB, "-g", RG, "-n", TARGET));
        args.addAll(Arrays.asList(more));
        return cli(args.toArray(String[]::new));
    }

    /** The seed's body with {@code extra} properties (dbsToMigrate...). */
    static String properties(String extra) {
        return """
                {"properties": {
                  "sourceDbServerResourceId": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.DBforPostgreSQL/servers/%s",
                  "secretParameters": {
                    "adminCredentials": {"sourceServerPassword": "%s", "targetServerPassword": "%s"},
                    "sourceServerUserName": "%s", "targetServerUserName": "%s"}%s%s}}"""
                .formatted(SUB, RG, SOURCE, source.password(), target.password(), source.superuser(),
                        target.superuser(), extra.isEmpty() ? "" : ", ", extra);
    }

    static Path propertiesFile(String name, String extra) throws IOException {
        return Files.writeString(work.resolve(name), properties(extra));
    }

    static String token() throws IOException {
        return Files.readString(dataDir.resolve("token")).trim();
    }

    @Test
    void showWithAQueryAndTsvPrintsTheStateAlone() {
        CliRun state = migration("show", "copied", "--query", "properties.currentStatus.state", "-o", "tsv");
        assertThat(state.exitCode()).as(state.toString()).isEqualTo(ExitCode.OK);
        assertThat(state.out()).isEqualTo("Succeeded\n");
        assertThat(state.err()).isEmpty();
        assertThat(migration("show", "copied", "--query", "properties.currentStatus.state").out())
                .isEqualTo("\"Succeeded\"\n");
        assertThat(migration("show", "copied", "--query", "properties.targetDbServerMetadata.location", "-o", "tsv")
                .out()).isEqualTo("westeurope\n");
    }

    @Test
    void listFollowsNextLinkSoThatANamesQueryGetsEveryMigration() {
        CliRun names = list("--filter", "All", "--query", "[].name", "-o", "tsv", "--debug");
        assertThat(names.exitCode()).as(names.err()).isEqualTo(ExitCode.OK);
        List<String> lines = names.out().lines().toList();
        assertThat(lines).doesNotHaveDuplicates().contains("copied", "idle-001", "idle-101");
        assertThat(lines.stream().filter(l -> l.startsWith("idle-"))).hasSize(IDLE);
        assertThat(lines.get(0)).as("creation order").isEqualTo("copied");
        assertThat(names.err().lines().filter(l -> l.startsWith("DEBUG: Request URL: ")))
                .as("the second page is the first one's nextLink").hasSize(2)
                .last().asString().contains("%24skipToken=").contains("api-version=2025-08-01");

        CliRun active = list("--query", "length([?starts_with(name, 'idle-')])", "-o", "tsv");
        assertThat(active.out()).isEqualTo(IDLE + "\n");
    }

    @Test
    void checkNameAvailabilityWithAQueryPrintsFalse() {
        CliRun taken = migration("check-name-availability", "copied", "--query", "nameAvailable", "-o", "tsv");
        assertThat(taken.exitCode()).as(taken.toString()).isEqualTo(ExitCode.OK);
        assertThat(taken.out()).isEqualTo("false\n");
        assertThat(migration("check-name-availability", "free-name", "--query", "nameAvailable", "-o", "tsv").out())
                .isEqualTo("true\n");
    }

    @Test
    void everyFormatPrintsTheSameResource() {
        CliRun json = migration("show", "copied", "-o", "json");
        CliRun jsonc = migration("show", "copied", "-o", "jsonc");
        CliRun yaml = migration("show", "copied", "-o", "yaml");
        CliRun yamlc = migration("show", "copied", "-o", "yamlc");
        CliRun table = migration("show", "copied", "-o", "table");
        CliRun tsv = migration("show", "copied", "-o", "tsv");
        CliRun none = migration("show", "copied", "-o", "none");
        for (CliRun run : List.of(json, jsonc, yaml, yamlc, table, tsv, none)) {
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.OK);
        }
        assertThat(json.out()).startsWith("{\n  \"id\": \"/subscriptions/" + SUB + "/resourceGroups/" + RG)
                .contains("\n  \"name\": \"copied\",\n").contains("\"state\": \"Succeeded\"");
        assertThat(json.out().indexOf("\"location\"")).as("keys sorted").isLessThan(json.out().indexOf("\"name\""));
        assertThat(jsonc.out()).as("no colors off a terminal, as az").isEqualTo(json.out());
        assertThat(yaml.out()).startsWith("id: /subscriptions/" + SUB).contains("\nname: copied\n")
                .contains("\n    state: Succeeded\n").contains("  dbsToMigrate:\n  - shop\n");
        assertThat(yamlc.out()).isEqualTo(yaml.out());
        assertThat(table.out()).contains("State       Succeeded / Completed").contains("\nshop ");
        assertThat(tsv.out()).isEqualTo("/subscriptions/" + SUB + "/resourceGroups/" + RG + "/providers/"
                + "Microsoft.DBforPostgreSQL/flexibleServers/" + TARGET + "/migrations/copied\twesteurope\tcopied\t\t\t\t"
                + "Microsoft.DBforPostgreSQL/flexibleServers/migrations\n");
        assertThat(none.out()).isEmpty();

        CliRun auto = list("--filter", "All", "--query", "[?name=='copied'].{Name: name, "
                + "State: properties.currentStatus.state, Source: properties.sourceDbServerMetadata.version}",
                "-o", "table");
        assertThat(auto.out()).isEqualTo("Name    State      Source\n------  ---------  --------\ncopied  Succeeded  15\n");
    }

    @Test
    void serverAndConfigureCommandsTakeTheSameOptions() {
        CliRun names = cli("server", "list", "--subscription", SUB, "-g", RG, "--query", "[].name", "-o", "tsv");
        assertThat(names.out()).isEqualTo(TARGET + "\n" + SOURCE + "\n");
        CliRun port = cli("server", "show", "--subscription", SUB, "-g", RG, "-n", SOURCE,
                "--query", "properties.port", "-o", "tsv");
        assertThat(port.out()).isEqualTo(source.port() + "\n");
        CliRun yaml = cli("server", "show", "--subscription", SUB, "-g", RG, "-n", TARGET, "-o", "yaml",
                "--query", "{host: properties.fullyQualifiedDomainName, port: properties.port}");
        assertThat(yaml.out()).isEqualTo("host: " + target.host() + "\nport: " + target.port() + "\n");
        assertThat(cli("configure", "--defaults", "group=" + RG, "-o", "none").out()).isEmpty();
        CliRun group = cli("configure", "--list-defaults", "--query", "[?name=='group'].value | [0]", "-o", "tsv");
        assertThat(group.out()).isEqualTo(RG + "\n");
        cli("configure", "--defaults", "group=");
    }

    @Test
    void onlyShowErrorsKeepsWarningsOutButNotErrors() throws IOException {
        Path withUnknownKey = propertiesFile("unknown-key.json", "\"colour\": \"blue\"");
        CliRun warned = migration("create", "warned", "--properties", withUnknownKey.toString(), "-o", "none");
        CliRun quiet = migration("create", "quiet", "--properties", withUnknownKey.toString(), "-o", "none",
                "--only-show-errors");
        assertThat(warned.exitCode()).as(warned.toString()).isEqualTo(ExitCode.OK);
        assertThat(warned.err()).startsWith("WARNING: Key 'colour' of the properties file is not read");
        assertThat(quiet.exitCode()).as(quiet.toString()).isEqualTo(ExitCode.OK);
        assertThat(quiet.err()).isEmpty();

        CliRun canceled = migration("update", "quiet", "--cancel", "--only-show-errors", "--query",
                "properties.currentStatus.state", "-o", "tsv");
        assertThat(canceled.out()).isEqualTo("Canceled\n");
        assertThat(canceled.err()).isEmpty();
        CliRun missing = migration("show", "no-such-migration", "--only-show-errors");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(missing.err()).startsWith("ERROR: (ResourceNotFound)");

        // `migration delete` removes a finished migration (Migrations_Delete), whatever DELETE does in 2025-08-01
        CliRun deleted = migration("delete", "quiet", "--yes");
        assertThat(deleted.err()).isEqualTo("WARNING: Deleted migration 'quiet'.\n");
        assertThat(migration("show", "quiet").exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(migration("delete", "warned", "--yes", "--only-show-errors", "-o", "none").err())
                .as("the active one is canceled").isEmpty();
        assertThat(migration("show", "warned", "--query", "properties.currentStatus.state", "-o", "tsv").out())
                .isEqualTo("Canceled\n");
    }

    @Test
    void verboseTellsEachRequestAndTheTimeTaken() {
        CliRun run = migration("show", "copied", "--verbose", "-o", "none");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.OK);
        assertThat(run.err()).containsPattern("(?m)^INFO: GET https://127\\.0\\.0\\.1:\\d+/subscriptions/" + SUB
                + "/resourceGroups/" + RG + "/providers/Microsoft\\.DBforPostgreSQL/flexibleServers/" + TARGET
                + "/migrations/copied\\?api-version=2025-08-01 -> 200 \\(\\d+ ms\\)$")
                .containsPattern("(?m)^INFO: Command ran in \\d+\\.\\d{3} seconds$")
                .doesNotContain("DEBUG:");
    }

    @Test
    void debugShowsTheRequestAndResponseWithSecretsMasked() throws IOException {
        String planted = "Planted-Pw-" + System.nanoTime();
        Path file = Files.writeString(work.resolve("planted.json"), properties("").replace(
                "\"sourceServerPassword\": \"" + source.password() + "\"", "\"sourceServerPassword\": \"" + planted + "\""));
        CliRun run = migration("create", "debugged", "--properties", file.toString(), "--debug", "-o", "none");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.OK);
        assertThat(run.err()).contains("DEBUG: Request URL: 'https://127.0.0.1:")
                .contains("DEBUG: Request method: 'PUT'\n")
                .contains("DEBUG:     'Authorization': 'Bearer ***'\n")
                .contains("DEBUG:         \"sourceServerPassword\": \"***\",\n")
                .contains("DEBUG:         \"targetServerPassword\": \"***\"\n")
                .contains("DEBUG: Response status: 201\n")
                .contains("DEBUG: Response content:\n")
                .contains("DEBUG:   \"name\": \"debugged\",\n")
                .containsPattern("(?m)^INFO: Command ran in ")
                .doesNotContain(planted).doesNotContain(target.password()).doesNotContain(token());
        assertThat(run.out()).isEmpty();

        // an error: the response that says why, then where it came from, as az --debug does
        CliRun missing = migration("show", "no-such-migration", "--debug");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(missing.err()).contains("DEBUG: Response status: 404\n").contains("ERROR: (ResourceNotFound)")
                .contains("\tat org.pgmigrate.cli.").doesNotContain(token());
        assertThat(migration("show", "no-such-migration").err()).as("no trace without --debug")
                .doesNotContain("\tat ");
    }

    @Test
    void aBadQueryIsAUsageErrorThatNamesTheProblem() {
        CliRun bad = list("--query", "[].name[", "-o", "tsv");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(bad.err()).startsWith("ERROR: Invalid value for option '--query': invalid JMESPath expression "
                + "'[].name[': syntax error").contains("at position 8").doesNotContain("\tat ");
        assertThat(bad.out()).isEmpty();

        CliRun typeError = migration("show", "copied", "--query", "length(properties.migrationId == 'x')");
        assertThat(typeError.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(typeError.err()).startsWith("ERROR: --query 'length(properties.migrationId == 'x')' cannot be "
                + "applied to the result").doesNotContain("\tat ");

        CliRun badFormat = list("-o", "xml");
        assertThat(badFormat.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(badFormat.err()).contains("invalid choice: 'xml' (choose from 'json', 'jsonc', 'table', 'tsv', "
                + "'yaml', 'yamlc', 'none')");
    }
}
