package org.pgmigrate.engine.cdc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What pgmigrate changed, or is about to change, on one source database or server, with what was there before, so
 * that it can be undone: the replication slot and publication (by name), the tables whose replica identity it set
 * to FULL (with their earlier identity), and the server settings it changed with {@code ALTER SYSTEM} (with what
 * {@code postgresql.auto.conf} held before). It is written to a {@link SourceChangeLog} <em>before</em> each change
 * is made, so a crash between the change and the record cannot lose it; undoing it is {@link SourceUndo}'s job.
 * Immutable.
 *
 * <p>{@link #encode()} gives one line of text (names may hold any character: tabs, newlines, spaces and backslashes
 * are escaped), which {@link #decode} reads back: entries separated by spaces, their fields by tabs.
 *
 * @param slot        the logical slot's name, or null
 * @param publication the publication's name, or null
 */
public record SourceChanges(String slot, String publication, List<ReplicaIdentityChange> replicaIdentities,
                            List<SettingChange> settings) {

    /** Nothing recorded. */
    public static final SourceChanges NONE = new SourceChanges(null, null, List.of(), List.of());

    private static final String HEADER = "pgmigrate-source-changes/1";
    private static final String NULL = "\\N";

    /**
     * A table whose replica identity pgmigrate set to FULL.
     *
     * @param tableOid      the table's OID, which finds it again even if it is renamed (a table dropped and created
     *                      again has another OID and is left alone)
     * @param table         its schema-qualified, quoted name when recorded, for messages
     * @param previous      its {@code relreplident} before: {@code d} (default), {@code n} (nothing) or {@code i}
     *                      (an index)
     * @param previousIndex the quoted name of the replica identity index (same schema as the table) when
     *                      {@code previous} is {@code i} and that index existed, else null
     */
    public record ReplicaIdentityChange(long tableOid, String table, char previous, String previousIndex) {
        public ReplicaIdentityChange {
            Objects.requireNonNull(table, "table");
            if ("dni".indexOf(previous) < 0) {
                throw new IllegalArgumentException("previous replica identity must be d, n or i, was " + previous);
            }
        }
    }

    /**
     * A server setting pgmigrate changed with {@code ALTER SYSTEM SET name = value}.
     *
     * @param previous      what {@code postgresql.auto.conf} held for it before, or null when it held nothing
     * @param previousKnown false when pgmigrate could not read {@code postgresql.auto.conf}'s entries
     *                      ({@code pg_file_settings}); it then cannot restore the setting by itself
     */
    public record SettingChange(String name, String previous, boolean previousKnown, String value) {
        public SettingChange {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public SourceChanges {
        replicaIdentities = List.copyOf(replicaIdentities);
        settings = List.copyOf(settings);
    }

    public boolean isEmpty() {
        return slot == null && publication == null && replicaIdentities.isEmpty() && settings.isEmpty();
    }

    public SourceChanges withReplication(String slotName, String publicationName) {
        return new SourceChanges(slotName, publicationName, replicaIdentities, settings);
    }

    public SourceChanges withoutSlot() {
        return new SourceChanges(null, publication, replicaIdentities, settings);
    }

    public SourceChanges withoutPublication() {
        return new SourceChanges(slot, null, replicaIdentities, settings);
    }

    /**
     * Adds tables; a table recorded already keeps its first entry, which holds the identity it had before pgmigrate
     * first touched it (a later attempt sees FULL, which pgmigrate set).
     */
    public SourceChanges withReplicaIdentities(List<ReplicaIdentityChange> added) {
        Map<Long, ReplicaIdentityChange> merged = new LinkedHashMap<>();
        for (ReplicaIdentityChange c : replicaIdentities) {
            merged.put(c.tableOid(), c);
        }
        for (ReplicaIdentityChange c : added) {
            merged.putIfAbsent(c.tableOid(), c);
        }
        return new SourceChanges(slot, publication, new ArrayList<>(merged.values()), settings);
    }

    public SourceChanges withoutReplicaIdentities(Set<Long> tableOids) {
        return new SourceChanges(slot, publication,
                replicaIdentities.stream().filter(c -> !tableOids.contains(c.tableOid())).toList(), settings);
    }

    /** Adds settings; a setting recorded already keeps its first entry (the value from before pgmigrate). */
    public SourceChanges withSettings(List<SettingChange> added) {
        Map<String, SettingChange> merged = new LinkedHashMap<>();
        for (SettingChange s : settings) {
            merged.put(s.name(), s);
        }
        for (SettingChange s : added) {
            SettingChange earlier = merged.get(s.name());
            merged.put(s.name(), earlier == null ? s
                    : new SettingChange(s.name(), earlier.previous(), earlier.previousKnown(), s.value()));
        }
        return new SourceChanges(slot, publication, replicaIdentities, new ArrayList<>(merged.values()));
    }

    public SourceChanges withoutSettings(Set<String> names) {
        return new SourceChanges(slot, publication, replicaIdentities,
                settings.stream().filter(s -> !names.contains(s.name())).toList());
    }

    /** The one-line text form {@link #decode} reads. */
    public String encode() {
        StringBuilder s = new StringBuilder(HEADER);
        if (slot != null) {
            line(s, "slot", slot);
        }
        if (publication != null) {
            line(s, "publication", publication);
        }
        for (ReplicaIdentityChange c : replicaIdentities) {
            line(s, "identity", Long.toString(c.tableOid()), String.valueOf(c.previous()), c.table(), c.previousIndex());
        }
        for (SettingChange c : settings) {
            line(s, "setting", c.name(), c.previous(), c.previousKnown() ? "t" : "f", c.value());
        }
        return s.toString();
    }

    /** Reads what {@link #encode()} wrote; throws {@link IllegalArgumentException} on anything else. */
    public static SourceChanges decode(String text) {
        String[] lines = text.split(" ", -1);
        if (lines.length == 0 || !lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("Not a record of source changes: it does not start with '" + HEADER + "'");
        }
        String slot = null;
        String publication = null;
        List<ReplicaIdentityChange> identities = new ArrayList<>();
        List<SettingChange> settings = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            List<String> f = fields(lines[i]);
            switch (f.get(0)) {
                case "slot" -> slot = field(f, 1, 2);
                case "publication" -> publication = field(f, 1, 2);
                case "identity" -> {
                    String previous = field(f, 2, 5);
                    if (previous == null || previous.length() != 1) {
                        throw new IllegalArgumentException("Bad replica identity in entry " + (i + 1));
                    }
                    identities.add(new ReplicaIdentityChange(Long.parseLong(field(f, 1, 5)), field(f, 3, 5),
                            previous.charAt(0), field(f, 4, 5)));
                }
                case "setting" -> settings.add(new SettingChange(field(f, 1, 5), field(f, 2, 5),
                        "t".equals(field(f, 3, 5)), field(f, 4, 5)));
                default -> throw new IllegalArgumentException("Unknown entry '" + f.get(0) + "' at " + (i + 1));
            }
        }
        return new SourceChanges(slot, publication, identities, settings);
    }

    private static void line(StringBuilder s, String kind, String... values) {
        s.append(' ').append(kind);
        for (String v : values) {
            s.append('\t').append(v == null ? NULL : escape(v));
        }
    }

    private static String field(List<String> fields, int index, int expected) {
        if (fields.size() != expected) {
            throw new IllegalArgumentException("Entry '" + fields.get(0) + "' has " + fields.size() + " fields, expected "
                    + expected);
        }
        return fields.get(index);
    }

    private static String escape(String v) {
        StringBuilder s = new StringBuilder(v.length());
        for (char c : v.toCharArray()) {
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\t' -> s.append("\\t");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case ' ' -> s.append("\\s");
                default -> s.append(c);
            }
        }
        return s.toString();
    }

    /** Splits on tabs and unescapes; {@code \N} alone is null (a real "\N" was written as "\\N"). */
    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        for (String raw : line.split("\t", -1)) {
            if (raw.equals(NULL)) {
                out.add(null);
                continue;
            }
            StringBuilder s = new StringBuilder(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c != '\\') {
                    s.append(c);
                    continue;
                }
                if (++i >= raw.length()) {
                    throw new IllegalArgumentException("Dangling escape in '" + raw + "'");
                }
                switch (raw.charAt(i)) {
                    case '\\' -> s.append('\\');
                    case 't' -> s.append('\t');
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 's' -> s.append(' ');
                    default -> throw new IllegalArgumentException("Unknown escape \\" + raw.charAt(i) + " in '" + raw + "'");
                }
            }
            out.add(s.toString());
        }
        return out;
    }
}
