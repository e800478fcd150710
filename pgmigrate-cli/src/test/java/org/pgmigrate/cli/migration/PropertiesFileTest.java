package org.pgmigrate.cli.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

class PropertiesFileTest {

    /** The seed's file, byte for byte in shape: odd indentation, sourceServerUserName with a capital N. */
    static final String SEED_JSON = """
            {
            "properties": {
             "sourceDbServerResourceId":"/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/src-rg/providers/Microsoft.DBforPostgreSQL/servers/mysource",
            "secretParameters": {
                "adminCredentials":
                {
                  "sourceServerPassword": "s3cret-source",
                  "targetServerPassword": "s3cret-target"
                },
               "sourceServerUserName": "admin@mysource",
               "targetServerUserName": "admin"
            },

            "dbsToMigrate":
               [
               "db1","db2"
               ],

            "overwriteDbsInTarget":"true"

            }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void theSeedsFileBecomesTheRestPropertiesWithSecretsNested() throws IOException {
        Files.writeString(dir.resolve("migrationBody.JSON"), SEED_JSON);

        PropertiesFile.Parsed parsed = PropertiesFile.read(dir, "migrationBody.JSON");

        JsonNode p = parsed.properties();
        assertThat(p.get("sourceDbServerResourceId").asText()).endsWith("/servers/mysource");
        assertThat(p.at("/secretParameters/adminCredentials/sourceServerPassword").asText()).isEqualTo("s3cret-source");
        assertThat(p.at("/secretParameters/adminCredentials/targetServerPassword").asText()).isEqualTo("s3cret-target");
        assertThat(p.at("/secretParameters/sourceServerUsername").asText()).isEqualTo("admin@mysource");
        assertThat(p.at("/secretParameters/targetServerUsername").asText()).isEqualTo("admin");
        assertThat(p.get("dbsToMigrate")).hasSize(2);
        assertThat(p.get("overwriteDbsInTarget").asText()).isEqualTo("True");
        assertThat(p.get("setupLogicalReplicationOnSourceDbIfNeeded").asText()).isEqualTo("False");
        assertThat(parsed.ignoredKeys()).isEmpty();
    }

    @Test
    void keysMatchInAnyCaseAsAzMatchesThem() {
        PropertiesFile.Parsed parsed = parse("""
                {"properties": {"SOURCEDBSERVERRESOURCEID": "10.0.0.1:5432@postgres", "dBsToMigrate": ["a"],
                 "overwriteDBsInTarget": "FALSE", "SetupLogicalReplicationOnSourceDBIfNeeded": "tRuE",
                 "sourcetype": "OnPremises", "SSLMODE": "Prefer",
                 "migrationRuntimeResourceId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.DBforPostgreSQL/flexibleServers/rt",
                 "SECRETPARAMETERS": {"ADMINCREDENTIALS": {"SOURCESERVERPASSWORD": "p1", "targetserverpassword": "p2"},
                                      "SourceServerUsername": "u1"}}}
                """);

        JsonNode p = parsed.properties();
        assertThat(p.get("sourceDbServerResourceId").asText()).isEqualTo("10.0.0.1:5432@postgres");
        assertThat(p.get("dbsToMigrate").get(0).asText()).isEqualTo("a");
        assertThat(p.get("overwriteDbsInTarget").asText()).isEqualTo("False");
        assertThat(p.get("setupLogicalReplicationOnSourceDbIfNeeded").asText()).isEqualTo("True");
        assertThat(p.get("sourceType").asText()).isEqualTo("OnPremises");
        assertThat(p.get("sslMode").asText()).isEqualTo("Prefer");
        assertThat(p.get("migrationInstanceResourceId").asText()).endsWith("/flexibleServers/rt");
        assertThat(p.at("/secretParameters/adminCredentials/sourceServerPassword").asText()).isEqualTo("p1");
        assertThat(p.at("/secretParameters/adminCredentials/targetServerPassword").asText()).isEqualTo("p2");
        assertThat(p.at("/secretParameters/sourceServerUsername").asText()).isEqualTo("u1");
        assertThat(parsed.ignoredKeys()).isEmpty();
    }

    @Test
    void absentFlagsAreSentAsFalseAndFlagsAzDoesNotReadOnlyWhenGiven() {
        JsonNode p = parse("""
                {"properties": {"dbsToMigrate": ["a"], "startDataMigration": "true"}}""").properties();

        assertThat(p.get("overwriteDbsInTarget").asText()).isEqualTo("False");
        assertThat(p.get("setupLogicalReplicationOnSourceDbIfNeeded").asText()).isEqualTo("False");
        assertThat(p.get("startDataMigration").asText()).isEqualTo("True");
        assertThat(p.has("migrateRoles")).isFalse();
    }

    @Test
    void aJsonBooleanCountsAsTrueOrFalse() {
        JsonNode p = parse("""
                {"properties": {"overwriteDbsInTarget": true, "setupLogicalReplicationOnSourceDbIfNeeded": false}}
                """).properties();

        assertThat(p.get("overwriteDbsInTarget").asText()).isEqualTo("True");
        assertThat(p.get("setupLogicalReplicationOnSourceDbIfNeeded").asText()).isEqualTo("False");
    }

    @Test
    void aFlagThatIsNeitherTrueNorFalseGetsAzsMessage() {
        assertThatThrownBy(() -> parse("""
                {"properties": {"overwriteDbsInTarget": "yes"}}"""))
                .isInstanceOf(CliException.class)
                .hasMessage("Value of Key OverwriteDbsInTarget must be either 'True' or 'False'")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT));
        assertThatThrownBy(() -> parse("""
                {"properties": {"SetupLogicalReplicationOnSourceDbIfNeeded": 1}}"""))
                .hasMessage("Value of Key SetupLogicalReplicationOnSourceDbIfNeeded must be either 'True' or 'False'");
    }

    @Test
    void aMissingFileGetsAzsMessageAndThePathLookedAt() {
        assertThatThrownBy(() -> PropertiesFile.read(dir, "nowhere.json"))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("Properties file does not exist in the given location")
                .hasMessageContaining(dir.resolve("nowhere.json").toString())
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT));
    }

    @Test
    void aDirectoryIsNotAPropertiesFile() {
        assertThatThrownBy(() -> PropertiesFile.read(dir, "."))
                .hasMessageStartingWith("Properties file does not exist in the given location");
    }

    @Test
    void malformedJsonGetsAzsMessageAndWhereItBroke() throws IOException {
        Files.writeString(dir.resolve("bad.json"), "{\"properties\": {\"dbsToMigrate\": [\"a\",]\n");

        assertThatThrownBy(() -> PropertiesFile.read(dir, "bad.json"))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("Invalid json file. Make sure that the json file content is properly formatted.")
                .hasMessageContaining("line 1")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT));
    }

    @Test
    void textAfterTheDocumentAndAnEmptyFileAreMalformedJsonAsForPython() throws IOException {
        Files.writeString(dir.resolve("trailing.json"), "{\"properties\": {}} }");
        Files.writeString(dir.resolve("empty.json"), "  \n");

        assertThatThrownBy(() -> PropertiesFile.read(dir, "trailing.json"))
                .hasMessageStartingWith(PropertiesFile.INVALID_JSON);
        assertThatThrownBy(() -> PropertiesFile.read(dir, "empty.json"))
                .hasMessageStartingWith(PropertiesFile.INVALID_JSON);
    }

    @Test
    void aByteOrderMarkIsNotAnError() throws IOException {
        Files.write(dir.resolve("bom.json"), ("\uFEFF" + SEED_JSON).getBytes(StandardCharsets.UTF_8));

        assertThat(PropertiesFile.read(dir, "bom.json").properties().get("dbsToMigrate")).hasSize(2);
    }

    @Test
    void anAbsolutePathIsReadAsIsWhateverTheWorkingDirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("abs.json"), SEED_JSON);

        assertThat(PropertiesFile.read(Path.of("/nonexistent"), file.toString()).properties().has("dbsToMigrate"))
                .isTrue();
    }

    @Test
    void onlyTheTopLevelPropertiesObjectIsRead() {
        assertThatThrownBy(() -> parse("""
                {"dbsToMigrate": ["a"]}"""))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("has no top-level \"properties\" object");
        assertThatThrownBy(() -> parse("[1, 2]")).hasMessageContaining("has no top-level \"properties\" object");
        JsonNode p = parse("""
                {"location": "ignored", "properties": {"dbsToMigrate": ["a"]}}""").properties();
        assertThat(p.has("location")).isFalse();
    }

    @Test
    void keysThatAreNotReadAreReportedSoThatATypoIsNoticed() {
        PropertiesFile.Parsed parsed = parse("""
                {"properties": {"dbToMigrate": ["a"], "secretParameters": {"adminCredential": {}, "x": 1}}}""");

        assertThat(parsed.ignoredKeys()).containsExactlyInAnyOrder("dbToMigrate", "secretParameters.adminCredential",
                "secretParameters.x");
        assertThat(parsed.properties().has("dbsToMigrate")).isFalse();
    }

    @Test
    void secretParametersThatAreNotAnObjectAreRefused() {
        assertThatThrownBy(() -> parse("""
                {"properties": {"secretParameters": "password"}}"""))
                .hasMessageContaining("SecretParameters")
                .hasMessageContaining("must be an object");
    }

    private static PropertiesFile.Parsed parse(String json) {
        try {
            return PropertiesFile.parse(org.pgmigrate.cli.output.Json.mapper().readTree(json), "test.json");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void allowReplicaIdentityFullIsPassedOnInAnyCaseAndOnlyWhenPresent() throws IOException {
        Files.writeString(dir.resolve("online.json"), """
                {"properties": {"dbsToMigrate": ["db1"], "ALLOWreplicaIdentityFull": "true"}}""");
        Files.writeString(dir.resolve("plain.json"), """
                {"properties": {"dbsToMigrate": ["db1"]}}""");

        PropertiesFile.Parsed online = PropertiesFile.read(dir, "online.json");
        PropertiesFile.Parsed plain = PropertiesFile.read(dir, "plain.json");

        assertThat(online.properties().get("allowReplicaIdentityFull").asText()).isEqualTo("True");
        assertThat(online.ignoredKeys()).isEmpty();
        assertThat(plain.properties().has("allowReplicaIdentityFull")).isFalse();
    }
}
