package org.pgmigrate.service.arm;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;

class ApiVersionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"2022-05-01-preview", "2024-08-01", "2025-01-01-preview", "2025-08-01", "2026-07-01-preview",
            "2021-06-15-privatepreview"})
    void theVersionsThatCarryMigrationsAreAccepted(String version) {
        assertThatCode(() -> ApiVersions.check(version, "t")).doesNotThrowAnyException();
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
