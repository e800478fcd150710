package org.pgmigrate.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.DatabaseJob;
import org.pgmigrate.engine.Engine;
import org.pgmigrate.engine.EngineSettings;
import org.pgmigrate.engine.checkpoint.CheckpointStore;
import org.pgmigrate.engine.pg.PgEndpoint;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.testkit.cluster.PgCluster;
import org.pgmigrate.testkit.junit.ClusterPair;

/**
 * Every pg_dump, pg_dumpall and pg_restore a migration starts gets its password from its environment, never from
 * its command line (which ps shows to every user). The tools are wrappers that write down their arguments and the
 * PGPASSWORD they were given, then run the real tool.
 */
@Timeout(300)
class ToolCommandLinesIT {

    @RegisterExtension
    static final ClusterPair clusters = ClusterPair.of(15, 15);
    static PgCluster source;
    static PgCluster target;

    @TempDir
    Path work;

    @BeforeAll
    static void startClusters() {
        source = clusters.source();
        target = clusters.target();
        source.execute("postgres", "CREATE ROLE app_owner LOGIN PASSWORD 'owner-pw-123'");
        source.createDatabase("app");
        source.execute("app", """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                ALTER TABLE t OWNER TO app_owner;
                CREATE INDEX t_v ON t (v);
                CREATE VIEW tv AS SELECT * FROM t;
                INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;
                """);
    }

    @Test
    void noToolIsGivenAPasswordOnItsCommandLine() throws Exception {
        Path log = Files.createDirectory(work.resolve("log"));
        Path tools = wrappers(log);
        Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(List.of(tools)));
        PgEndpoint from = PgEndpoint.parse(source.uri("app"));
        PgEndpoint to = PgEndpoint.parse(target.uri("app"));
        assertThat(from.password()).isEqualTo(source.password());

        engine.migrateRoles(from.withDatabase("postgres"), to.withDatabase("postgres"), new Cancellation());
        engine.migrateDatabase(DatabaseJob.of(from, to, work.resolve("job")).withKeepOwnership(true),
                ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());

        try (Connection t = target.connect("app"); Statement s = t.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), (SELECT tableowner FROM pg_tables WHERE tablename = 't')"
                     + " FROM t")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the wrapped tools did the job").isEqualTo(100);
            assertThat(rs.getString(2)).isEqualTo("app_owner");
        }
        List<Invocation> invocations = invocations(log);
        assertThat(invocations).extracting(Invocation::tool)
                .contains("pg_dumpall", "pg_dump", "pg_restore")
                .hasSizeGreaterThanOrEqualTo(5); // pg_dumpall, pg_dump, pg_restore --list, pre-data, post-data
        for (Invocation i : invocations) {
            for (String argument : i.arguments()) {
                assertThat(argument).as(i.tool() + " argument")
                        .doesNotContain(source.password()).doesNotContain(target.password()).doesNotContain("owner-pw-123")
                        .doesNotContainIgnoringCase("password");
            }
            assertThat(i.pgpassword()).as(i.tool() + " PGPASSWORD").isIn(source.password(), target.password());
        }
    }

    /**
     * The pre-data restore, in transactions of a thousand entries, runs with synchronous_commit=off (the engine flushes the WAL before
     * it records pre-data as done); the post-data restore, whose entries are resumed by what the target has, and
     * every other tool run with the server's setting.
     */
    @Test
    void onlyThePreDataRestoreCommitsWithoutWaitingForFlushes() throws Exception {
        Path log = Files.createDirectory(work.resolve("log"));
        Engine engine = new Engine(EngineSettings.defaults().withToolSearchPath(List.of(wrappers(log))));
        engine.migrateDatabase(DatabaseJob.of(PgEndpoint.parse(source.uri("app")), PgEndpoint.parse(target.uri("app_async")),
                work.resolve("job")), ProgressListener.NONE, CheckpointStore.NONE, new Cancellation());

        List<Invocation> invocations = invocations(log);
        assertThat(invocations).filteredOn(i -> i.arguments().contains("--section=pre-data") && i.tool().equals("pg_restore"))
                .singleElement().extracting(Invocation::pgoptions).isEqualTo("-c synchronous_commit=off");
        assertThat(invocations).filteredOn(i -> !(i.arguments().contains("--section=pre-data") && i.tool().equals("pg_restore")))
                .hasSizeGreaterThanOrEqualTo(3).allSatisfy(i -> assertThat(i.pgoptions()).as(i.tool() + " " + i.arguments())
                        .isEmpty());
        try (Connection t = target.connect("app_async"); Statement s = t.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(100);
        }
    }

    record Invocation(String tool, List<String> arguments, String pgpassword, String pgoptions) {
    }

    /**
     * pg_dump, pg_dumpall and pg_restore scripts that record each run in {@code log}, then exec the real tool. They
     * claim the real tools' major: named on the search path, they win over /usr/lib/postgresql/N/bin on that tie.
     */
    private Path wrappers(Path log) throws Exception {
        Path real = PgTools.discover(List.of()).stream().filter(t -> t.major() == source.majorVersion())
                .findFirst().orElseThrow().binDir();
        Path dir = Files.createDirectory(work.resolve("tools"));
        for (String tool : List.of("pg_dump", "pg_dumpall", "pg_restore")) {
            String script = """
                    #!/bin/sh
                    if [ "$1" = "--version" ]; then echo "TOOL (PostgreSQL) MAJOR.99"; exit 0; fi
                    out="LOG/$$.TOOL"
                    printf '%s\\0' "$@" > "$out.args"
                    printf '%s' "$PGPASSWORD" > "$out.pgpassword"
                    printf '%s' "$PGOPTIONS" > "$out.pgoptions"
                    exec "REAL/TOOL" "$@"
                    """.replace("TOOL", tool).replace("LOG", log.toString()).replace("REAL", real.toString())
                    .replace("MAJOR", Integer.toString(source.majorVersion()));
            Path file = Files.writeString(dir.resolve(tool), script);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        }
        return dir;
    }

    private static List<Invocation> invocations(Path log) throws Exception {
        List<Invocation> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(log)) {
            for (Path args : files.filter(p -> p.toString().endsWith(".args")).sorted().toList()) {
                String name = args.getFileName().toString();
                String tool = name.substring(name.indexOf('.') + 1, name.length() - ".args".length());
                String raw = Files.readString(args, StandardCharsets.UTF_8);
                List<String> arguments = raw.isEmpty() ? List.of() : List.of(raw.substring(0, raw.length() - 1).split("\0", -1));
                String pgpassword = Files.readString(args.resolveSibling(name.replace(".args", ".pgpassword")));
                String pgoptions = Files.readString(args.resolveSibling(name.replace(".args", ".pgoptions")));
                found.add(new Invocation(tool, arguments, pgpassword, pgoptions));
            }
        }
        return found;
    }
}
