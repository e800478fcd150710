package org.pgmigrate.cli.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.client.CliRun;

/** The update rules are checked before anything is sent: no service runs in these tests. */
class MigrationUpdateFlagsTest {

    @TempDir
    Path dataDir;

    private CliRun update(String... flags) {
        String[] args = new String[flags.length + 8];
        String[] base = {"migration", "update", "-g", "rg", "-n", "target", "--migration-name", "m1"};
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(flags, 0, args, base.length, flags.length);
        return CliRun.in(dataDir, args);
    }

    @Test
    void twoUpdateOperationsAreRefusedWithAzsMessage() {
        CliRun run = update("--cutover", "--cancel");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains("Incorrect Usage: Can only specify one update operation.");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void everyPairOfOperationsIsRefused() {
        String[] ops = {"--setup-replication", "--cutover", "--cancel", "--overwrite-dbs", "--start-data-migration"};
        for (int i = 0; i < ops.length; i++) {
            for (int j = i + 1; j < ops.length; j++) {
                CliRun run = update(ops[i], ops[j]);
                assertThat(run.err()).as(ops[i] + " " + ops[j])
                        .contains("Incorrect Usage: Can only specify one update operation.");
            }
        }
    }

    @Test
    void theSeedsCancelFormCountsAsAnOperation() {
        CliRun run = CliRun.in(dataDir, "migration", "update", "cancel", "-g", "rg", "-n", "target",
                "--migration-name", "m1", "--cutover");

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains("Incorrect Usage: Can only specify one update operation.");
    }

    @Test
    void noOperationIsRefusedWithAzsMessage() {
        CliRun run = update();

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains("Incorrect Usage: At least one update operation needs to be specified.");
    }

    @Test
    void anUnknownPositionalOperationNamesTheAcceptedOnes() {
        CliRun run = CliRun.in(dataDir, "migration", "update", "cutover", "-g", "rg", "-n", "target",
                "--migration-name", "m1");

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains("Unknown update operation 'cutover'").contains("--cutover");
    }

    @Test
    void aValidUpdateGetsPastTheFlagRulesAndThenNeedsTheService() {
        CliRun seedForm = CliRun.in(dataDir, "migration", "update", "cancel", "--cancel", "-g", "rg", "-n", "target",
                "--migration-name", "m1");
        CliRun flagForm = update("--overwrite-dbs");

        for (CliRun run : new CliRun[] {seedForm, flagForm}) {
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.FAILED);
            assertThat(run.err()).contains("The pgmigrate service is not running")
                    .contains("pgmigrate serve --data-dir " + dataDir.toAbsolutePath());
        }
    }

    @Test
    void aMissingResourceGroupIsReportedBeforeTheServiceIsLookedFor() {
        CliRun run = CliRun.in(dataDir, "migration", "show", "-n", "target", "--migration-name", "m1");

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains("the following arguments are required: --resource-group/-g")
                .contains("pgmigrate configure --defaults group=");
    }

    @Test
    void aMigrationNameStartingWithAHyphenIsTakenLiterallyAfterAnEqualsSign() {
        CliRun attached = CliRun.in(dataDir, "migration", "create", "-g", "rg", "-n", "t", "-b", "absent.json",
                "--migration-name=-bad-name");
        CliRun separate = CliRun.in(dataDir, "migration", "create", "-g", "rg", "-n", "t", "-b", "absent.json",
                "--migration-name", "-bad-name");

        // Accepted, so the next problem is the file (and then the service would judge the name).
        assertThat(attached.err()).as(attached.toString())
                .contains("Properties file does not exist in the given location");
        assertThat(separate.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(separate.err()).contains("--migration-name").contains("-bad-name");
    }

    @Test
    void aMissingRequiredFlagIsAUsageError() {
        CliRun run = CliRun.in(dataDir, "migration", "create", "-g", "rg", "-n", "target");

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains("--properties");
    }

    @Test
    void migrationModeAndOptionAcceptAzsChoicesInAnyCase() {
        CliRun bad = CliRun.in(dataDir, "migration", "create", "-g", "rg", "-n", "t", "-b", "x.json",
                "--migration-mode", "sideways");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(bad.err()).contains("offline").contains("online");

        // Past flag parsing, the next problem is the missing file: so the choices were accepted.
        CliRun good = CliRun.in(dataDir, "migration", "create", "-g", "rg", "-n", "t", "-b", "x.json",
                "--migration-mode", "ONLINE", "--migration-option", "validateandmigrate");
        assertThat(good.err()).as(good.toString()).contains("Properties file does not exist in the given location");
    }

    @Test
    void listFilterAcceptsActiveAndAllOnly() {
        CliRun bad = CliRun.in(dataDir, "migration", "list", "-g", "rg", "-n", "t", "--filter", "Finished");

        assertThat(bad.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(bad.err()).contains("Active").contains("All");
    }

    @Test
    void everyCommandHasHelp() {
        String[][] commands = {{"migration"}, {"migration", "create"}, {"migration", "list"}, {"migration", "show"},
            {"migration", "update"}, {"migration", "check-name-availability"}, {"migration", "delete"},
            {"server"}, {"server", "create"}, {"server", "list"}, {"server", "show"}, {"server", "delete"},
            {"configure"}};
        for (String[] command : commands) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            CliRun run = CliRun.run(args);
            assertThat(run.exitCode()).as(String.join(" ", command)).isEqualTo(ExitCode.OK);
            assertThat(run.out()).as(String.join(" ", command)).startsWith("Usage: pgmigrate " + String.join(" ", command));
        }
        assertThat(CliRun.run("migration", "update", "--help").out())
                .contains("Cut-over the data migration for all the databases");
    }

    @Test
    void databasesGoOnlyWithCutoverOrCancel() {
        for (String op : new String[] {"--setup-replication", "--overwrite-dbs", "--start-data-migration"}) {
            CliRun run = update(op, "--databases", "db1");
            assertThat(run.exitCode()).as(op).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).as(op).contains("--databases applies only to --cutover and --cancel")
                    .doesNotContain("\tat ");
        }
        CliRun empty = update("--cutover", "--databases", "db1,,db2");
        assertThat(empty.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(empty.err()).contains("--databases has an empty name");
    }
}
