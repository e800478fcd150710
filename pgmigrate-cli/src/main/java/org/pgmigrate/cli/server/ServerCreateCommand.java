package org.pgmigrate.cli.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServerType;
import org.pgmigrate.cli.client.ServiceOptions;
import org.pgmigrate.cli.client.Tags;
import org.pgmigrate.cli.config.Defaults;
import org.pgmigrate.cli.config.ResourceGroup;
import org.pgmigrate.cli.output.Json;
import org.pgmigrate.cli.output.OutputOption;
import org.pgmigrate.engine.pg.SslMode;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code server create}: PUT of a flexible server (a target) or a single server (a source) registration. */
@Command(name = "create",
        sortOptions = false,
        description = {"Register an existing PostgreSQL server.",
            "Creates or replaces the registration; the PostgreSQL server itself is not touched."},
        footer = {"", "Examples:",
            "  Register the target of a migration.",
            "    pgmigrate server create -g my-learning-rg -n myflexibleserver \\",
            "        --host 10.0.0.5 --port 5432 --sslmode require",
            "  Register a source that the properties file names as",
            "  /subscriptions/<sub>/resourceGroups/my-learning-rg/providers/",
            "  Microsoft.DBforPostgreSQL/servers/mysource.",
            "    pgmigrate server create -g my-learning-rg -n mysource --type single \\",
            "        --host db.example.com --port 5432 \\",
            "        --restart-command 'sudo systemctl restart postgresql'"})
final class ServerCreateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    ServiceOptions service;

    @Option(names = {"--name", "-n"}, required = true, paramLabel = "NAME",
            description = "Name of the server: 3 to 63 letters, digits and hyphens.")
    String name;

    @Option(names = "--type", paramLabel = "TYPE", converter = ServerType.Converter.class, defaultValue = "flexible",
            description = "flexible: a flexible server (any migration target, or a source); single: a source named "
                    + "by a .../servers/<name> resource ID. Allowed values: ${COMPLETION-CANDIDATES}. "
                    + "Default: ${DEFAULT-VALUE}.")
    ServerType type;

    @Option(names = "--host", required = true, paramLabel = "HOST",
            description = "Host name or IP address the service connects to.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "5432",
            description = "Port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--sslmode", paramLabel = "MODE",
            description = "SSL mode for connections: prefer, require, verify-ca, verify-full (or Prefer, Require, "
                    + "VerifyCA, VerifyFull). Default: the service's (Prefer).")
    String sslMode;

    @Option(names = "--ssl-root-cert", paramLabel = "FILE",
            description = "CA certificate for verify-ca/verify-full, a path on the service's machine.")
    String sslRootCertificate;

    @Option(names = "--admin-user", paramLabel = "USER",
            description = "User to connect as when a migration's properties file names none.")
    String administratorLogin;

    @Option(names = "--restart-command", paramLabel = "CMD",
            description = "Shell command, run on the service's machine, that restarts this server; "
                    + "`migration update --setup-replication` uses it after setting wal_level=logical. Accepted only "
                    + "by a service started with `pgmigrate serve --allow-restart-commands`.")
    String restartCommand;

    @Option(names = {"--location", "-l"}, paramLabel = "LOCATION",
            description = "Location. You can configure the default location using "
                    + "`pgmigrate configure --defaults location=<location>`.")
    String location;

    @Option(names = "--tags", arity = "1..*", paramLabel = "KEY[=VALUE]",
            description = "Space-separated tags: key[=value] [key[=value] ...].")
    List<String> tags;

    @Mixin
    OutputOption output;

    @Override
    public void run() {
        if (port < 1 || port > 65535) {
            throw CliException.invalidInput("--port " + port + " is not a TCP port; use 1 to 65535.");
        }
        ObjectNode body = Json.mapper().createObjectNode();
        ResourceGroup group = service.resourceGroup();
        service.defaults().resolve(Defaults.Key.LOCATION, location).ifPresent(l -> body.put("location", l));
        if (tags != null) {
            body.set("tags", Tags.parse(tags));
        }
        ObjectNode props = body.putObject("properties");
        props.put("fullyQualifiedDomainName", host.trim());
        props.put("port", port);
        if (sslMode != null) {
            props.put("sslMode", apiSpelling(sslMode));
        }
        putIfSet(props, "sslRootCertificate", sslRootCertificate);
        putIfSet(props, "administratorLogin", administratorLogin);
        putIfSet(props, "restartCommand", restartCommand);
        var created = service.connect(output.diagnostics()).put(ArmPath.server(group, type, name), body);
        output.print(created, ServerView::table);
        String state = Json.text(created, "properties", "state");
        if (!state.isEmpty() && !state.equalsIgnoreCase("Ready")) {
            // Registered all the same: the name may resolve later, or only where the service runs.
            output.diagnostics().warning("server '" + name + "' is registered but " + state + ": "
                    + Json.text(created, "properties", "stateMessage"));
        }
    }

    /** The API spells sslmode Prefer, Require, VerifyCA, VerifyFull; libpq's spellings are accepted too. */
    static String apiSpelling(String text) {
        SslMode mode;
        try {
            mode = SslMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw CliException.invalidInput(e.getMessage());
        }
        return switch (mode) {
            case DISABLE -> "Disable";
            case ALLOW -> "Allow";
            case PREFER -> "Prefer";
            case REQUIRE -> "Require";
            case VERIFY_CA -> "VerifyCA";
            case VERIFY_FULL -> "VerifyFull";
        };
    }

    private static void putIfSet(ObjectNode node, String name, String value) {
        if (value != null && !value.isBlank()) {
            node.put(name, value);
        }
    }
}
