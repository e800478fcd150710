package org.pgmigrate.cli.portal;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.pgmigrate.cli.client.ArmClient;
import org.pgmigrate.cli.client.ArmPath;
import org.pgmigrate.cli.client.ServiceLocation;
import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.DataDirOption;
import org.pgmigrate.cli.config.Environment;
import org.pgmigrate.cli.output.Diagnostics;
import org.pgmigrate.cli.output.HelpOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pgmigrate portal}: prints the web portal's sign-in link, {@code <endpoint>/portal/login#token=<token>}.
 * The token rides in the URL fragment, which a browser never sends, so it reaches no server or proxy log; the
 * portal moves it into the tab's sessionStorage and drops it from the address bar. The service is asked first
 * (an authenticated /healthz), so a link is printed only when it will work.
 */
@Command(name = "portal",
        description = {"Print the web portal's sign-in link.",
            "Open the link in a browser on a machine that trusts the service's certificate. It carries the service "
                    + "token (in the part after '#', which the browser keeps to itself): treat it like the token."},
        footer = {"", "Examples:",
            "  Print the sign-in link of the service in ~/.pgmigrate.",
            "    pgmigrate portal",
            "  Open it in the desktop's browser.",
            "    xdg-open \"$(pgmigrate portal)\""})
public final class PortalCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    DataDirOption dataDir;

    @Override
    public void run() {
        Environment env = Environment.system();
        DataDir dir = dataDir.resolve(env);
        ServiceLocation location = ServiceLocation.locate(dir, env);
        // Fails with "not running" or "token refused" before a dead link is printed.
        ArmClient.connect(dir, env, Diagnostics.quiet(spec.commandLine().getErr()))
                .get(new ArmPath("/healthz", Map.of()));
        PrintWriter out = spec.commandLine().getOut();
        out.println(signInLink(location));
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("The link signs in with the service token: do not share it. The portal without the token: "
                + location.endpoint() + "/portal/");
        err.flush();
    }

    static String signInLink(ServiceLocation location) {
        // Form-encoded, as the portal reads the fragment with URLSearchParams (a PGMIGRATE_TOKEN may hold any text).
        return location.endpoint() + "/portal/login#token=" + URLEncoder.encode(location.token(), StandardCharsets.UTF_8);
    }
}
