package org.pgmigrate.cli.serve;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.PasswordFile;
import org.pgmigrate.cli.clone.ByteSize;
import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.Environment;
import org.pgmigrate.cli.config.ToolDirectories;
import org.pgmigrate.service.DataDirectory;
import org.pgmigrate.service.DataDirectoryException;
import org.pgmigrate.service.ServiceConfig;
import org.pgmigrate.service.ServiceWiring;
import org.pgmigrate.service.server.RestartCommandPolicy;
import org.pgmigrate.service.store.postgres.StoreLocation;
import org.pgmigrate.service.worker.JobLimits;
import org.pgmigrate.service.worker.ReplicationLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgmigrate serve}: runs the migration service (the ARM-compatible REST API and its workers) until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run the pgmigrate migration service: the REST API of Azure's migration service "
                    + "(Microsoft.DBforPostgreSQL/flexibleServers/migrations), its workers and its store, until stopped "
                    + "(Ctrl-C or SIGTERM). Migrations in progress resume at the next start.",
            "",
            "At first start it creates in the data directory: 'token' (the bearer token clients send, mode 0600), "
                    + "'tls/server.crt' and 'tls/server.key' (a self-signed certificate, unless --tls-cert/--tls-key), "
                    + "'secrets.key' (encrypts stored passwords, mode 0600) and 'pgmigrate.db' (the store). Once "
                    + "listening it writes 'endpoint' (the base URL), where the pgmigrate CLI finds it."},
        footer = {"", "Examples:",
            "  Serve on 127.0.0.1:8642, with ~/.pgmigrate as the data directory.",
            "    pgmigrate serve",
            "  Serve other machines too, with a certificate of your own.",
            "    pgmigrate serve --data-dir /var/lib/pgmigrate --listen 0.0.0.0:8642 \\",
            "        --tls-cert cert.pem --tls-key key.pem",
            "  Several nodes on one PostgreSQL store (password: PGPASSWORD or ~/.pgpass).",
            "    pgmigrate serve --store postgresql://pgmigrate@store:5432/pgmigrate \\",
            "        --node-name a",
            "",
            "Exit codes: 0 stopped cleanly, 1 failed to start, 2 invalid options or an unusable data directory."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (token, certificate, store). "
            + "Default: $PGMIGRATE_DATA_DIR, else ~/.pgmigrate.")
    Path dataDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = ServiceConfig.DEFAULT_LISTEN,
            description = "Address to listen on (default: ${DEFAULT-VALUE}). A non-loopback address needs TLS.")
    String listen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate (chain) to present instead of "
            + "the generated self-signed one; it is copied to DATA_DIR/tls/server.crt for the CLI.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert (unencrypted).")
    Path tlsKey;

    @Option(names = "--no-tls", description = "Serve plain HTTP (loopback addresses only, e.g. behind a TLS proxy).")
    boolean noTls;

    @Option(names = "--max-migrations", paramLabel = "N", defaultValue = "4",
            description = "Migrations this node runs at once (default: ${DEFAULT-VALUE}).")
    int maxMigrations;

    @Option(names = "--database-jobs", paramLabel = "N", defaultValue = "2",
            description = "Databases copied at once across all migrations (default: ${DEFAULT-VALUE}).")
    int databaseJobs;

    @Option(names = "--table-jobs", paramLabel = "N", defaultValue = "4",
            description = "Parallel COPY sessions per database (default: ${DEFAULT-VALUE}).")
    int tableJobs;

    @Option(names = "--index-jobs", paramLabel = "N", defaultValue = "2",
            description = "Parallel index builds per database (default: ${DEFAULT-VALUE}).")
    int indexJobs;

    @Option(names = RestartCommandPolicy.FLAG, description = "Let registered servers carry a restartCommand, which "
            + "the service runs (sh -c, as this OS user) to restart a source after turning on logical replication. "
            + "Off by default: anyone with the API token could then run shell commands on this host.")
    boolean allowRestartCommands;

    @Option(names = "--spool-limit", paramLabel = "SIZE", defaultValue = "64GiB", converter = ByteSize.class,
            description = "Most each online database's change spool may hold (default: ${DEFAULT-VALUE}). At the limit,"
                    + " or when the spool's disk has less than 256MiB free, capture pauses until applying has made room;"
                    + " the source keeps its WAL meanwhile.")
    long spoolLimit;

    @Option(names = "--store", paramLabel = "URI", description = "Keep the service's state in a PostgreSQL database, "
            + "named by a URI such as postgresql://user@host:5432/db?sslmode=require, instead of DATA_DIR/pgmigrate.db. Several serve "
            + "processes on one store are one service. The password comes from --store-password-file, PGPASSWORD or "
            + "~/.pgpass (PGPASSFILE), never from the URI.")
    String store;

    @Option(names = "--store-password-file", paramLabel = "FILE", description = "File holding the --store user's "
            + "password, alone on one line.")
    Path storePasswordFile;

    @Option(names = "--node-name", paramLabel = "NAME", description = "This node's name among the nodes of one store "
            + "(leases, metrics label, /healthz); unique per node and kept across restarts. Default: the host name and "
            + "a hash of the data dir.")
    String nodeName;

    @Override
    public Integer call() {
        Environment env = Environment.system();
        ServiceConfig config = config(DataDir.resolve(dataDir, env), env);
        ServiceWiring service;
        try {
            service = ServiceWiring.start(config);
        } catch (DataDirectoryException e) {
            throw new CliException(ExitCode.INVALID_INPUT, "The service did not start. " + e.getMessage() + ". Give a "
                    + "directory that the user '" + System.getProperty("user.name") + "' may create and write, with "
                    + "--data-dir or " + DataDirectory.ENV + ".", e);
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new CliException(ExitCode.FAILED, "The service did not start: " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } finally {
                stopped.countDown();
            }
        }, "pgmigrate-serve-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("pgmigrate service listening on " + service.endpoint() + " (data dir " + config.dataDirectory()
                + (config.store() == null ? "" : ", store " + config.store().describe() + ", node " + config.nodeName())
                + "). Stop it with Ctrl-C.");
        out.println("Web portal: " + service.portalAddress() + " (`pgmigrate portal` prints its sign-in link).");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCode.OK;
    }

    /** Validates the options into the service's configuration; a bad option is an IllegalArgumentException. */
    ServiceConfig config(DataDir dir, Environment env) {
        ServiceConfig config = ServiceConfig.defaults(new DataDirectory(dir.path())).withListen(listen)
                .withJobLimits(new JobLimits(maxMigrations, databaseJobs, tableJobs, indexJobs))
                .withToolSearchPath(ToolDirectories.from(env))
                .withRestartCommands(allowRestartCommands ? RestartCommandPolicy.ALLOWED : RestartCommandPolicy.REFUSED)
                .withReplicationLimits(ReplicationLimits.DEFAULT.withSpoolLimit(spoolLimit))
                .withNodeName(nodeName);
        if (store != null) {
            config = config.withStore(storeLocation(env));
        } else if (storePasswordFile != null) {
            throw new IllegalArgumentException("--store-password-file needs --store (the default SQLite store has no "
                    + "password).");
        }
        if (noTls) {
            return config.withoutTls();
        }
        if (tlsCert != null || tlsKey != null) {
            return config.withTls(tlsCert, tlsKey);
        }
        return config;
    }

    /** --store with its password: the file, else PGPASSWORD, else none (pgjdbc then reads ~/.pgpass or PGPASSFILE). */
    private StoreLocation storeLocation(Environment env) {
        StoreLocation location = StoreLocation.parse(store);
        if (storePasswordFile != null) {
            return location.withPassword(PasswordFile.read("--store-password-file", storePasswordFile,
                    spec.commandLine().getErr()));
        }
        return env.get("PGPASSWORD").filter(p -> !p.isEmpty()).map(location::withPassword).orElse(location);
    }
}
