package org.pgmigrate.cli.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.config.DataDir;
import org.pgmigrate.cli.config.Environment;

/**
 * Where the service is and how to authenticate to it. By default everything comes from the data directory that
 * {@code pgmigrate serve} writes: {@code endpoint}, {@code token} and {@code tls/server.crt} (the one certificate
 * trusted). {@code PGMIGRATE_ENDPOINT} and {@code PGMIGRATE_TOKEN} override the files; the certificate is then
 * still pinned when the data directory has one, else the system's CAs are trusted. Immutable; {@link #toString()}
 * never shows the token.
 */
public record ServiceLocation(URI endpoint, String token, Optional<Path> pinnedCertificate, DataDir dataDir,
                              String endpointSource, String tokenSource) {

    public static final String ENDPOINT_ENV = "PGMIGRATE_ENDPOINT";
    public static final String TOKEN_ENV = "PGMIGRATE_TOKEN";

    /** Reads the location, failing with what to do when the service has never been started here. */
    public static ServiceLocation locate(DataDir dataDir, Environment env) {
        String endpointSource;
        String endpointText;
        Optional<String> fromEnv = env.get(ENDPOINT_ENV);
        if (fromEnv.isPresent()) {
            endpointText = fromEnv.get();
            endpointSource = "environment variable " + ENDPOINT_ENV;
        } else {
            Path file = dataDir.endpointFile();
            endpointText = readFirstLine(file).or(() -> awaitStartingService(dataDir))
                    .orElseThrow(() -> notRunning(dataDir, "there is no endpoint file " + file));
            endpointSource = file.toString();
        }
        URI endpoint = parseEndpoint(endpointText, endpointSource);

        String tokenSource;
        String token;
        Optional<String> tokenFromEnv = env.get(TOKEN_ENV);
        if (tokenFromEnv.isPresent()) {
            token = tokenFromEnv.get();
            tokenSource = "environment variable " + TOKEN_ENV;
        } else {
            Path file = dataDir.tokenFile();
            token = readFirstLine(file).orElseThrow(() -> new CliException(ExitCode.INVALID_INPUT,
                    "No service token: " + file + " is missing or empty. `pgmigrate serve --data-dir " + dataDir
                            + "` creates it at first start; or set " + TOKEN_ENV + "."));
            tokenSource = file.toString();
        }
        Path cert = dataDir.certificateFile();
        Optional<Path> pinned = Files.isRegularFile(cert) ? Optional.of(cert) : Optional.empty();
        return new ServiceLocation(endpoint, token, pinned, dataDir, endpointSource, tokenSource);
    }

    /**
     * The endpoint of a service that is still starting (its process id is in serve.lock and alive, its endpoint not
     * written yet: the usual case right after {@code pgmigrate serve &}), once it is written; empty when no service
     * is starting, or it did not finish within {@link #START_WAIT}.
     */
    static Optional<String> awaitStartingService(DataDir dataDir) {
        Optional<ProcessHandle> starting = readFirstLine(dataDir.serveLockFile()).flatMap(ServiceLocation::process)
                .filter(ProcessHandle::isAlive);
        if (starting.isEmpty() || starting.get().pid() == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline && starting.get().isAlive()) {
            Optional<String> endpoint = readFirstLine(dataDir.endpointFile());
            if (endpoint.isPresent()) {
                return endpoint;
            }
            try {
                Thread.sleep(100); // polling a file another process writes: there is nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return readFirstLine(dataDir.endpointFile());
    }

    static final java.time.Duration START_WAIT = java.time.Duration.ofSeconds(60);

    private static Optional<ProcessHandle> process(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The error for "nothing is listening": what is wrong and how to start the service. */
    static CliException notRunning(DataDir dataDir, String why) {
        return new CliException(ExitCode.FAILED, "The pgmigrate service is not running (" + why + "). Start it with "
                + "`pgmigrate serve --data-dir " + dataDir + "` (or set " + ENDPOINT_ENV + " and " + TOKEN_ENV
                + " to reach a service elsewhere).");
    }

    static URI parseEndpoint(String text, String source) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw badEndpoint(text, source, e.getReason() + "; expected a base URL such as https://127.0.0.1:8642");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            throw badEndpoint(text, source, "expected a base URL such as https://127.0.0.1:8642");
        }
        // The bearer token travels in every request: never in clear text beyond this machine.
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw badEndpoint(text, source, "plain http is only allowed to a loopback address; use https");
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static CliException badEndpoint(String text, String source, String why) {
        return new CliException(ExitCode.INVALID_INPUT,
                "Invalid service endpoint '" + text + "' in " + source + ": " + why + ".");
    }

    private static Optional<String> readFirstLine(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::trim).filter(l -> !l.isEmpty()).findFirst();
        } catch (IOException e) {
            throw new CliException(ExitCode.INVALID_INPUT, "Cannot read " + file + ": " + e.getMessage()
                    + ". Run pgmigrate as the user that runs `pgmigrate serve`, or pass --data-dir.", e);
        }
    }

    @Override
    public String toString() {
        return "ServiceLocation[endpoint=" + endpoint + ", token=<masked>, pinnedCertificate="
                + pinnedCertificate.map(Path::toString).orElse("none (system CAs)") + "]";
    }
}
