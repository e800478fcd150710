package org.pgmigrate.engine.schema;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code pg_restore --list}: {@code 3385; 1259 16420 INDEX public t_idx postgres}. The object OID is the
 * source's, which is how the engine matches entries with what it read from the catalog.
 *
 * @param rest the description, namespace, name and owner, as printed
 */
record TocEntry(String line, int dumpId, long catalogOid, long objectOid, String rest) {

    private static final Pattern LINE = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.*)$");

    static Optional<TocEntry> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new TocEntry(line, Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)),
                Long.parseLong(m.group(3)), m.group(4)));
    }

    boolean is(String description) {
        return rest.startsWith(description + " ");
    }
}
