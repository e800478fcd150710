package org.pgmigrate.service.arm;

import java.util.List;
import java.util.regex.Pattern;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

/**
 * The {@code api-version} query parameter, required on every ARM request: the versions of
 * Microsoft.DBforPostgreSQL that carry migrations (2022-05-01-preview to 2026-07-01-preview, with the stable
 * 2024-08-01 and 2025-08-01), the private previews older CLIs used, and 2022-12-01 (flexibleServers only, for server
 * registration). The wire shape does not differ between them. Anything else gets ARM's 400.
 */
public final class ApiVersions {

    public static final List<String> SUPPORTED = List.of(
            "2020-02-14-privatepreview", "2021-06-15-privatepreview",
            "2022-05-01-preview", "2022-12-01", "2023-03-01-preview", "2023-06-01-preview", "2023-12-01-preview",
            "2024-03-01-preview", "2024-08-01", "2024-11-01-preview", "2025-01-01-preview", "2025-06-01-preview",
            "2025-08-01", "2026-01-01-preview", "2026-04-01-preview", "2026-07-01-preview");

    private static final Pattern WELL_FORMED = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(-[a-zA-Z]+)?");

    private ApiVersions() {
    }

    /** Throws ARM's 400 unless {@code version} is supported. */
    public static void check(String version, String resourceType) {
        if (version == null || version.isBlank()) {
            throw new ServiceException(ServiceError.MISSING_API_VERSION,
                    "The api-version query parameter (?api-version=) is required for all requests.", "api-version");
        }
        if (SUPPORTED.contains(version)) {
            return;
        }
        String supported = String.join(", ", SUPPORTED);
        if (!WELL_FORMED.matcher(version).matches()) {
            throw new ServiceException(ServiceError.INVALID_API_VERSION, "The api-version '" + version
                    + "' is invalid. The supported versions are '" + supported + "'.", "api-version");
        }
        throw new ServiceException(ServiceError.UNSUPPORTED_API_VERSION, "No registered resource provider found for "
                + "API version '" + version + "' and type '" + resourceType + "'. The supported api-versions are '"
                + supported + "'.", "api-version");
    }
}
