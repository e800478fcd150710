package org.pgmigrate.engine.copy;

import org.pgmigrate.engine.catalog.Table;

/**
 * One unit of the copy queue: a whole table, or a key or ctid range of one.
 *
 * @param predicate the rows of this part (a SQL condition on the table), or null for the whole table
 * @param estimatedBytes orders the queue, largest first
 */
public record TablePart(Table table, int number, int of, String predicate, long estimatedBytes) {

    /**
     * A whole table loads with TRUNCATE + COPY FREEZE in one transaction: redoing it after a crash is harmless, and
     * frozen rows spare the target a later anti-wraparound rewrite (a small table the target proves empty takes a
     * plain COPY on its first attempt instead: {@link EmptyTargetTables}). An extension's configuration table must
     * keep the rows CREATE EXTENSION made, so it is never truncated.
     */
    boolean truncateAndFreeze() {
        return predicate == null && table.extensionFilter() == null;
    }

    /** The condition selecting this part's rows, combining the range and an extension's filter; null for all rows. */
    String condition() {
        String filter = table.extensionFilter() == null ? null : stripWhere(table.extensionFilter());
        if (predicate == null) {
            return filter;
        }
        return filter == null ? predicate : "(" + predicate + ") AND (" + filter + ")";
    }

    /** e.g. {@code public.orders} or {@code public.orders part 3/12}. */
    public String describe() {
        return of == 1 ? table.displayName() : table.displayName() + " part " + number + "/" + of;
    }

    private static String stripWhere(String condition) {
        String c = condition.strip();
        return c.regionMatches(true, 0, "WHERE ", 0, 6) ? c.substring(6) : c;
    }
}
