package org.pgmigrate.cli.migration;

import java.io.Console;
import java.util.Locale;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.config.ResourceGroup;
import org.pgmigrate.cli.output.Diagnostics;
import org.pgmigrate.cli.output.MigrationView;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code migration delete} (az's 2021 verb, kept by the seed): DELETE, which cancels the migration. */
@Command(name = "delete",
        sortOptions = false,
        description = {"Cancel/delete the migration workflow. The migration workflows can be canceled/deleted at any "
                + "point.",
            "What was already copied stays on the target server."},
        footer = {"", "Examples:",
            "  Cancel/delete the migration workflow without a prompt.",
            "    pgmigrate migration delete -g testGroup -n testserver \\",
            "        --migration-name testmigration --yes"})
final class MigrationDeleteCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    MigrationTargetOptions target;

    @Mixin
    MigrationNameOption migrationName;

    @Option(names = {"--yes", "-y"}, description = "Do not prompt for confirmation.")
    boolean yes;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        ResourceGroup group = target.service.resourceGroup();
        Diagnostics log = output.diagnostics();
        if (!yes && !confirmed(group)) {
            log.warning("Not deleted.");
            return;
        }
        // Migrations_Delete: the api-version whose DELETE removes a finished migration's record (in 2025-06-01-preview
        // and later, DELETE only cancels).
        ArmClient.Deletion answer = target.service.connect(log).delete(ArmPath.migration(group, target.server,
                migrationName.value).withApiVersion(ArmPath.DELETE_API_VERSION));
        if (!answer.existed()) {
            // ARM's DELETE of a missing resource succeeds (204); the user still learns that nothing was there.
            log.warning("Migration '" + migrationName.value + "' does not exist on target server '" + target.server
                    + "' (resource group '" + group.name() + "'): nothing to delete. It was deleted already, or the"
                    + " name is wrong (pgmigrate migration list --filter All lists them).");
            return;
        }
        // The service cancels an active migration (and answers with it) and forgets a finished one (no body).
        answer.body().ifPresentOrElse(m -> {
            output.print(m, r -> MigrationView.detail(r, ""));
            log.warning("The migration is canceled; what it copied stays on the target server. Delete it again "
                    + "once it has ended to remove its record.");
        }, () -> log.warning("Deleted migration '" + migrationName.value + "'."));
    }

    private boolean confirmed(ResourceGroup group) {
        Console console = System.console();
        if (console == null) {
            throw CliException.invalidInput("Unable to prompt for confirmation as no tty available. Use --yes.");
        }
        String reply = console.readLine("Are you sure you want to delete the migration '%s' on target server '%s', "
                + "resource group '%s' (y/n): ", migrationName.value, target.server, group.name());
        return reply != null && reply.trim().toLowerCase(Locale.ROOT).startsWith("y");
    }
}
