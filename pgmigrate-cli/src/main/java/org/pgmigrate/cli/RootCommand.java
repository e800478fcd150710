package org.pgmigrate.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pgmigrate}: lists the verbs. Each verb is one class in the package named after it.
 *
 * <p>The verbs are registered by {@link #addVerbs}, not by the annotation: picocli builds the model of every command
 * it is given, by reflection, before it parses anything (0.4 s of a cold start for all of them, 0.2 s for
 * {@code clone} alone), so a command line that names its verb gets only that verb's tree.
 */
@Command(name = "pgmigrate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "PostgreSQL migrations between any two servers (sources 9.5 to 18, targets 11 to 18): the Azure"
                + " migration service's CLI and API, self-hosted.")
public final class RootCommand implements Runnable {

    /** In the order the usage lists them. */
    static final List<Class<?>> VERBS = List.of(
            org.pgmigrate.cli.migration.MigrationCommand.class,
            org.pgmigrate.cli.server.ServerCommand.class,
            org.pgmigrate.cli.config.ConfigureCommand.class,
            org.pgmigrate.cli.clone.CloneCommand.class,
            org.pgmigrate.cli.clone.DemoCommand.class,
            org.pgmigrate.cli.verify.VerifyCommand.class,
            org.pgmigrate.cli.serve.ServeCommand.class,
            org.pgmigrate.cli.portal.PortalCommand.class);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /**
     * Adds the verb that {@code args} start with, none for {@code --version}, or every verb when they start with
     * none (no arguments, {@code --help}, a misspelt verb, which picocli then answers with the list and its
     * suggestions).
     */
    static void addVerbs(CommandLine root, String... args) {
        String first = args.length == 0 ? "" : args[0];
        if (first.equals("--version") || first.equals("-V")) {
            return;
        }
        for (Class<?> verb : VERBS) {
            if (names(verb).contains(first)) {
                root.addSubcommand(verb);
                return;
            }
        }
        VERBS.forEach(root::addSubcommand);
    }

    private static List<String> names(Class<?> verb) {
        Command command = verb.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(command.aliases()));
        names.add(command.name());
        return names;
    }
}
