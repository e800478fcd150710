package org.pgmigrate.cli.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.cli.output.Table;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgmigrate configure}: az's {@code az configure --defaults}, stored in the data directory. */
@Command(name = "configure",
        description = {"Manage pgmigrate configuration.",
            "Defaults spare you repeating --resource-group, --subscription and --location on every command. "
                    + "They are stored in the data directory's 'defaults' file; PGMIGRATE_DEFAULTS_GROUP, "
                    + "PGMIGRATE_DEFAULTS_SUBSCRIPTION and PGMIGRATE_DEFAULTS_LOCATION override them, and a flag "
                    + "on the command line overrides both."},
        footer = {"", "Examples:",
            "  Set the default resource group and subscription.",
            "    pgmigrate configure --defaults group=my-learning-rg \\",
            "        subscription=11111111-1111-1111-1111-111111111111",
            "  Clear the default resource group.",
            "    pgmigrate configure --defaults group=''",
            "  List the defaults in effect and where each comes from.",
            "    pgmigrate configure --list-defaults --output table"})
public final class ConfigureCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    DataDirOption dataDir;

    @Mixin
    OutputOption output;

    @Option(names = {"--defaults", "-d"}, arity = "1..*", paramLabel = "KEY=VALUE",
            description = "Space-separated 'name=value' pairs for common argument defaults: group, subscription, "
                    + "location. An empty value removes the default.")
    List<String> defaults;

    @Option(names = {"--list-defaults", "-l"}, description = "List the defaults in effect and their sources.")
    boolean listDefaults;

    @Override
    public void run() {
        Environment env = Environment.system();
        Defaults current = Defaults.load(dataDir.resolve(env), env);
        if (defaults != null) {
            current = current.save(parse(defaults));
        }
        if (listDefaults || defaults == null) {
            print(current);
        }
    }

    static Map<Defaults.Key, String> parse(List<String> pairs) {
        Map<Defaults.Key, String> changes = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCode.INVALID_INPUT, "Default '" + pair
                        + "' is not of the form name=value (for example: group=my-rg).");
            }
            String value = pair.substring(eq + 1).trim();
            // A shell may hand over the quotes of group='' literally when they are nested.
            if (value.equals("''") || value.equals("\"\"")) {
                value = "";
            }
            changes.put(Defaults.Key.parse(pair.substring(0, eq)), value);
        }
        return changes;
    }

    private void print(Defaults current) {
        ArrayNode list = Json.mapper().createArrayNode();
        Table table = Table.withColumns("Name", "Value", "Source");
        for (Defaults.Key key : Defaults.Key.values()) {
            current.value(key).ifPresent(v -> {
                list.addObject().put("name", key.keyName()).put("source", v.source()).put("value", v.value());
                table.row(key.keyName(), v.value(), v.source());
            });
        }
        output.print(list, l -> table.render());
    }
}
