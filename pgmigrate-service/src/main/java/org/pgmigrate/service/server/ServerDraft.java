package org.pgmigrate.service.server;

import java.util.Map;

/** A server registration's content (PUT). Nullable fields are unset; {@code port} null means 5432. */
public record ServerDraft(String location, Map<String, String> tags, String host, Integer port, String sslMode,
                          String sslRootCertificate, String administratorLogin, String restartCommand, String version) {
}
