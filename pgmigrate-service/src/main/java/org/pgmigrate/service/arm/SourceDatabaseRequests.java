package org.pgmigrate.service.arm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.MigrationDraft;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.SecretParameters;

/**
 * The wire side of {@code listSourceDatabases} (a pgmigrate extension): the request names a source exactly as a
 * migration's PUT does ({@code sourceDbServerResourceId}, {@code sourceDbServerFullyQualifiedDomainName},
 * {@code sslMode}, and the source's half of {@code secretParameters}), so a client sends the properties it is about
 * to create the migration with. The answer is {@code {"value": [{"name": ...}]}}. Stateless.
 */
public final class SourceDatabaseRequests {

    private static final Set<String> PROPERTIES = Set.of("sourceDbServerResourceId",
            "sourceDbServerFullyQualifiedDomainName", "sslMode", "secretParameters");
    private static final Set<String> SECRET_KEYS = Set.of("adminCredentials", "sourceServerUsername");
    private static final Set<String> CREDENTIAL_KEYS = Set.of("sourceServerPassword");

    private SourceDatabaseRequests() {
    }

    /** The source's part of a migration: a spec with the source's properties, and its user and password. */
    public static MigrationDraft parse(ObjectNode body) {
        Fields top = new Fields(body, "").allowOnly(Set.of("properties"), Set.of());
        Fields p = top.object("properties");
        if (p == null) {
            throw new ServiceException(ServiceError.INVALID_REQUEST_CONTENT, "Property 'properties' is required: "
                    + "{\"properties\": {\"sourceDbServerResourceId\": ..., \"secretParameters\": {\"adminCredentials\": "
                    + "{\"sourceServerPassword\": ...}, \"sourceServerUsername\": ...}}}.", "properties");
        }
        p.allowOnly(PROPERTIES, Set.of());
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.sourceDbServerResourceId = p.text("sourceDbServerResourceId");
        b.sourceDbServerFullyQualifiedDomainName = p.text("sourceDbServerFullyQualifiedDomainName");
        b.sslMode = MigrationRequests.sslMode(p);
        String password = null;
        String user = null;
        Fields s = p.object("secretParameters");
        if (s != null) {
            s.allowOnly(SECRET_KEYS, Set.of());
            user = s.text("sourceServerUsername");
            Fields admin = s.object("adminCredentials");
            if (admin != null) {
                admin.allowOnly(CREDENTIAL_KEYS, Set.of());
                password = admin.text("sourceServerPassword");
            }
        }
        return new MigrationDraft(null, null, b.build(), new SecretParameters(password, null, user, null));
    }

    public static ObjectNode write(List<String> databases) {
        ObjectNode root = JsonBodies.object();
        ArrayNode value = root.putArray("value");
        databases.forEach(d -> value.addObject().put("name", d));
        return root;
    }
}
