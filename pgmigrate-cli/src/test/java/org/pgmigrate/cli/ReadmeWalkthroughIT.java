package org.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pgmigrate.cli.client.CliRun;
import org.pgmigrate.service.DataDirectory;
import org.pgmigrate.service.ServiceConfig;
import org.pgmigrate.service.ServiceWiring;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.compare.DatabaseComparer;
import org.pgmigrate.testkit.data.SampleDatabase;

/**
 * The README's service walk-through, read from README.md and run as written, so that it stays true: each
 * {@code ./pgmigrate ...} line of the bash block under "The migration service and its az-compatible CLI" runs through
 * {@link Main#run}, with {@code examples/migrationBody.json}. Only what a test must change is changed: {@code serve &}
 * starts the service in-process (on a free port), {@code old-host}/{@code new-host} and their ports become two test
 * clusters, the sample file gets their passwords, and every command gets {@code --data-dir} (never ~/.pgmigrate).
 */
@Timeout(300)
class ReadmeWalkthroughIT {

    private static final Path SOURCES = Path.of(System.getProperty("pgmigrate.sources", "..")).toAbsolutePath()
            .normalize();
    private static final String WALKTHROUGH = "## The migration service and its az-compatible CLI";
    private static final String SAMPLE = "examples/migrationBody.json";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Path dataDir;

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theServiceWalkthroughRunsAsWrittenAndTheTargetEqualsTheSource() throws Exception {
        List<String> commands = bashBlockAfter(Files.readString(SOURCES.resolve("README.md")), WALKTHROUGH);
        assertThat(commands).as("the walk-through's commands")
                .anyMatch(c -> c.startsWith("./pgmigrate serve"))
                .anyMatch(c -> c.startsWith("./pgmigrate server create") && c.contains("old-host"))
                .anyMatch(c -> c.startsWith("./pgmigrate server create") && c.contains("new-host"))
                .anyMatch(c -> c.startsWith("./pgmigrate migration create") && c.contains("--properties " + SAMPLE))
                .anyMatch(c -> c.startsWith("./pgmigrate migration show") && c.contains("--watch"));

        PgCluster source = cluster("readme-source");
        PgCluster target = cluster("readme-target");
        source.createDatabase("shop");
        try (Connection c = source.connect("shop")) {
            SampleDatabase.load(c, 300);
        }
        dataDir = Files.createTempDirectory("pgmigrate-readme-it");
        Path sample = withPasswords(SOURCES.resolve(SAMPLE), source, target);

        boolean watched = false;
        for (String command : commands) {
            List<String> words = ShellWords.split(command);
            assertThat(words.get(0)).as("a README command: %s", command).isEqualTo("./pgmigrate");
            if (words.get(1).equals("serve")) {
                assertThat(words).as("`serve` runs in the background: %s", command).endsWith("&");
                resources.add(ServiceWiring.start(ServiceConfig.defaults(new DataDirectory(dataDir))
                        .withListen("127.0.0.1:0").withPollInterval(Duration.ofMillis(200))));
                continue;
            }
            String[] args = forTheTestServers(words.subList(1, words.size()), source, target, sample);
            CliRun run = CliRun.in(dataDir, args);
            assertThat(run.exitCode()).as("README command failed: %s%n%s", command, run).isEqualTo(ExitCode.OK);
            if (words.contains("--watch")) {
                assertThat(run.out()).as("the watched migration: %s", run).contains("Succeeded");
                watched = true;
            }
        }
        assertThat(watched).as("a command of the walk-through waits for the migration").isTrue();
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
            DatabaseComparer.assertEqual(s, t);
        }
    }

    @Test
    void theSampleFileShipsPlaceholdersNotPasswords() throws IOException {
        ObjectNode file = (ObjectNode) new ObjectMapper().readTree(SOURCES.resolve(SAMPLE).toFile());
        ObjectNode credentials = (ObjectNode) file.at("/properties/secretParameters/adminCredentials");
        assertThat(credentials.get("sourceServerPassword").asText()).startsWith("<").endsWith(">");
        assertThat(credentials.get("targetServerPassword").asText()).startsWith("<").endsWith(">");
        assertThat(Files.readString(SOURCES.resolve("README.md"))).contains("(" + SAMPLE + ")");
    }

    private PgCluster cluster(String name) {
        PgCluster cluster = PgCluster.builder().version(15).name(name).start();
        resources.add(cluster);
        return cluster;
    }

    /** The commands of the first bash block after {@code heading}: continuations joined, comment lines dropped. */
    static List<String> bashBlockAfter(String markdown, String heading) {
        List<String> lines = markdown.lines().toList();
        int at = lines.indexOf(heading);
        assertThat(at).as("README heading %s", heading).isNotNegative();
        int open = at + 1;
        while (!lines.get(open).equals("```bash")) {
            open++;
        }
        List<String> commands = new ArrayList<>();
        StringBuilder command = new StringBuilder();
        for (int i = open + 1; !lines.get(i).equals("```"); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("#") && command.isEmpty()) {
                continue;
            }
            if (line.endsWith("\\")) {
                command.append(line, 0, line.length() - 1);
                continue;
            }
            commands.add(command.append(line).toString());
            command.setLength(0);
        }
        return commands;
    }

    /** The command's words with the README's servers replaced by the test clusters and the sample file by its copy. */
    private static String[] forTheTestServers(List<String> words, PgCluster source, PgCluster target, Path sample) {
        List<String> args = new ArrayList<>(words);
        PgCluster server = args.contains("old-host") ? source : args.contains("new-host") ? target : null;
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            if (server != null && (word.equals("old-host") || word.equals("new-host"))) {
                args.set(i, server.host());
            } else if (server != null && i > 0 && args.get(i - 1).equals("--port")) {
                args.set(i, Integer.toString(server.port()));
            } else if (word.equals(SAMPLE)) {
                args.set(i, sample.toString());
            }
        }
        return args.toArray(String[]::new);
    }

    /** A copy of the sample file with the passwords the README tells the reader to put in; nothing else changed. */
    private Path withPasswords(Path file, PgCluster source, PgCluster target) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = (ObjectNode) json.readTree(file.toFile());
        ObjectNode credentials = (ObjectNode) body.at("/properties/secretParameters/adminCredentials");
        credentials.put("sourceServerPassword", source.password());
        credentials.put("targetServerPassword", target.password());
        Path copy = Files.createTempFile("migrationBody", ".json");
        resources.add(() -> Files.deleteIfExists(copy));
        return Files.writeString(copy, json.writeValueAsString(body));
    }
}
