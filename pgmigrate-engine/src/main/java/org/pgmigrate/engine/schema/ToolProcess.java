package org.pgmigrate.engine.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.pgmigrate.engine.Cancellation;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * Runs one pg_dump / pg_restore / pg_dumpall process. The password travels in the child's environment
 * (PGPASSWORD), never on its command line, which every user of the machine can read (ps, /proc/PID/cmdline): a
 * command whose connection string holds a password is refused here, whoever built it. The last lines of the
 * child's stderr become the error message; a cancellation destroys it.
 */
public final class ToolProcess {

    private static final int KEPT_ERROR_LINES = 15;

    private ToolProcess() {
    }

    /** Runs the command to completion and returns its stdout. */
    public static String run(List<String> command, PgEndpoint credentials, Cancellation cancel, EngineError onFailure,
                      String what) {
        return run(command, credentials, List.of(), cancel, onFailure, what);
    }

    /**
     * Runs the command to completion and returns its stdout; its sessions start with {@code sessionSettings}
     * ({@code name=value}, through libpq's PGOPTIONS, after any the environment already has; an {@code options}
     * parameter of the connection string wins over them).
     */
    public static String run(List<String> command, PgEndpoint credentials, List<String> sessionSettings,
                             Cancellation cancel, EngineError onFailure, String what) {
        refusePasswordIn(command);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        if (!sessionSettings.isEmpty()) {
            StringBuilder options = new StringBuilder(env.getOrDefault("PGOPTIONS", ""));
            for (String setting : sessionSettings) {
                options.append(options.isEmpty() ? "" : " ").append("-c ").append(setting);
            }
            env.put("PGOPTIONS", options.toString());
        }
        // Why the environment and not a temporary 0600 passfile (PGPASSFILE): on Linux /proc/PID/environ is readable
        // only by the child's own user (and root), exactly who could read a 0600 file, so a file protects no better;
        // but a file outlives a kill -9 or a power cut, leaving the password on disk in the clear, where the service
        // otherwise keeps it only sealed (AES-GCM). The environment dies with the process.
        env.remove("PGPASSWORD");
        if (credentials.password() != null) {
            env.put("PGPASSWORD", credentials.password());
        }
        env.put("PGAPPNAME", applicationName(command.get(0).substring(command.get(0).lastIndexOf('/') + 1)));
        env.put("PGCONNECT_TIMEOUT", "15");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new EngineException(onFailure, "Cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        Runnable unregister = cancel.onCancel(process::destroy);
        try {
            process.getOutputStream().close();
            StreamTail stderr = new StreamTail(process.getErrorStream());
            Thread errReader = new Thread(stderr, "pgmigrate-" + what + "-stderr");
            errReader.setDaemon(true);
            errReader.start();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            errReader.join();
            cancel.throwIfCanceled();
            if (exit != 0) {
                throw new EngineException(onFailure, what + " failed (" + command.get(0) + " exit code " + exit + "):\n"
                        + stderr.text());
            }
            return stdout;
        } catch (IOException e) {
            throw new EngineException(onFailure, what + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new EngineException(EngineError.CANCELED, what + " was interrupted", e);
        } finally {
            unregister.run();
        }
    }

    /**
     * The application_name a tool's sessions carry ({@code pgmigrate-pg_restore}): how a resumed run finds the
     * sessions of a pg_restore that outlived its killed parent (a kill -9 does not reach the children).
     */
    public static String applicationName(String tool) {
        return "pgmigrate-" + tool;
    }

    /**
     * A guard against bugs: a connection string argument ({@code --dbname=...}) must not carry a password. One that
     * cannot be read back is refused too, since then nobody can tell.
     */
    static void refusePasswordIn(List<String> command) {
        for (String argument : command) {
            if (argument.startsWith("--dbname=") && mayHoldPassword(argument.substring("--dbname=".length()))) {
                throw new IllegalStateException("Refusing to start " + command.get(0) + " with a password in its command"
                        + " line (a bug in pgmigrate: the password belongs in the child's environment)");
            }
        }
    }

    private static boolean mayHoldPassword(String connectionString) {
        try {
            return PgEndpoint.holdsPassword(connectionString);
        } catch (IllegalArgumentException unreadable) {
            return true;
        }
    }

    /** Keeps the last lines of a stream, so that a chatty tool cannot fill memory. */
    private static final class StreamTail implements Runnable {
        private final InputStream in;
        private final Deque<String> lines = new ArrayDeque<>();

        StreamTail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.addLast(line);
                        if (lines.size() > KEPT_ERROR_LINES) {
                            lines.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process died; what we have is what it said
            }
        }

        String text() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
