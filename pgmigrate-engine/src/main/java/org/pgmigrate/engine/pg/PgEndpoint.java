package org.pgmigrate.engine.pg;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where and as whom to connect: one PostgreSQL server and database. Immutable.
 *
 * <p>{@link #parse} takes what libpq takes: a URI ({@code postgresql://user:pw@host:5432/db?sslmode=require}) or a
 * conninfo string ({@code host=h port=5432 dbname=db user=u}). Values it does not find come from the environment
 * map the caller passes ({@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD}, {@code PGDATABASE},
 * {@code PGSSLMODE}), then from libpq's defaults. The engine never reads the process environment itself.
 *
 * <p>{@link #toString()} masks the password; so does {@link #redacted()}.
 */
public record PgEndpoint(String host, int port, String database, String user, String password, SslMode sslMode,
                         Map<String, String> options) {

    public PgEndpoint {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
        }
        if (options.containsKey("password") || options.containsKey("passfile")) {
            // The password is a field of its own, kept out of every conninfo pgmigrate hands to a child process.
            throw new IllegalArgumentException("password is not an option: give it as the endpoint's password");
        }
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public static PgEndpoint parse(String text) {
        return parse(text, Map.of());
    }

    /** Parses a libpq URI or conninfo string; throws {@link IllegalArgumentException} naming the problem. */
    public static PgEndpoint parse(String text, Map<String, String> environment) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Empty connection string. Give a URI such as "
                    + "postgresql://user@host:5432/dbname or a conninfo string such as 'host=h dbname=d user=u'.");
        }
        Map<String, String> keywords = text.startsWith("postgresql://") || text.startsWith("postgres://")
                ? uriKeywords(text.trim()) : conninfoKeywords(text.trim());
        return fromKeywords(keywords, environment, text);
    }

    /**
     * True when a libpq connection string (URI or conninfo) carries a password, whatever other keywords it holds
     * (pgmigrate's own tool arguments add some that {@link #parse} does not take, such as client_encoding).
     * Throws {@link IllegalArgumentException} when it cannot be read.
     */
    public static boolean holdsPassword(String text) {
        String t = text.trim();
        Map<String, String> keywords = t.startsWith("postgresql://") || t.startsWith("postgres://")
                ? uriKeywords(t) : conninfoKeywords(t);
        return keywords.containsKey("password");
    }

    public PgEndpoint withDatabase(String otherDatabase) {
        return new PgEndpoint(host, port, otherDatabase, user, password, sslMode, options);
    }

    public PgEndpoint withCredentials(String otherUser, String otherPassword) {
        return new PgEndpoint(host, port, database, otherUser, otherPassword, sslMode, options);
    }

    public PgEndpoint withSslMode(SslMode mode) {
        return new PgEndpoint(host, port, database, user, password, mode, options);
    }

    /** host:port, for messages. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** A conninfo string for libpq tools (pg_dump, pg_restore) without the password, which goes in PGPASSWORD. */
    public String conninfoWithoutPassword() {
        StringBuilder s = new StringBuilder();
        append(s, "host", host);
        append(s, "port", Integer.toString(port));
        append(s, "dbname", database);
        append(s, "user", user);
        append(s, "sslmode", sslMode.libpqName());
        options.forEach((k, v) -> append(s, k, v));
        // The tools' sessions notice a dead server or link as soon as pgmigrate's own do (KeepaliveSocketFactory).
        append(s, "keepalives", "1");
        append(s, "keepalives_idle", Integer.toString(KeepaliveSocketFactory.IDLE_SECONDS));
        append(s, "keepalives_interval", Integer.toString(KeepaliveSocketFactory.INTERVAL_SECONDS));
        append(s, "keepalives_count", Integer.toString(KeepaliveSocketFactory.COUNT));
        return s.toString();
    }

    /** The URI form with the password masked; safe for logs and responses. */
    public String redacted() {
        return "postgresql://" + (user == null ? "" : user + (password == null ? "" : ":<masked>") + "@") + address()
                + "/" + (database == null ? "" : database) + "?sslmode=" + sslMode.libpqName();
    }

    @Override
    public String toString() {
        return redacted();
    }

    private static void append(StringBuilder s, String key, String value) {
        if (value == null) {
            return;
        }
        if (!s.isEmpty()) {
            s.append(' ');
        }
        s.append(key).append("='").append(value.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
    }

    private static PgEndpoint fromKeywords(Map<String, String> k, Map<String, String> env, String original) {
        String host = first(k.remove("host"), env.get("PGHOST"), "localhost");
        if (host.startsWith("/")) {
            throw new IllegalArgumentException("Unix-domain socket host '" + host + "' is not supported: pgmigrate "
                    + "connects over TCP. Use host=localhost (or the server's address) instead.");
        }
        if (host.contains(",")) {
            throw new IllegalArgumentException("Several hosts ('" + host + "') are not supported. Name the primary server.");
        }
        String portText = first(k.remove("port"), env.get("PGPORT"), "5432");
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid port '" + portText + "' in connection string; use a number such as 5432.");
        }
        String user = first(k.remove("user"), env.get("PGUSER"), null);
        String database = first(k.remove("dbname"), env.get("PGDATABASE"), null);
        String password = first(k.remove("password"), env.get("PGPASSWORD"), null);
        String ssl = first(k.remove("sslmode"), env.get("PGSSLMODE"), "prefer");
        SslMode sslMode = SslMode.parse(ssl);
        k.remove("application_name"); // pgmigrate names its own sessions (pgmigrate-<role>)
        for (String keepalive : List.of("keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count")) {
            k.remove(keepalive); // and sets its own keepalives (KeepaliveSocketFactory)
        }
        for (String key : k.keySet()) {
            if (!PASSED_THROUGH.contains(key)) {
                throw new IllegalArgumentException("Unsupported connection parameter '" + key + "' in '" + mask(original)
                        + "'. Supported: host, port, dbname, user, password, sslmode, " + String.join(", ", PASSED_THROUGH) + ".");
            }
        }
        return new PgEndpoint(host, port, database, user, password, sslMode, k);
    }

    private static final java.util.List<String> PASSED_THROUGH =
            java.util.List.of("sslrootcert", "sslcert", "sslkey", "connect_timeout", "options");

    private static String first(String a, String b, String c) {
        return a != null && !a.isEmpty() ? a : b != null && !b.isEmpty() ? b : c;
    }

    private static Map<String, String> uriKeywords(String uri) {
        Map<String, String> k = new LinkedHashMap<>();
        String rest = uri.substring(uri.indexOf("://") + 3);
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        if (slash >= 0 && slash + 1 < rest.length()) {
            k.put("dbname", decode(rest.substring(slash + 1), uri));
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                k.put("user", decode(userInfo.substring(0, colon), uri));
                k.put("password", decode(userInfo.substring(colon + 1), uri));
            } else if (!userInfo.isEmpty()) {
                k.put("user", decode(userInfo, uri));
            }
        }
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Malformed IPv6 host in '" + mask(uri) + "': missing ']'.");
            }
            k.put("host", authority.substring(1, close));
            if (authority.length() > close + 1 && authority.charAt(close + 1) == ':') {
                k.put("port", authority.substring(close + 2));
            }
        } else if (!authority.isEmpty()) {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0) {
                k.put("host", decode(authority.substring(0, colon), uri));
                k.put("port", authority.substring(colon + 1));
            } else {
                k.put("host", decode(authority, uri));
            }
        }
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("Malformed parameter '" + pair + "' in URI '" + mask(uri) + "'; use key=value.");
                }
                k.put(decode(pair.substring(0, eq), uri), decode(pair.substring(eq + 1), uri));
            }
        }
        return k;
    }

    private static String decode(String s, String uri) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Malformed percent-encoding in URI '" + mask(uri) + "': " + e.getMessage());
        }
    }

    private static Map<String, String> conninfoKeywords(String conninfo) {
        Map<String, String> k = new LinkedHashMap<>();
        int i = 0;
        int n = conninfo.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(conninfo.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = conninfo.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException("Malformed connection string '" + mask(conninfo) + "': expected key=value "
                        + "pairs (host=h port=5432 dbname=d user=u) or a URI (postgresql://user@host:5432/dbname).");
            }
            String key = conninfo.substring(i, eq).trim();
            if (key.isEmpty() || key.contains(" ")) {
                throw new IllegalArgumentException("Malformed connection string '" + mask(conninfo) + "' near '" + key + "'.");
            }
            i = eq + 1;
            while (i < n && Character.isWhitespace(conninfo.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && conninfo.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = conninfo.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(conninfo.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("Unterminated quoted value for '" + key + "' in connection string.");
                }
            } else {
                while (i < n && !Character.isWhitespace(conninfo.charAt(i))) {
                    char c = conninfo.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = conninfo.charAt(i++);
                    }
                    value.append(c);
                }
            }
            k.put(key, value.toString());
        }
        return k;
    }

    /** The text with any password value replaced, for error messages. */
    static String mask(String text) {
        return text.replaceAll("(password\\s*=\\s*)('([^'\\\\]|\\\\.)*'|\\S+)", "$1<masked>")
                .replaceAll("(://[^:/@]*:)[^@/]*@", "$1<masked>@");
    }
}
