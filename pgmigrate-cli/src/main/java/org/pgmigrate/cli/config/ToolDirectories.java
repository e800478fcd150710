package org.pgmigrate.cli.config;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the engine looks for pg_dump, pg_restore and pg_dumpall besides {@code /usr/lib/postgresql/N/bin}: the
 * directories of {@code PGMIGRATE_PG_BIN_DIR} (for tools installed anywhere else, such as a pg_dump 18 unpacked in a
 * home directory), then those of PATH. The engine takes the newest installation that can read the source, and only
 * absolute directories.
 */
public final class ToolDirectories {

    public static final String ENV = "PGMIGRATE_PG_BIN_DIR";

    private ToolDirectories() {
    }

    public static List<Path> from(Environment env) {
        List<Path> dirs = new ArrayList<>();
        addAll(dirs, env.get(ENV).orElse(""));
        addAll(dirs, env.get("PATH").orElse(""));
        return dirs;
    }

    private static void addAll(List<Path> dirs, String list) {
        for (String entry : list.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry.trim()));
            }
        }
    }
}
