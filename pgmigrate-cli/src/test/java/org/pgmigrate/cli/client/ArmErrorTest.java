package org.pgmigrate.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

/** A service error names REST fields; the CLI's message adds the flag or properties file key of each. */
class ArmErrorTest {

    private static String body(String code, String message, String target) {
        return """
                {"error": {"code": "%s", "message": "%s", "target": %s, "details": [], "additionalInfo": []}}
                """.formatted(code, message, target == null ? "null" : "\"" + target + "\"");
    }

    @Test
    void aMissingSourceUserNamesTheAdminUserFlagAndThePropertiesFileKey() {
        CliException e = ArmError.of(400, body("InvalidRequestContent", "No source user: set "
                + "secretParameters.sourceServerUsername, register the source server with an administratorLogin, or "
                + "give sourceDbServerResourceId as host:port@user.", "properties.secretParameters.sourceServerUsername"),
                "PUT", "/x", null);

        assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(e.getMessage()).isEqualTo("(InvalidRequestContent) No source user: set "
                + "secretParameters.sourceServerUsername, register the source server with an administratorLogin, or "
                + "give sourceDbServerResourceId as host:port@user.\n"
                + "In the CLI:\n"
                + "  secretParameters.sourceServerUsername: key \"sourceServerUserName\" in \"secretParameters\" of the "
                + "--properties file (pgmigrate migration create), or --admin-user of `pgmigrate server create` for "
                + "the source\n"
                + "  administratorLogin: --admin-user of `pgmigrate server create`\n"
                + "  sourceDbServerResourceId: key \"sourceDbServerResourceId\" of the --properties file (pgmigrate "
                + "migration create)");
    }

    @Test
    void aFieldWhoseNameIsAnOrdinaryWordIsNamedOnlyAsTheTarget() {
        CliException port = ArmError.of(400, body("InvalidParameterValue", "Property 'properties.port' must be 1 to "
                + "65535, was 70000.", "properties.port"), "PUT", "/x", null);
        CliException prose = ArmError.of(409, body("InvalidMigrationState", "Cannot cancel migration 'm1': it has "
                + "ended. Nothing to cancel on this port.", null), "PATCH", "/x", null);

        assertThat(port.getMessage()).endsWith("\nIn the CLI:\n  port: --port of `pgmigrate server create`");
        assertThat(prose.getMessage()).doesNotContain("In the CLI");
    }

    @Test
    void aPropertiesFileKeyThatDiffersFromItsRestNameIsNamedAsTheFileSpellsIt() {
        CliException e = ArmError.of(400, body("InvalidParameterValue", "migrationInstanceResourceId is not "
                + "supported.", null), "PUT", "/x", null);

        assertThat(e.getMessage()).endsWith("migrationInstanceResourceId: key \"migrationRuntimeResourceId\" of the "
                + "--properties file (pgmigrate migration create)");
    }
}
