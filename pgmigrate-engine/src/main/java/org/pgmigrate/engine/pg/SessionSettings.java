package org.pgmigrate.engine.pg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings every pgmigrate session starts with, on both servers and for every role, sent in the startup packet
 * ({@code options=-c name=value ...}) so that they apply before the first statement and win over
 * {@code ALTER DATABASE/ROLE ... SET}, which the source's owner controls and which the target inherits from it.
 *
 * <p>Why each one:
 * <ul>
 *   <li>{@code search_path=pg_catalog,pg_temp}: a function or operator the database owner planted in {@code public}
 *       (CVE-2018-1058) can never be picked for an unqualified name in pgmigrate's SQL; {@code pg_temp} is listed last
 *       so that it is not implicitly searched first for relations, and it is never searched for functions.</li>
 *   <li>{@code DateStyle}, {@code IntervalStyle}, {@code extra_float_digits}, {@code bytea_output},
 *       {@code lc_monetary}, {@code xmloption}: the text form of values, which a text COPY prints on one server and
 *       parses on the other, and which verification hashes on both. A database set to {@code DateStyle='SQL, DMY'}
 *       or {@code extra_float_digits=-15} would otherwise swap days and months or round floats on the way.</li>
 *   <li>{@code standard_conforming_strings=on}, {@code array_nulls=on}, {@code transform_null_equals=off}: the
 *       meaning of the literals and array texts that pgmigrate builds ({@link Identifiers#literal}).</li>
 *   <li>{@code row_security=off}: a table with row-level security that applies to the migration user makes its
 *       COPY fail loudly instead of silently returning a subset of the rows (pg_dump does the same).</li>
 *   <li>{@code default_tablespace}, {@code default_transaction_read_only}, {@code statement_timeout},
 *       {@code lock_timeout}: objects land where their definition says, and no inherited setting makes a long COPY
 *       or index build fail; statements that need a limit set it themselves.</li>
 * </ul>
 * Every parameter exists from PostgreSQL 9.5 on and may be set by any user. {@code TimeZone} is not among them:
 * pgjdbc sends the JVM's zone in its own startup parameter, which wins, and a timestamptz's text carries its offset
 * anyway; sessions whose text output is compared across servers set UTC themselves
 * ({@code snapshot.DatabaseSessions}).
 */
public final class SessionSettings {

    private static final Map<String, String> PINNED = pinned();

    private SessionSettings() {
    }

    private static Map<String, String> pinned() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("search_path", "pg_catalog,pg_temp");
        m.put("DateStyle", "ISO,MDY");
        m.put("IntervalStyle", "postgres");
        m.put("extra_float_digits", "3");
        m.put("bytea_output", "hex");
        m.put("lc_monetary", "C");
        m.put("xmloption", "content");
        m.put("standard_conforming_strings", "on");
        m.put("array_nulls", "on");
        m.put("transform_null_equals", "off");
        m.put("row_security", "off");
        m.put("default_tablespace", "");
        m.put("default_transaction_read_only", "off");
        m.put("statement_timeout", "0");
        m.put("lock_timeout", "0");
        return Collections.unmodifiableMap(m);
    }

    /**
     * A statement that turns {@code idle_in_transaction_session_timeout} off for the transaction ({@code local}) or the
     * session. A query over pg_settings rather than SET: the parameter came with 9.6, and on 9.5, which has no such
     * timeout, there is nothing to turn off (SET would fail). Not pinned at startup for the same reason.
     */
    public static String idleInTransactionTimeoutOff(boolean local) {
        return "SELECT pg_catalog.set_config(name, '0', " + local + ") FROM pg_catalog.pg_settings"
                + " WHERE name = 'idle_in_transaction_session_timeout'";
    }

    /** The pinned parameters and their values, in the order they are sent. */
    public static Map<String, String> values() {
        return PINNED;
    }

    /**
     * The startup {@code options} value: the user's own options (from the connection string) first, then the pinned
     * settings, so that the pinned ones win where both name a parameter.
     */
    public static String startupOptions(String userOptions) {
        StringBuilder s = new StringBuilder();
        if (userOptions != null && !userOptions.isBlank()) {
            s.append(userOptions.strip());
        }
        PINNED.forEach((name, value) -> {
            if (!s.isEmpty()) {
                s.append(' ');
            }
            s.append("-c ").append(name).append('=').append(escape(value));
        });
        return s.toString();
    }

    /** The startup options syntax splits on spaces and takes a backslash as an escape. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace(" ", "\\ ");
    }
}
