package org.pgmigrate.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest (set by the build), or "development". */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = RootCommand.class.getPackage().getImplementationVersion();
        return new String[] {"pgmigrate " + (v == null ? "development" : v)};
    }
}
