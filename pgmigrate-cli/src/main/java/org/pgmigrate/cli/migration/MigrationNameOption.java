package org.pgmigrate.cli.migration;

import picocli.CommandLine.Option;

/** {@code --migration-name}, required: which migration of the target server a command acts on. */
final class MigrationNameOption {

    @Option(names = "--migration-name", required = true, paramLabel = "NAME", preprocessor = AttachedValue.class,
            description = "Name of the migration.")
    String value;
}
