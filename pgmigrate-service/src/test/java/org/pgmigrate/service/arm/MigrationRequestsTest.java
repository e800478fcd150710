package org.pgmigrate.service.arm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pgmigrate.service.ServiceError;
import org.pgmigrate.service.ServiceException;
import org.pgmigrate.service.migration.MigrationDraft;
import org.pgmigrate.service.migration.MigrationMode;
import org.pgmigrate.service.migration.MigrationOption;
import org.pgmigrate.service.migration.MigrationPatch;

class MigrationRequestsTest {

    private static MigrationDraft put(String json) {
        return MigrationRequests.parsePut(JsonBodies.parseObject(json));
    }

    private static ServiceException putFails(String json) {
        try {
            put(json);
        } catch (ServiceException e) {
            return e;
        }
        throw new AssertionError("expected a ServiceException for " + json);
    }

    @Test
    void readsTheSeedsPropertiesFileWithItsMixedCaseKeys() {
        MigrationDraft d = put("""
                { "properties": {
                    "sourceDBServerResourceId": "10.0.0.5:5432@postgres",
                    "secretParameters": {
                      "adminCredentials": { "sourceServerPassword": "s3cret", "targetServerPassword": "t4rget" },
                      "sourceServerUserName": "postgres", "targetServerUserName": "fspguser" },
                    "dBsToMigrate": ["ticketdb","timedb"],
                    "overwriteDbsInTarget": "true", "sourceType": "onpremises", "sslMode": "prefer" } }""");
        assertThat(d.spec().sourceDbServerResourceId()).isEqualTo("10.0.0.5:5432@postgres");
        assertThat(d.spec().dbsToMigrate()).containsExactly("ticketdb", "timedb");
        assertThat(d.spec().overwriteDbsInTarget()).isTrue();
        assertThat(d.spec().sourceType()).isEqualTo("OnPremises");
        assertThat(d.spec().sslMode()).isEqualTo("Prefer");
        assertThat(d.spec().migrationMode()).isEqualTo(MigrationMode.OFFLINE);
        assertThat(d.spec().migrationOption()).isEqualTo(MigrationOption.VALIDATE_AND_MIGRATE);
        assertThat(d.secrets().sourceServerPassword()).isEqualTo("s3cret");
        assertThat(d.secrets().targetServerUsername()).isEqualTo("fspguser");
        assertThat(d.secrets().toString()).doesNotContain("s3cret");
        assertThat(d.location()).isNull();
    }

    @Test
    void readsOnlineModeAndAllowReplicaIdentityFullInAnyCase() {
        MigrationDraft d = put("""
                {"properties": {"sourceDbServerResourceId": "h:5432@u", "dbsToMigrate": ["a"], "migrationMode": "online",
                 "ALLOWREPLICAIDENTITYFULL": "true",
                 "secretParameters": {"adminCredentials": {"sourceServerPassword": "", "targetServerPassword": ""}}}}""");
        assertThat(d.spec().migrationMode()).isEqualTo(MigrationMode.ONLINE);
        assertThat(d.spec().allowReplicaIdentityFull()).isTrue();
        ServiceException bad = putFails("""
                {"properties": {"sourceDbServerResourceId": "h:5432@u", "allowReplicaIdentityFull": "yes",
                 "secretParameters": {"adminCredentials": {"sourceServerPassword": "", "targetServerPassword": ""}}}}""");
        assertThat(bad.getMessage()).isEqualTo("Value of Key properties.allowReplicaIdentityFull must be either 'True' or 'False'");
    }

    @Test
    void absentTrueFalsePropertiesAreFalse() {
        MigrationDraft d = put("""
                {"properties": {"sourceDbServerResourceId": "h:5432@u", "dbsToMigrate": ["a"],
                 "secretParameters": {"adminCredentials": {"sourceServerPassword": "", "targetServerPassword": ""}}}}""");
        assertThat(d.spec().overwriteDbsInTarget()).isFalse();
        assertThat(d.spec().setupLogicalReplicationOnSourceDbIfNeeded()).isFalse();
        assertThat(d.spec().migrateRoles()).isFalse();
        assertThat(d.spec().allowReplicaIdentityFull()).isFalse();
    }

    @Test
    void aTrueFalsePropertyWithAnotherValueGetsAzWording() {
        ServiceException e = putFails("""
                {"properties": {"overwriteDbsInTarget": "yes"}}""");
        assertThat(e.error()).isEqualTo(ServiceError.INVALID_REQUEST_CONTENT);
        assertThat(e.getMessage()).isEqualTo("Value of Key properties.overwriteDbsInTarget must be either 'True' or 'False'");
    }

