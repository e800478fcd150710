package org.pgmigrate.cli.migration;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.output.IntervalConverter;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.LiveView;
import org.pgmigrate.cli.output.MigrationView;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code migration show}: GET of one migration, once or (with {@code --watch}) until it ends. */
@Command(name = "show",
        sortOptions = false,
        description = {"Get the details of a specific migration.",
            "With --output table or --watch: the state, the premigration validation report (each check, its state "
                    + "and its messages, which say how to fix a problem), what verification found different, and "
                    + "per-database progress (tables, CDC counters, latency, pending bytes).",
            "With --watch, redraw it until the migration succeeds, fails or is canceled; the exit code is then 0 "
                    + "for Succeeded and 1 otherwise."},
        footer = {"", "Examples:",
            "  Get the details of a specific migration.",
            "    pgmigrate migration show -g testGroup -n testserver \\",
            "        --migration-name testmigration",
            "  Follow its progress until it ends, refreshing every 2 seconds.",
            "    pgmigrate migration show -g testGroup -n testserver \\",
            "        --migration-name testmigration --watch --interval 2"})
final class MigrationShowCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    MigrationTargetOptions target;

    @Mixin
    MigrationNameOption migrationName;

    @Option(names = "--watch", description = "Keep showing the migration's progress until it ends (ignores --output "
            + "and --query).")
    boolean watch;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5", converter = IntervalConverter.class,
            description = "With --watch: how often to refresh, in seconds (or 500ms, 1m). Default: ${DEFAULT-VALUE}.")
    Duration interval;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        ArmPath path = ArmPath.migration(target.service.resourceGroup(), target.server, migrationName.value);
        ArmClient client = target.service.connect(output.diagnostics());
        if (!watch) {
            output.print(client.get(path), m -> MigrationView.detail(m, nextStep(m)));
            return ExitCode.OK;
        }
        LiveView view = new LiveView(spec.commandLine().getOut(), LiveView.interactiveTerminal(), interval);
        JsonNode last = view.run("pgmigrate migration show --migration-name " + migrationName.value + " " + target.flags(),
                () -> client.get(path), m -> MigrationView.detail(m, nextStep(m)));
        return MigrationView.state(last).equalsIgnoreCase("Succeeded") ? ExitCode.OK : ExitCode.FAILED;
    }

    /** The command that moves a migration waiting for the user on. */
    private String nextStep(JsonNode migration) {
        String update = "pgmigrate migration update " + target.flags() + " --migration-name " + migrationName.value;
        return switch (MigrationView.subState(migration)) {
            case "WaitingForCutoverTrigger" -> "Next: stop writes on the source, wait for latency near 0, then run\n  "
                    + update + " --cutover";
            case "WaitingForTargetDBOverwriteConfirmation" -> "Next: a database already exists on the target; to "
                    + "overwrite it run\n  " + update + " --overwrite-dbs\n  (or cancel with " + update + " --cancel)";
            case "WaitingForLogicalReplicationSetupRequestOnSourceDB" ->
                    Json.text(migration, "properties", "setupLogicalReplicationOnSourceDbIfNeeded").equalsIgnoreCase("True")
                    ? "Next: restart the source server as the databases' message says; the migration goes on by "
                            + "itself once wal_level is logical.\n  (or cancel with " + update + " --cancel)"
                    : "Next: logical replication is off on the source; to turn it on (restarts the source) run\n  "
                            + update + " --setup-replication";
            default -> "";
        };
    }
}
