package org.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A command line gets the model of the verb it names only ({@link RootCommand#addVerbs}); what the user sees must not
 * depend on that: the same usage for each command as with every verb present, and every verb wherever the command
 * line names none.
 */
class RootCommandTest {

    @Test
    void aCommandLineThatNamesAVerbGetsThatVerbOnly() {
        assertThat(Main.commandLine("clone", "--source", "x").getSubcommands()).containsOnlyKeys("clone");
        assertThat(Main.commandLine("migration", "show").getSubcommands()).containsOnlyKeys("migration");
        assertThat(Main.commandLine("--version").getSubcommands()).isEmpty();
    }

    @Test
    void noVerbOrAnUnknownOneGetsEveryVerb() {
        for (String[] args : new String[][] {{}, {"--help"}, {"-h"}, {"clon"}, {"CLONE"}}) {
            assertThat(Main.commandLine(args).getSubcommands()).as(String.join(" ", args))
                    .containsOnlyKeys("migration", "server", "configure", "clone", "demo", "verify", "serve", "portal");
        }
    }

    @Test
    void eachVerbsUsageIsTheSameAsWithEveryVerbPresent() {
        CommandLine all = Main.commandLine();
        for (String verb : all.getSubcommands().keySet()) {
            CommandLine alone = Main.commandLine(verb).getSubcommands().get(verb);
            assertThat(usage(alone)).as(verb).isEqualTo(usage(all.getSubcommands().get(verb)));
        }
    }

    @Test
    void aMistypedVerbIsAnsweredAsBefore() {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "clon", "--source", "x");

        assertThat(code).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(err.toString()).contains("Unmatched arguments from index 0: 'clon'").contains("Try 'pgmigrate --help'");
    }

    private static String usage(CommandLine command) {
        command.setUsageHelpWidth(100);
        command.setUsageHelpAutoWidth(false);
        return command.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }
}
