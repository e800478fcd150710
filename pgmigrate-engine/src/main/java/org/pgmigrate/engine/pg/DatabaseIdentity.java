package org.pgmigrate.engine.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * What a database is, as opposed to how it was named: the cluster's {@code system_identifier} (from
 * {@code pg_control_system()}, PostgreSQL 9.6+), the running server's postmaster start time, and the database's OID.
 *
 * <p>Host names cannot tell two servers apart: {@code localhost} and {@code 127.0.0.1}, a DNS alias, a proxy or a
 * second registered name all reach one server, and a user who names the source twice would have pgmigrate drop the
 * source database. The system identifier alone is not enough either: a physical standby, or a server restored from
 * a base backup, shares it (and the database OIDs) with its origin. So:
 * <ul>
 *   <li>{@link #sameServer}: same system identifier and same postmaster start time, which only one running server
 *       has (a server older than 9.6 is compared by start time and port);</li>
 *   <li>{@link #sameDatabaseAs}: same server and same database OID;</li>
 *   <li>{@link #persistentKey}: system identifier and OID, which survive restarts; what a resumed run compares with
 *       what the first run recorded.</li>
 * </ul>
 *
 * @param systemIdentifier the cluster's identifier, or null on a server older than 9.6
 * @param startedAt        {@code pg_postmaster_start_time()} as text (microseconds, UTC)
 * @param port             the port the server listens on, as the server reports it
 * @param databaseOid      the OID of the connection's database
 * @param database         the database's name, for messages
 */
public record DatabaseIdentity(String systemIdentifier, String startedAt, int port, long databaseOid, String database) {

    /** Reads the identity of the database {@code c} is connected to. */
    public static DatabaseIdentity of(Connection c) throws SQLException {
        String sysid = ServerVersion.of(c).number() >= 90600
                ? "(SELECT system_identifier FROM pg_catalog.pg_control_system())::text" : "NULL::text";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + sysid + ","
                + " pg_catalog.to_char(pg_catalog.pg_postmaster_start_time() AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD HH24:MI:SS.US'), pg_catalog.current_setting('port')::int, d.oid, d.datname"
                + " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()")) {
            rs.next();
            return new DatabaseIdentity(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4), rs.getString(5));
        }
    }

    /** The OID of {@code name} on the server {@code c} is connected to, if that database exists. */
    public static Optional<Long> oidOf(Connection c, String name) throws SQLException {
        try (var ps = c.prepareStatement("SELECT oid FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    /** True when both identities come from one running server (one cluster), whatever names reached it. */
    public boolean sameServer(DatabaseIdentity other) {
        if (systemIdentifier != null && other.systemIdentifier != null
                && !systemIdentifier.equals(other.systemIdentifier)) {
            return false;
        }
        return startedAt.equals(other.startedAt) && port == other.port;
    }

    /** True when both are the same database of the same running server. */
    public boolean sameDatabaseAs(DatabaseIdentity other) {
        return sameServer(other) && databaseOid == other.databaseOid;
    }

    /** True when database {@code oid} of the server that {@code server} identifies is this database. */
    public boolean isDatabase(DatabaseIdentity server, long oid) {
        return sameServer(server) && databaseOid == oid;
    }

    /**
     * {@code <system identifier>/<database OID>}: stable across restarts, so a resumed migration can prove that the
     * target database is still the one it created. Null-safe for servers older than 9.6 ({@code ?/<oid>}).
     */
    public String persistentKey() {
        return (systemIdentifier == null ? "?" : systemIdentifier) + "/" + databaseOid;
    }
}
