package org.pgmigrate.service.server;

import org.pgmigrate.engine.pg.PgEndpoint;

/**
 * The resolved source and target of a migration: host, port, user, password and sslmode, without a database
 * (each database job adds its own). {@link #toString()} masks the passwords. Immutable.
 */
public record Endpoints(PgEndpoint source, PgEndpoint target) {

    public PgEndpoint source(String database) {
        return source.withDatabase(database);
    }

    public PgEndpoint target(String database) {
        return target.withDatabase(database);
    }
}
