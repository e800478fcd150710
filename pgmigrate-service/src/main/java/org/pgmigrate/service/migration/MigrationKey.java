package org.pgmigrate.service.migration;

import java.util.Locale;
import org.pgmigrate.service.server.ServerKey;

/** A migration's address: its target flexible server and its name (case-insensitive, like every ARM name). */
public record MigrationKey(ServerKey target, String name) {

    public String id() {
        return target.id() + "/migrations/" + name;
    }

    public MigrationKey normalized() {
        return new MigrationKey(target.normalized(), name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return id();
    }
}
