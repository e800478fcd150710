package org.pgmigrate.service.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.precheck.CheckResult;
import org.pgmigrate.engine.precheck.CheckState;
import org.pgmigrate.engine.precheck.ValidationReport;
import org.pgmigrate.service.migration.Migration;
import org.pgmigrate.service.migration.MigrationKey;
import org.pgmigrate.service.migration.MigrationOption;
import org.pgmigrate.service.migration.MigrationSpec;
import org.pgmigrate.service.migration.MigrationStatus;
import org.pgmigrate.service.migration.ValidationDetails;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;

/** The engine's report as the spec's validationDetails, and what each migrationOption does with it. */
class PremigrationValidationTest {

    private static final Instant T0 = Instant.parse("2025-06-01T18:30:22Z");

    private static ValidationReport report(CheckState extensions) {
        CheckResult connectivity = new CheckResult.Builder("AuthenticationAndConnectivityValidation").ok("Connected.").build();
        CheckResult.Builder ext = new CheckResult.Builder("ExtensionsValidation");
        if (extensions == CheckState.Failed) {
            ext.fail("Extension old_snapshot 1.0 is not available on the target. Install its package.");
        } else if (extensions == CheckState.Warning) {
            ext.warn("Extension hstore is 1.8 on the source but the target offers only [1.7].");
        } else {
            ext.ok("Every extension is available on the target: hstore.");
        }
        ext.ok("Checked 1 extension.");
        CheckResult size = new CheckResult.Builder("DatabaseSizeValidation").ok("Database shop takes 8 MB.").build();
        ValidationReport.DatabaseChecks shop = new ValidationReport.DatabaseChecks("shop", T0.plusMillis(10),
                T0.plusMillis(20), List.of(ext.build(), size));
        return new ValidationReport(CheckState.Succeeded.and(extensions), T0, T0.plusMillis(30), List.of(connectivity),
                List.of(shop));
    }

    private static Migration validating(MigrationOption option) {
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.migrationOption = option;
        b.dbsToMigrate = List.of("shop");
        return new Migration(new MigrationKey(new ServerKey("s", "rg", ServerKind.FLEXIBLE, "t"), "m"), "id-1", "local",
                Map.of(), b.build(), MigrationStatus.VALIDATING, "", Map.of(), null, null, null, null, T0, T0, null, 1);
    }

    @Test
    void theReportBecomesTheSpecsValidationDetails() {
        ValidationDetails d = PremigrationValidation.details(report(CheckState.Warning));

        assertThat(d.status()).isEqualTo("Warning");
        assertThat(d.validationStartTimeInUtc()).isEqualTo(T0);
        assertThat(d.validationEndTimeInUtc()).isEqualTo(T0.plusMillis(30));
        assertThat(d.serverLevelValidationDetails()).singleElement().isEqualTo(new ValidationDetails.Item(
                "AuthenticationAndConnectivityValidation", "Succeeded",
                List.of(new ValidationDetails.Message("Succeeded", "Connected."))));
        ValidationDetails.DatabaseSummary shop = d.dbLevelValidationDetails().get(0);
        assertThat(shop.databaseName()).isEqualTo("shop");
        assertThat(shop.startedOn()).isEqualTo(T0.plusMillis(10));
        assertThat(shop.endedOn()).isEqualTo(T0.plusMillis(20));
        assertThat(shop.summary()).extracting(ValidationDetails.Item::type)
                .containsExactly("ExtensionsValidation", "DatabaseSizeValidation");
        assertThat(shop.summary().get(0).state()).isEqualTo("Warning");
        assertThat(shop.summary().get(0).messages()).extracting(ValidationDetails.Message::state)
                .containsExactly("Warning", "Succeeded");
    }

    @Test
    void aFailedCheckEndsEveryOptionValidationFailedWithTheFixAsTheError() {
        ValidationDetails failed = PremigrationValidation.details(report(CheckState.Failed));
        for (MigrationOption option : List.of(MigrationOption.VALIDATE, MigrationOption.VALIDATE_AND_MIGRATE)) {
            Migration m = validating(option);

            Migration recorded = PremigrationValidation.record(m, failed);

            assertThat(recorded.status()).isEqualTo(MigrationStatus.VALIDATION_FAILED_DONE);
            assertThat(recorded.validationDetails()).isEqualTo(failed);
            assertThat(recorded.error()).isEqualTo("Validation failed; no data was migrated. shop: ExtensionsValidation: "
                    + "Extension old_snapshot 1.0 is not available on the target. Install its package.");
            assertThat(PremigrationValidation.proceeds(m, failed)).isFalse();
        }
    }

    @Test
    void passedChecksEndValidateAndLetValidateAndMigrateGoOn() {
        ValidationDetails warned = PremigrationValidation.details(report(CheckState.Warning));

        Migration validateOnly = PremigrationValidation.record(validating(MigrationOption.VALIDATE), warned);
        Migration andMigrate = PremigrationValidation.record(validating(MigrationOption.VALIDATE_AND_MIGRATE), warned);

        assertThat(validateOnly.status()).isEqualTo(MigrationStatus.SUCCEEDED_DONE);
        assertThat(validateOnly.error()).isEmpty();
        assertThat(andMigrate.status()).as("the prerequisites move it on").isEqualTo(MigrationStatus.VALIDATING);
        assertThat(andMigrate.validationDetails()).isEqualTo(warned);
        assertThat(PremigrationValidation.proceeds(validating(MigrationOption.VALIDATE_AND_MIGRATE), warned)).isTrue();
        assertThat(PremigrationValidation.pending(andMigrate)).isFalse();
        assertThat(PremigrationValidation.pending(validating(MigrationOption.VALIDATE_AND_MIGRATE))).isTrue();
        assertThat(PremigrationValidation.pending(validating(MigrationOption.MIGRATE))).isFalse();
    }
}
