package org.pgmigrate.service.migration;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/** The rules for {@code dbsToMigrate}: 1 to 50 user databases, no template0/template1, no repeats. */
final class DatabaseNames {

    static final int MAX_DATABASES = 50;
    private static final Set<String> TEMPLATES = Set.of("template0", "template1");

    private DatabaseNames() {
    }

    static void check(List<String> names, String property) {
        if (names.isEmpty()) {
            throw invalid(property + " is empty. Name 1 to " + MAX_DATABASES + " databases to migrate.", property);
        }
        if (names.size() > MAX_DATABASES) {
            throw invalid(property + " names " + names.size() + " databases; the limit is " + MAX_DATABASES
                    + " per migration. Split them across several migrations.", property);
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw invalid(property + " contains an empty database name.", property);
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > 63 || name.indexOf('\0') >= 0) {
                throw invalid(property + " contains '" + name + "', which is not a valid PostgreSQL database name "
                        + "(at most 63 bytes).", property);
            }
            if (TEMPLATES.contains(name)) {
                throw invalid(property + " contains '" + name + "'. Only user databases are migrated; template0 and "
                        + "template1 are not.", property);
            }
            if (!seen.add(name)) {
                throw invalid(property + " names '" + name + "' twice.", property);
            }
        }
    }

    private static ServiceException invalid(String message, String property) {
        return new ServiceException(ServiceError.INVALID_PARAMETER_VALUE, message, property);
    }
}