    @Test
    void unknownKeysAreRefusedByName() {
        ServiceException e = putFails("""
                {"properties": {"dbsToMigrat": ["a"]}}""");
        assertThat(e.getMessage()).contains("Unknown property 'properties.dbsToMigrat'").contains("dbsToMigrate");
        assertThat(e.target()).isEqualTo("properties.dbsToMigrat");
        assertThat(putFails("{\"propertys\": {}}").getMessage()).contains("Unknown property 'propertys'");
        assertThat(putFails("""
                {"properties": {"secretParameters": {"adminCredentials": {"sourcePassword": "x"}}}}""").getMessage())
                .contains("'properties.secretParameters.adminCredentials.sourcePassword'");
    }

    @Test
    void keysThatDifferOnlyInCaseAreRefused() {
        assertThat(putFails("""
                {"properties": {"dbsToMigrate": ["a"], "DBSTOMIGRATE": ["b"]}}""").getMessage()).contains("given twice");
    }

    @Test
    void readOnlyPropertiesFromAGetAreIgnored() {
        MigrationDraft d = put("""
                {"id": "/x", "name": "m", "type": "t", "properties": {"migrationId": "abc", "currentStatus": {},
                 "sourceDbServerResourceId": "h:1@u", "dbsToMigrate": ["a"], "targetDbServerResourceId": "/y",
                 "secretParameters": {"adminCredentials": {"sourceServerPassword": "p", "targetServerPassword": "q"}}}}""");
        assertThat(d.spec().dbsToMigrate()).containsExactly("a");
    }

    @Test
    void malformedOrMissingJsonIsABadRequest() {
        assertThat(assertThrows("")).contains("empty");
        assertThat(assertThrows("{\"properties\": ")).contains("could not be deserialized");
        assertThat(assertThrows("[1, 2]")).contains("must be a JSON object");
        assertThat(assertThrows("{\"location\": \"x\"}")).contains("'properties' is required");
        assertThat(assertThrows("{\"properties\": {\"dbsToMigrate\": \"a\"}}")).contains("must be an array");
    }

    @Test
    void aPasswordTypedWithoutQuotesIsNotEchoed() {
        assertThat(assertThrows("{\"properties\": {\"secretParameters\": {\"adminCredentials\": "
                + "{\"sourceServerPassword\": Hunter2Secret}}}}")).doesNotContain("Hunter2Secret");
    }

    @Test
    void secretParametersAreRequiredAtCreation() {
        assertThat(assertThrows("""
                {"properties": {"sourceDbServerResourceId": "h:1@u", "dbsToMigrate": ["a"]}}"""))
                .contains("secretParameters' is required");
    }

    @Test
    void patchReadsOnlyWhatIsGiven() {
        MigrationPatch p = MigrationRequests.parsePatch(JsonBodies.parseObject("""
                {"properties": {"Cancel": "True", "dbsToCancelMigrationOn": ["a"]}}"""));
        assertThat(p.cancel()).isTrue();
        assertThat(p.dbsToCancelMigrationOn()).containsExactly("a");
        assertThat(p.triggerCutover()).isNull();
        assertThat(p.secrets()).isNull();
        assertThatThrownBy(() -> MigrationRequests.parsePatch(JsonBodies.parseObject("{\"properties\": {\"migrationOption\": \"Migrate\"}}")))
                .hasMessageContaining("Unknown property 'properties.migrationOption'");
    }

    @Test
    void nameCheckWantsTheMigrationsType() {
        assertThat(MigrationRequests.parseNameCheck(JsonBodies.parseObject(
                "{\"name\": \"m1\", \"type\": \"Microsoft.DBforPostgreSQL/flexibleServers/migrations\"}"))).isEqualTo("m1");
        assertThatThrownBy(() -> MigrationRequests.parseNameCheck(JsonBodies.parseObject("{\"name\": \"m1\", \"type\": \"x\"}")))
                .isInstanceOf(ServiceException.class).hasMessageContaining("must be 'Microsoft.DBforPostgreSQL");
    }

    private static String assertThrows(String json) {
        ServiceException e = putFails(json);
        assertThat(e.error().httpStatus()).isEqualTo(400);
        return e.getMessage();
    }
}
