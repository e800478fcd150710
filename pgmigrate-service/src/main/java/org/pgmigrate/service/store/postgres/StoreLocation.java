package org.pgmigrate.service.store.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the PostgreSQL store is: {@code postgresql://user@host:port/database[?sslmode=...&sslrootcert=...]}, the
 * libpq URI form without the password. The password comes separately ({@code --store-password-file},
 * {@code PGPASSWORD}, or {@code ~/.pgpass} / {@code PGPASSFILE}, which pgjdbc reads itself): a password in the URI is
 * refused, so that it never lands in a shell history, a process list or a log. {@link #toString()} never shows the
 * password. Immutable.
 *
 * @param password null to let the driver look it up in the password file
 */
public record StoreLocation(String user, String host, int port, String database, Map<String, String> parameters,
                            String password) {

    /** The URI parameters the store passes on to the driver; anything else is refused by name. */
    private static final Set<String> PARAMETERS = Set.of("sslmode", "sslrootcert", "sslcert", "sslkey",
            "connect_timeout");

    public StoreLocation {
        parameters = Map.copyOf(parameters);
    }

    /** Parses {@code --store}; an {@link IllegalArgumentException} names what is wrong and the expected form. */
    public static StoreLocation parse(String uri) {
        String expected = " Use postgresql://user@host:port/database (the password goes in --store-password-file, "
                + "PGPASSWORD or ~/.pgpass).";
        URI u;
        try {
            u = new URI(uri.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Invalid --store '" + uri + "': " + e.getReason() + "." + expected);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
            throw new IllegalArgumentException("Invalid --store '" + uri + "': only postgresql:// stores are "
                    + "supported (without --store the service keeps its state in pgmigrate.db in the data dir)."
                    + expected);
        }
        String userInfo = u.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw new IllegalArgumentException("Invalid --store: it holds a password, which would show in the "
                    + "process list and in logs. Remove it from the URI and give it with --store-password-file, "
                    + "PGPASSWORD or ~/.pgpass.");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new IllegalArgumentException("Invalid --store '" + uri + "': no host." + expected);
        }
        String user = userInfo == null ? System.getProperty("user.name") : decode(userInfo);
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        String database = path.length() > 1 ? decode(path.substring(1)) : user;
        Map<String, String> parameters = new LinkedHashMap<>();
        if (u.getRawQuery() != null) {
            for (String pair : u.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                if (key.equals("password")) {
                    throw new IllegalArgumentException("Invalid --store: it holds a password. Give it with "
                            + "--store-password-file, PGPASSWORD or ~/.pgpass instead.");
                }
                if (!PARAMETERS.contains(key)) {
                    throw new IllegalArgumentException("Invalid --store: unknown parameter '" + key + "'. Supported: "
                            + String.join(", ", PARAMETERS.stream().sorted().toList()) + ".");
                }
                parameters.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return new StoreLocation(user, u.getHost(), u.getPort() < 0 ? 5432 : u.getPort(), database, parameters, null);
    }

    public StoreLocation withPassword(String newPassword) {
        return new StoreLocation(user, host, port, database, parameters, newPassword);
    }

    /** The store's address for messages, logs and {@code /healthz}: never the password. */
    public String describe() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "postgresql://" + user + "@" + h + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
