package org.pgmigrate.service.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.service.security.SecretBox;
import org.pgmigrate.service.server.ServerKey;
import org.pgmigrate.service.server.ServerKind;

/** How a PATCH treats the result of premigration validation. */
class MigrationPatcherTest {

    @TempDir
    Path dir;

    private static final ValidationDetails PASSED = new ValidationDetails("Warning", Instant.EPOCH, Instant.EPOCH,
            List.of(new ValidationDetails.Item("AuthenticationAndConnectivityValidation", "Succeeded", List.of())),
            List.of());

    private Migration waitingForConfirmation(SealedSecrets sealer) {
        MigrationSpec.Builder b = new MigrationSpec.Builder();
        b.dbsToMigrate = List.of("shop");
        return new Migration(new MigrationKey(new ServerKey("s", "rg", ServerKind.FLEXIBLE, "t"), "m"), "id-1", "local",
                Map.of(), b.build(), MigrationStatus.OVERWRITE_CONFIRMATION, "", Map.of(), PASSED, null, null, null,
                Instant.EPOCH, Instant.EPOCH, sealer.seal(SecretParameters.NONE, "id-1"), 1);
    }

    private static MigrationPatch patch(List<String> dbs, Boolean overwrite, SecretParameters secrets) {
        return new MigrationPatch(null, null, null, null, secrets, dbs, null, overwrite, null, null, null, null, null,
                null, null, null);
    }

    @Test
    void theOverwriteConfirmationKeepsTheValidationButANewDefinitionOrCredentialsDropIt() throws Exception {
        SealedSecrets sealer = new SealedSecrets(SecretBox.loadOrCreate(Files.createDirectories(dir).resolve("key")));
        Migration m = waitingForConfirmation(sealer);

        Migration confirmed = new MigrationPatcher(m, patch(null, true, null), Instant.EPOCH, sealer).apply();
        Migration otherDbs = new MigrationPatcher(m, patch(List.of("crm"), null, null), Instant.EPOCH, sealer).apply();
        Migration otherPassword = new MigrationPatcher(m, patch(null, null,
                new SecretParameters("new-source-pw", null, null, null)), Instant.EPOCH, sealer).apply();

        assertThat(confirmed.status()).isEqualTo(MigrationStatus.PREREQUISITES);
        assertThat(confirmed.validationDetails()).isEqualTo(PASSED);
        assertThat(otherDbs.validationDetails()).as("crm was never validated").isNull();
        assertThat(otherPassword.validationDetails()).isNull();
    }

    @Test
    void credentialsChangedDuringTheCopyKeepTheValidationThatLetItStart() throws Exception {
        SealedSecrets sealer = new SealedSecrets(SecretBox.loadOrCreate(Files.createDirectories(dir).resolve("key")));
        Migration migrating = waitingForConfirmation(sealer).moveTo(MigrationStatus.PREREQUISITES)
                .moveTo(MigrationStatus.MIGRATING);

        Migration patched = new MigrationPatcher(migrating, patch(null, null,
                new SecretParameters("new-source-pw", null, null, null)), Instant.EPOCH, sealer).apply();

        assertThat(patched.validationDetails()).isEqualTo(PASSED);
    }

    @Test
    void aCutoverOfSomeDatabasesMovesToCompletingAndMarksOnlyThoseThatWait() throws Exception {
        SealedSecrets sealer = new SealedSecrets(SecretBox.loadOrCreate(Files.createDirectories(dir).resolve("key")));
        Migration waiting = waitingForConfirmation(sealer).withSpec(b -> {
            b.migrationMode = MigrationMode.ONLINE;
            b.dbsToMigrate = List.of("shop", "crm");
            return b;
        }).moveTo(MigrationStatus.PREREQUISITES).moveTo(MigrationStatus.MIGRATING).moveTo(MigrationStatus.CUTOVER_TRIGGER);
        for (String db : List.of("shop", "crm")) {
            waiting = waiting.withDatabase(db, d -> d.withState(DatabaseMigrationState.WAITING_FOR_CUTOVER_TRIGGER,
                    "Replicating changes", null));
        }
        MigrationPatch cutover = new MigrationPatch(null, null, null, null, null, null, null, null, null, null, null,
                true, List.of("shop"), null, null, null);

        Migration patched = new MigrationPatcher(waiting, cutover, Instant.EPOCH, sealer).apply();

        assertThat(patched.status()).isEqualTo(MigrationStatus.COMPLETING);
        assertThat(patched.spec().triggerCutover()).isTrue();
        assertThat(patched.spec().dbsToTriggerCutoverOn()).containsExactly("shop");
        assertThat(patched.dbDetails().get("shop").migrationOperation()).isEqualTo("Cutover requested");
        assertThat(patched.dbDetails().get("crm").migrationOperation()).isEqualTo("Replicating changes");
    }
}
