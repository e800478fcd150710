package org.pgmigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's {@code --help}, rendered at 80 columns as a terminal shows it, keeps its examples copy-paste safe:
 * picocli wraps a footer line that is too long wherever it finds a break (a URI became {@code postgresql:} and
 * {@code //app@new:5432/shop} on two lines), so each example must be laid out by hand to fit.
 *
 * <p>Under "Examples:" every line is a description (indent 2), a command (indent 4, {@code pgmigrate ...}) or the
 * continuation of a command whose line ends with {@code \} (indent 8). A wrapped line is none of these. Each
 * command, its continuations joined as a shell joins them, must parse as a pgmigrate command line. A JSON template
 * in a help text must be valid JSON.
 */
class HelpExamplesTest {

    private static final int WIDTH = 80;

    @Test
    void everyCommandsExamplesFitTheTerminalAndAreCompleteCommands() {
        Map<String, String> usages = usages();
        assertThat(usages).containsKeys("pgmigrate clone", "pgmigrate verify", "pgmigrate serve",
                "pgmigrate migration create", "pgmigrate server create");
        int commands = 0;
        for (Map.Entry<String, String> usage : usages.entrySet()) {
            for (String command : exampleCommands(usage.getKey(), usage.getValue())) {
                commands++;
                if (command.startsWith("pgmigrate ")) {
                    List<String> args = ShellWords.split(command.substring("pgmigrate ".length()));
                    assertThatCode(() -> Main.commandLine().parseArgs(args.toArray(String[]::new)))
                            .as("example in `%s --help` is not a valid command line: %s", usage.getKey(), command)
                            .doesNotThrowAnyException();
                }
            }
        }
        assertThat(commands).as("examples found").isGreaterThan(30);
    }

    @Test
    void noLineOfAnyHelpSplitsAUriOrIsWiderThanTheTerminal() {
        usages().forEach((name, usage) -> usage.lines().forEach(line -> {
            assertThat(line).as("a line of `%s --help`", name).doesNotEndWith("postgresql:")
                    .doesNotStartWith("//");
            assertThat(line.length()).as("width of a line of `%s --help`: %s", name, line).isLessThanOrEqualTo(WIDTH);
        }));
    }

    @Test
    void theJsonTemplateOfMigrationCreateIsValidJson() throws Exception {
        String usage = usages().get("pgmigrate migration create");
        List<String> lines = usage.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().startsWith("{\"properties\"")) {
                start = i;
                break;
            }
        }
        assertThat(start).as("the template in:\n" + usage).isNotNegative();
        StringBuilder json = new StringBuilder();
        int depth = 0;
        for (int i = start; i < lines.size(); i++) {
            String line = lines.get(i);
            json.append(line).append('\n');
            depth += line.chars().filter(c -> c == '{').count() - line.chars().filter(c -> c == '}').count();
            if (depth == 0) {
                break;
            }
        }
        var template = new ObjectMapper().readTree(json.toString());
        assertThat(template.at("/properties/sourceDbServerResourceId").isTextual()).isTrue();
        assertThat(template.at("/properties/secretParameters/adminCredentials/sourceServerPassword").isTextual())
                .isTrue();
    }

    /** Each command's qualified name and its usage as {@code --help} prints it at {@value #WIDTH} columns. */
    static Map<String, String> usages() {
        CommandLine root = Main.commandLine();
        root.setUsageHelpWidth(WIDTH);
        root.setUsageHelpAutoWidth(false);
        Map<String, String> usages = new TreeMap<>();
        collect(root, usages);
        return usages;
    }

    private static void collect(CommandLine command, Map<String, String> usages) {
        usages.put(command.getCommandSpec().qualifiedName(), command.getUsageMessage(CommandLine.Help.Ansi.OFF));
        command.getSubcommands().values().forEach(sub -> collect(sub, usages));
    }

    /** The commands under "Examples:", continuations joined; fails on a line that is not laid out as an example. */
    static List<String> exampleCommands(String name, String usage) {
        List<String> lines = usage.lines().toList();
        int at = lines.indexOf("Examples:");
        List<String> commands = new ArrayList<>();
        if (at < 0) {
            return commands;
        }
        StringBuilder command = null;
        for (int i = at + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            String line = lines.get(i);
            int indent = line.length() - line.stripLeading().length();
            boolean continued = command != null && command.toString().endsWith(" \\");
            if (continued) {
                if (indent != 8) {
                    fail("`%s --help`: the line after a '\\' is not a continuation (indent 8):%n%s", name, line);
                }
                command.setLength(command.length() - 1);
                command.append(line.strip());
                continue;
            }
            if (command != null) {
                commands.add(command.toString());
                command = null;
            }
            if (indent == 4 && (line.strip().startsWith("pgmigrate ") || line.strip().startsWith("xdg-open "))) {
                command = new StringBuilder(line.strip());
            } else if (indent != 2 || line.strip().startsWith("pgmigrate ")) {
                fail("`%s --help`: a line under Examples: is neither a description (indent 2), a command (indent 4) "
                        + "nor a continuation after '\\' (indent 8); it was wrapped or mislaid:%n%s", name, line);
            }
            if (line.length() > WIDTH) {
                fail("`%s --help`: wider than %d columns:%n%s", name, WIDTH, line);
            }
        }
        if (command != null) {
            assertThat(command.toString()).as("`%s --help`: the last example ends with a '\\'", name)
                    .doesNotEndWith("\\");
            commands.add(command.toString());
        }
        for (String c : commands) {
            assertThat(c).as("`%s --help`: a placeholder '...' cannot be pasted", name).doesNotContain(" ... ");
        }
        return commands;
    }
}
