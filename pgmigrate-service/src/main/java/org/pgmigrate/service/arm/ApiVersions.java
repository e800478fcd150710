package org.pgmigrate.service.arm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/**
 * The {@code api-version} query parameter, required on every ARM request. Migration routes accept exactly the
 * versions of Azure's specification (azure-rest-api-specs, {@code specification/postgresql/resource-manager/
 * Microsoft.DBforPostgreSQL/PostgreSQL/readme.md}) whose input files define {@code flexibleServers/{server}/migrations}:
 * the 2021 private preview, the previews from 2022-05-01-preview to 2026-01-01-preview, and the stable 2024-08-01 and
 * 2025-08-01. Server registrations (pgmigrate's own resource under ARM's paths) accept those and 2022-12-01, the
 * stable flexibleServers version without migrations. Anything else gets ARM's 400. Stateless.
 */
public final class ApiVersions {

    /** The specification's api-versions that carry migrations, oldest first. */
    public static final List<String> MIGRATIONS = List.of(
            "2021-06-15-privatepreview", "2022-05-01-preview", "2023-03-01-preview", "2023-06-01-preview",
            "2023-12-01-preview", "2024-03-01-preview", "2024-08-01", "2024-11-01-preview", "2025-01-01-preview",
            "2025-06-01-preview", "2025-08-01", "2026-01-01-preview");

    /** What server registrations accept: the migration versions and the stable flexibleServers 2022-12-01. */
    public static final List<String> SERVERS = withServerOnlyVersions();

    /**
     * The versions whose DELETE of a migration is {@code Migrations_Cancel} ("Cancels an active migration.", 200 with
     * the migration or 204). In the older ones it is {@code Migrations_Delete} ("Deletes an existing migration.").
     */
    private static final Set<String> DELETE_CANCELS = Set.of("2025-06-01-preview", "2025-08-01", "2026-01-01-preview");

    private static final Pattern WELL_FORMED = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(-[a-zA-Z]+)?");

    private ApiVersions() {
    }

    /** Throws ARM's 400 unless {@code version} is one that {@code resourceType} exists in. */
    public static void check(String version, String resourceType) {
        if (version == null || version.isBlank()) {
            throw new ServiceException(ServiceError.MISSING_API_VERSION,
                    "The api-version query parameter (?api-version=) is required for all requests.", "api-version");
        }
        List<String> accepted = MigrationResources.TYPE.equalsIgnoreCase(resourceType) ? MIGRATIONS : SERVERS;
        if (accepted.contains(version)) {
            return;
        }
        String supported = String.join(", ", accepted);
        if (!WELL_FORMED.matcher(version).matches()) {
            throw new ServiceException(ServiceError.INVALID_API_VERSION, "The api-version '" + version
                    + "' is invalid. The supported versions are '" + supported + "'.", "api-version");
        }
        throw new ServiceException(ServiceError.UNSUPPORTED_API_VERSION, "No registered resource provider found for "
                + "API version '" + version + "' and type '" + resourceType + "'. The supported api-versions are '"
                + supported + "'.", "api-version");
    }

    /** Whether a DELETE of a migration with this (checked) api-version cancels it rather than deleting it. */
    public static boolean deleteCancels(String version) {
        return DELETE_CANCELS.contains(version);
    }

    private static List<String> withServerOnlyVersions() {
        List<String> all = new ArrayList<>(MIGRATIONS);
        all.add(all.indexOf("2023-03-01-preview"), "2022-12-01");
        return List.copyOf(all);
    }
}
