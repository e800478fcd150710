package org.pgmigrate.engine.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.pg.ServerVersion;

/**
 * The PostgreSQL client tools (pg_dump, pg_restore, pg_dumpall) of one installation. pg_dump must be at least as
 * new as the server it dumps, so {@link #forSource} picks the newest installation whose major is at least the
 * source's, searching {@code /usr/lib/postgresql/N/bin} and the directories the caller passes (the CLI and the
 * service pass {@code PGMIGRATE_PG_BIN_DIR}'s, then PATH's). Only
 * absolute directories count: a relative PATH entry ({@code .}, {@code bin}, or the empty entry, which means the
 * current directory) would run whatever pg_dump the current directory holds.
 *
 * @param major the tools' major version
 */
public record PgTools(Path binDir, int major, String version) {

    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(\\.\\d+)?");

    public Path pgDump() {
        return binDir.resolve("pg_dump");
    }

    public Path pgRestore() {
        return binDir.resolve("pg_restore");
    }

    public Path pgDumpAll() {
        return binDir.resolve("pg_dumpall");
    }

    /**
     * Finds tools for a migration, or explains what to install. pg_dump must be at least as new as the source, and
     * pg_restore writes what its own major knows into the target's sessions (pg_restore 17 sets
     * {@code transaction_timeout}, which a 16 target refuses): so the newest installation between the source's major
     * and the target's is taken. With none in that range the migration is refused, before anything is written, with
     * what to install.
     */
    public static PgTools forMigration(ServerVersion source, ServerVersion target, List<Path> searchPath) {
        // A 9.x source needs a pg_dump of 10 or newer here: the tools' major is one number, and pg_dump 15 to 18 read
        // servers back to 9.2.
        int needed = Math.max(source.major(), 10);
        int newest = Math.max(target.major(), needed);
        List<PgTools> found = discover(searchPath);
        // On a tie the later one wins: the directories the user named come after /usr/lib/postgresql/N/bin.
        Optional<PgTools> best = found.stream().filter(t -> t.major >= needed && t.major <= newest)
                .reduce((a, b) -> b.major >= a.major ? b : a);
        if (best.isPresent()) {
            return best.get();
        }
        String seen = found.isEmpty() ? "none was found"
                : "found only " + found.stream().map(t -> t.version + " (" + t.pgDump() + ")").toList();
        String range = needed == newest ? Integer.toString(needed) : needed + " to " + newest;
        throw new EngineException(EngineError.NO_SUITABLE_PG_DUMP, "The source runs PostgreSQL " + source
                + " and the target " + target + ", which need pg_dump and pg_restore " + range + " (not older than the"
                + " source, not newer than the target, whose sessions refuse a newer pg_restore's settings); " + seen
                + ". Install postgresql-client-" + newest + " (Debian and Ubuntu: from apt.postgresql.org, which"
                + " puts it in /usr/lib/postgresql/" + newest + "/bin), or name the bin directory of one in"
                + " PGMIGRATE_PG_BIN_DIR or on PATH.");
    }

    /** Every installation with pg_dump and pg_restore side by side, each reported once. */
    public static List<PgTools> discover(List<Path> searchPath) {
        Set<Path> dirs = new LinkedHashSet<>();
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
                for (Path v : versions) {
                    dirs.add(v.resolve("bin"));
                }
            } catch (IOException ignored) {
                // unreadable: fall back to the search path
            }
        }
        searchPath.stream().filter(Path::isAbsolute).forEach(dirs::add);
        List<PgTools> tools = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path dir : dirs) {
            Path dump = dir.resolve("pg_dump");
            if (!Files.isExecutable(dump) || !Files.isExecutable(dir.resolve("pg_restore"))) {
                continue;
            }
            Path real;
            try {
                real = dump.toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (!seen.add(real)) {
                continue;
            }
            // Debian's /usr/bin/pg_dump is a wrapper script; the real binary's directory is what we want.
            Path binDir = real.getParent();
            if (!Files.isExecutable(binDir.resolve("pg_restore"))) {
                binDir = dir;
            }
            versionOf(binDir.resolve("pg_dump")).ifPresent(v -> tools.add(v));
        }
        return tools;
    }

    private static Optional<PgTools> versionOf(Path pgDump) {
        try {
            Process p = new ProcessBuilder(pgDump.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = VERSION.matcher(out);
            if (p.exitValue() != 0 || !m.find()) {
                return Optional.empty();
            }
            return Optional.of(new PgTools(pgDump.getParent(), Integer.parseInt(m.group(1)), out.trim()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
