package org.pgmigrate.testkit.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL refuses to run as root, and CI runs as root. When this JVM is root, server commands run as the
 * unprivileged {@code postgres} OS user through {@code runuser}, and the folders they write are handed to it.
 * When the JVM is not root, commands run as they are.
 */
final class OsUser {

    static final String SERVER_USER = "postgres";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private OsUser() {
    }

    static boolean isRoot() {
        return ROOT;
    }

    /** The command, wrapped so that it runs as the unprivileged server user when needed. */
    static List<String> asServerUser(List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SERVER_USER, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives {@code path} to the server user, so that a server started through {@link #asServerUser} can write it. */
    static void handOver(Path path) throws IOException {
        if (!ROOT) {
            return;
        }
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, users.lookupPrincipalByName(SERVER_USER));
    }
}
