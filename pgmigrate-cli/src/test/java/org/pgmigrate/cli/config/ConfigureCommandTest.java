package org.pgmigrate.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.cli.client.CliRun;

class ConfigureCommandTest {

    @TempDir
    Path dataDir;

    @Test
    void defaultsArePersistedInTheDataDirAndListedWithTheirSource() {
        CliRun set = CliRun.in(dataDir, "configure", "--defaults", "group=my-learning-rg",
                "subscription=11111111-1111-1111-1111-111111111111");
        CliRun list = CliRun.in(dataDir, "configure", "--list-defaults");

        assertThat(set.exitCode()).as(set.toString()).isEqualTo(ExitCode.OK);
        assertThat(Files.exists(dataDir.resolve("defaults"))).isTrue();
        assertThat(list.out()).contains("\"name\": \"group\"").contains("\"value\": \"my-learning-rg\"")
                .contains("\"value\": \"11111111-1111-1111-1111-111111111111\"")
                .contains("\"source\": \"" + dataDir.resolve("defaults").toAbsolutePath() + "\"");
    }

    @Test
    void aConfiguredGroupSparesTheFlag() {
        CliRun before = CliRun.in(dataDir, "migration", "list", "-n", "target");
        CliRun.in(dataDir, "configure", "--defaults", "group=my-learning-rg");
        CliRun after = CliRun.in(dataDir, "migration", "list", "-n", "target");

        assertThat(before.err()).contains("the following arguments are required: --resource-group/-g");
        // The group is resolved, so the next thing missing is the service itself.
        assertThat(after.err()).doesNotContain("--resource-group").contains("The pgmigrate service is not running");
    }

    @Test
    void anEmptyValueRemovesADefault() {
        CliRun.in(dataDir, "configure", "--defaults", "group=rg1", "location=westeurope");
        CliRun.in(dataDir, "configure", "--defaults", "group=");

        CliRun list = CliRun.in(dataDir, "configure", "-l", "-o", "table");

        assertThat(list.out()).contains("location").contains("westeurope").doesNotContain("rg1");
    }

    @Test
    void anUnknownKeyOrAMalformedPairIsAUsageError() {
        CliRun unknown = CliRun.in(dataDir, "configure", "--defaults", "colour=blue");
        CliRun malformed = CliRun.in(dataDir, "configure", "--defaults", "group");

        assertThat(unknown.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(unknown.err()).contains("Unknown default 'colour'").contains("group, subscription, location");
        assertThat(malformed.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(malformed.err()).contains("not of the form name=value");
        assertThat(Files.exists(dataDir.resolve("defaults"))).isFalse();
    }

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheFile() {
        DataDir dir = new DataDir(dataDir);
        Environment none = new Environment(Map.of(), dataDir);
        Defaults.load(dir, none).save(Map.of(Defaults.Key.GROUP, "from-file", Defaults.Key.SUBSCRIPTION, "sub-file"));
        Environment withVar = new Environment(Map.of("PGMIGRATE_DEFAULTS_GROUP", "from-env"), dataDir);

        Defaults defaults = Defaults.load(dir, withVar);

        assertThat(defaults.resolve(Defaults.Key.GROUP, "from-flag")).contains("from-flag");
        assertThat(defaults.resolve(Defaults.Key.GROUP, null)).contains("from-env");
        assertThat(defaults.resolve(Defaults.Key.SUBSCRIPTION, null)).contains("sub-file");
        assertThat(Defaults.load(dir, none).resolve(Defaults.Key.GROUP, null)).contains("from-file");
        assertThat(defaults.resolve(Defaults.Key.LOCATION, null)).isEmpty();
    }

    @Test
    void withoutAnySubscriptionTheLocalOneIsUsed() {
        ResourceGroupOptions options = new ResourceGroupOptions();
        options.resourceGroup = "rg";

        ResourceGroup group = options.resolve(Defaults.load(new DataDir(dataDir), new Environment(Map.of(), dataDir)));

        assertThat(group).isEqualTo(new ResourceGroup(ResourceGroupOptions.LOCAL_SUBSCRIPTION, "rg"));
    }
}
