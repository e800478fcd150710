package org.pgmigrate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pgmigrate.engine.pg.PgEndpoint;
import picocli.CommandLine.Option;

/**
 * {@code --source} and {@code --target}, and the files that may hold their passwords: shared by {@code clone} and
 * {@code verify}. A password written in a connection string is accepted, with a warning: every user of the machine
 * sees it in the process list, and it stays in the shell history.
 */
public final class ConnectionOptions {

    @Option(names = "--source", required = true, paramLabel = "URI",
            // The URI on a line of its own: picocli breaks lines after a colon, and would split it wherever a
            // command's option column (the width of its longest option name) leaves it at the end of a line.
            description = {"Source connection: a libpq URI or conninfo string. PGHOST, PGPORT, PGUSER, PGPASSWORD,"
                    + " PGDATABASE and ~/.pgpass fill what is missing. A URI looks like:",
                "postgresql://user@host:5432/db?sslmode=require"})
    String source;

    @Option(names = "--target", required = true, paramLabel = "URI", description = "Target connection, same forms.")
    String target;

    @Option(names = "--source-password-file", paramLabel = "FILE",
            description = "Read the source password from this file (the password alone; a trailing newline is"
                    + " ignored; keep it chmod 600). Keeps the password out of the process list and shell history.")
    Path sourcePasswordFile;

    @Option(names = "--target-password-file", paramLabel = "FILE",
            description = "Read the target password from this file, likewise.")
    Path targetPasswordFile;

    /** The two servers, with their passwords. */
    public record Servers(PgEndpoint source, PgEndpoint target) {
    }

    /** Parses both connections, reads the password files, and warns once on {@code err} about exposed passwords. */
    public Servers resolve(PrintWriter err) {
        PgEndpoint from = endpoint("--source", source, "--source-password-file", sourcePasswordFile, err);
        PgEndpoint to = endpoint("--target", target, "--target-password-file", targetPasswordFile, err);
        List<String> exposed = new ArrayList<>();
        if (Endpoints.writesPassword(source)) {
            exposed.add("--source");
        }
        if (Endpoints.writesPassword(target)) {
            exposed.add("--target");
        }
        if (!exposed.isEmpty()) {
            boolean both = exposed.size() == 2;
            err.println("WARNING: the password" + (both ? "s" : "") + " in " + String.join(" and ", exposed)
                    + (both ? " are" : " is") + " visible to every user of this machine in the process list (ps), and"
                    + " stay" + (both ? "" : "s") + " in your shell history. Give " + (both ? "them" : "it")
                    + " with PGPASSWORD, ~/.pgpass or " + String.join(" / ", exposed.stream().map(o -> o + "-password-file")
                    .toList()) + " instead.");
            err.flush();
        }
        return new Servers(from, to);
    }

    private static PgEndpoint endpoint(String option, String value, String fileOption, Path file, PrintWriter err) {
        PgEndpoint endpoint = Endpoints.parse(option, value);
        if (file == null) {
            return endpoint;
        }
        if (Endpoints.writesPassword(value)) {
            throw CliException.invalidInput(option + " has a password and " + fileOption + " gives one too: keep only"
                    + " the file (and take the password out of " + option + ").");
        }
        return endpoint.withCredentials(endpoint.user(), PasswordFile.read(fileOption, file, err));
    }
}
