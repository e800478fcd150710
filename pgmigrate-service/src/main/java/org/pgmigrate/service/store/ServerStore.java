package org.pgmigrate.service.store;

import java.util.List;
import java.util.Optional;
import org.pgmigrate.service.server.RegisteredServer;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;

/** Registered servers. Thread-safe; writes are durable on return; keys compare case-insensitively. */
public interface ServerStore {

    /** Creates or replaces; returns true when it was created. */
    boolean upsert(RegisteredServer server);

    Optional<RegisteredServer> find(ServerKey key);

    /**
     * The servers of one kind in a subscription (every subscription when {@code subscription} is null), and in one
     * resource group unless {@code resourceGroup} is null.
     */
    List<RegisteredServer> list(String subscription, String resourceGroup, ServerKind kind);

    boolean delete(ServerKey key);
}
