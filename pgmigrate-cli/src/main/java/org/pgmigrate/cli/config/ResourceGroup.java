package org.pgmigrate.cli.config;

/** An ARM subscription and resource group: the scope every server and migration lives in. */
public record ResourceGroup(String subscription, String name) {
}
