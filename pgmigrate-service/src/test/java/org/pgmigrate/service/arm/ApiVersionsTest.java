package org.pgmigrate.service.arm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

class ApiVersionsTest {

    private static final String SERVERS = "Microsoft.DBforPostgreSQL/flexibleServers";

    @ParameterizedTest
    @ValueSource(strings = {"2021-06-15-privatepreview", "2022-05-01-preview", "2023-03-01-preview",
            "2023-06-01-preview", "2023-12-01-preview", "2024-03-01-preview", "2024-08-01", "2024-11-01-preview",
            "2025-01-01-preview", "2025-06-01-preview", "2025-08-01", "2026-01-01-preview"})
    void theSpecificationsVersionsThatCarryMigrationsAreAccepted(String version) {
        assertThatCode(() -> ApiVersions.check(version, MigrationResources.TYPE)).doesNotThrowAnyException();
        assertThatCode(() -> ApiVersions.check(version, SERVERS)).doesNotThrowAnyException();
    }

    /** Versions some SDK or an old CLI sent, but in which the specification defines no migrations. */
    @ParameterizedTest
    @ValueSource(strings = {"2020-02-14-privatepreview", "2022-12-01", "2026-04-01-preview", "2026-07-01-preview",
            "2021-06-01"})
    void versionsWithoutMigrationsInTheSpecificationAreRefusedForMigrations(String version) {
        assertThatThrownBy(() -> ApiVersions.check(version, MigrationResources.TYPE))
                .hasMessageContaining("No registered resource provider found for API version '" + version
                        + "' and type '" + MigrationResources.TYPE + "'")
                .hasMessageContaining("2021-06-15-privatepreview, 2022-05-01-preview")
                .hasMessageEndingWith("2025-08-01, 2026-01-01-preview'.");
    }

    @Test
    void serverRegistrationsAlsoTakeTheStableFlexibleServersVersion() {
        assertThatCode(() -> ApiVersions.check("2022-12-01", SERVERS)).doesNotThrowAnyException();
        assertThat(ApiVersions.SERVERS).containsAll(ApiVersions.MIGRATIONS).hasSize(ApiVersions.MIGRATIONS.size() + 1);
    }

    @Test
    void deleteCancelsFromTheVersionsWhoseDeleteIsMigrationsCancel() {
        assertThat(ApiVersions.MIGRATIONS.stream().filter(ApiVersions::deleteCancels))
                .containsExactly("2025-06-01-preview", "2025-08-01", "2026-01-01-preview");
    }

    @Test
    void anUnknownVersionGetsArmsError() {
        assertThatThrownBy(() -> ApiVersions.check("2019-01-01", "t")).isInstanceOf(ServiceException.class)
                .hasMessageContaining("No registered resource provider found for API version '2019-01-01'")
                .extracting(e -> ((ServiceException) e).error()).isEqualTo(ServiceError.UNSUPPORTED_API_VERSION);
        assertThatThrownBy(() -> ApiVersions.check("latest", "t"))
                .extracting(e -> ((ServiceException) e).error()).isEqualTo(ServiceError.INVALID_API_VERSION);
        assertThatThrownBy(() -> ApiVersions.check(null, "t"))
                .hasMessage("The api-version query parameter (?api-version=) is required for all requests.");
    }
}
