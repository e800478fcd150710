package org.pgmigrate.engine.verify;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pgmigrate.engine.verify.SchemaDefinitions.Definition;

/**
 * Compares two databases' {@link SchemaDefinitions} by kind and name and names what differs: "missing on the target:
 * index shop.orders_customer (CREATE INDEX ...)", "index shop.orders_customer: source CREATE INDEX ... (customer_id),
 * target CREATE INDEX ... (customer_id, placed_at)". What belongs to an object that is missing on one side (the columns
 * of a missing table) is not listed again. Stateless.
 */
final class SchemaComparison {

    /** Differences listed one by one; the rest are counted, so that a missing schema of 2000 tables stays readable. */
    static final int MAX_LISTED = 100;
    /** Longer or multi-line definitions are shown by their first differing line. */
    private static final int INLINE = 300;
    private static final int EXCERPT = 160;

    /**
     * @param differences what differs, one sentence each
     * @param notes       printed definitions that differ between servers of different major versions: each major
     *                    prints some objects in its own way, so these do not make the databases differ
     */
    record Result(List<String> differences, List<String> notes) {
    }

    private SchemaComparison() {
    }

    static Result compare(Map<String, Definition> source, Map<String, Definition> target, int sourceMajor,
                          int targetMajor) {
        Set<String> keys = new LinkedHashSet<>(source.keySet());
        keys.addAll(target.keySet());
        List<String> differences = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int unlisted = 0;
        for (String key : keys) {
            Definition s = source.get(key);
            Definition t = target.get(key);
            if (!ownersOnBothSides(s != null ? s : t, source, target)) {
                continue;
            }
            String difference;
            if (t == null) {
                difference = "missing on the target: " + s.key() + detail(s);
            } else if (s == null) {
                difference = "only on the target: " + t.key() + detail(t);
            } else if (s.definition().equals(t.definition())) {
                continue;
            } else if (s.printed() && sourceMajor != targetMajor && asPrinted(s).equals(asPrinted(t))) {
                continue;
            } else if (s.printed() && sourceMajor != targetMajor) {
                notes.add(s.key() + ": PostgreSQL " + sourceMajor + " (source) and " + targetMajor + " (target) print"
                        + " it differently, not counted as a difference: " + describe(s, t));
                continue;
            } else {
                difference = s.kind().equals("large objects") ? "large objects: " + s.definition()
                        + " on the source, " + t.definition() + " on the target" : s.key() + ": " + describe(s, t);
            }
            if (differences.size() < MAX_LISTED) {
                differences.add(difference);
            } else {
                unlisted++;
            }
        }
        if (unlisted > 0) {
            differences.add("... and " + unlisted + " more difference" + (unlisted == 1 ? "" : "s"));
        }
        return new Result(differences, notes);
    }

    /**
     * A printed definition without what majors print in their own way for the same parse tree: layout (a view's
     * query is re-indented between majors), a trailing semicolon, and blanks inside parentheses. (PostgreSQL 11's
     * {@code EXECUTE PROCEDURE} in a trigger is read as {@code EXECUTE FUNCTION} already.) Only used between
     * different majors: on one major, the object pg_restore made prints exactly as the source's.
     */
    static String asPrinted(Definition d) {
        String s = d.definition().replaceAll("\\s+", " ").strip();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).stripTrailing();
        }
        return s.replace("( ", "(").replace(" )", ")");
    }

    /** Whether the object {@code d} belongs to (and the one that belongs to, and so on) exists on both sides. */
    private static boolean ownersOnBothSides(Definition d, Map<String, Definition> source,
                                             Map<String, Definition> target) {
        for (String owner = d.owner(); owner != null; ) {
            Definition s = source.get(owner);
            if (s == null || !target.containsKey(owner)) {
                return false;
            }
            owner = s.owner();
        }
        return true;
    }

    private static String detail(Definition d) {
        String def = d.definition();
        if (d.kind().equals("large objects")) {
            return " (" + def + ")";
        }
        return def.isEmpty() ? "" : " (" + excerpt(def.strip().replaceAll("\\s+", " "), 0) + ")";
    }

    /** "source X, target Y", or for long definitions the first line where they part. */
    static String describe(Definition s, Definition t) {
        String a = s.definition();
        String b = t.definition();
        if (a.length() <= INLINE && b.length() <= INLINE && a.indexOf('\n') < 0 && b.indexOf('\n') < 0) {
            return "source " + a + ", target " + b;
        }
        String[] left = a.split("\n", -1);
        String[] right = b.split("\n", -1);
        int line = 0;
        while (line < left.length && line < right.length && left[line].equals(right[line])) {
            line++;
        }
        String l = line < left.length ? left[line] : "";
        String r = line < right.length ? right[line] : "";
        int at = 0;
        while (at < l.length() && at < r.length() && l.charAt(at) == r.charAt(at)) {
            at++;
        }
        return "they differ from line " + (line + 1) + " on (" + left.length + " lines on the source, " + right.length
                + " on the target): source " + quoted(line < left.length ? excerpt(l, at) : null) + ", target "
                + quoted(line < right.length ? excerpt(r, at) : null);
    }

    private static String quoted(String line) {
        return line == null ? "(no such line)" : "'" + line + "'";
    }

    /** At most {@link #EXCERPT} characters of {@code line}, around position {@code at}. */
    private static String excerpt(String line, int at) {
        String s = line.strip();
        at = Math.max(0, Math.min(s.length(), at - (line.length() - line.stripLeading().length())));
        if (s.length() <= EXCERPT) {
            return s;
        }
        int from = Math.max(0, Math.min(at - EXCERPT / 4, s.length() - EXCERPT));
        return (from > 0 ? "..." : "") + s.substring(from, from + EXCERPT) + (from + EXCERPT < s.length() ? "..." : "");
    }
}
