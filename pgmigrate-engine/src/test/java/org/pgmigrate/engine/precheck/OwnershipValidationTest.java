package org.pgmigrate.engine.precheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OwnershipValidationTest {

    @Test
    void objectsOfTheTargetUserDoNotCountAndOtherOwnersAreNamedWithTheirCounts() {
        Map<String, Map<String, Integer>> byOwner = new LinkedHashMap<>();
        byOwner.put("migrator", Map.of("table", 50));
        byOwner.put("app", Map.of("table", 2, "function", 1));
        byOwner.put("reporting", Map.of("view", 1));
        CheckResult r = OwnershipValidation.ownershipResult("shop", byOwner, "migrator", new RolePlan(false, null));
        assertThat(r.state()).isEqualTo(CheckState.Warning);
        assertThat(r.messages().get(0).message()).startsWith("4 objects of database shop (2 tables, 1 view, 1 function)"
                + " are owned by roles other than the target user migrator: app (3), reporting (1). Roles are not migrated");
        assertThat(OwnershipValidation.ownershipResult("shop", byOwner, "migrator", new RolePlan(true, null)).state()).isEqualTo(CheckState.Succeeded);
        assertThat(OwnershipValidation.ownershipResult("shop", Map.of("migrator", Map.of("table", 1)), "migrator", new RolePlan(false, null))
                .state()).isEqualTo(CheckState.Succeeded);
    }

    @Test
    void manyOwnersAreCutAfterTenAndOneObjectIsSingular() {
        Map<String, Map<String, Integer>> byOwner = new LinkedHashMap<>();
        IntStream.range(0, 12).forEach(i -> byOwner.put("r" + (char) ('a' + i), Map.of("schema", 1)));
        assertThat(OwnershipValidation.ownershipResult("db", byOwner, "postgres", new RolePlan(false, null)).messages().get(0).message())
                .contains("12 objects of database db (12 schemas)").contains("rj (1) and 2 more roles.");
        assertThat(OwnershipValidation.ownershipResult("db", Map.of("x", Map.of("type", 1)), "postgres", new RolePlan(false, null))
                .messages().get(0).message()).startsWith("1 object of database db (1 type) is owned by roles other");
    }

    @Test
    void securityDefinerFunctionsWarnWhetherRolesAreMigratedOrNot() {
        List<String> ten = IntStream.range(0, 10).mapToObj(i -> "s.f" + i + "()").toList();
        CheckResult off = OwnershipValidation.securityDefinerResult("db", ten, 15, "migrator", false, new RolePlan(false, null));
        assertThat(off.state()).isEqualTo(CheckState.Warning);
        assertThat(off.messages().get(0).message()).startsWith("15 SECURITY DEFINER functions in database db: s.f0(),")
                .contains("s.f9() and 5 more.").contains("the target user migrator and their grants")
                .doesNotContain("a superuser");
        CheckResult one = OwnershipValidation.securityDefinerResult("db", List.of("s.f()"), 1, "postgres", true, new RolePlan(true, null));
        assertThat(one.state()).isEqualTo(CheckState.Warning);
        assertThat(one.messages().get(0).message()).isEqualTo("1 SECURITY DEFINER function in database db: s.f(). It runs"
                + " with the rights of its owner, on the target too. Roles are migrated, so they keep their owners and"
                + " grants: check that those owners hold no more rights on the target than on the source.");
        assertThat(OwnershipValidation.securityDefinerResult("db", List.of(), 0, "postgres", true, new RolePlan(false, null)).state())
                .isEqualTo(CheckState.Succeeded);
    }

    @Test
    void rolesLeftOutByASettingAreWordedAsSuchWithTheSettingToChange() {
        RolePlan skipped = new RolePlan(true, "azure.migration_skip_role_user");
        CheckResult owners = OwnershipValidation.ownershipResult("shop", Map.of("app", Map.of("table", 2)), "migrator",
                skipped);
        assertThat(owners.state()).isEqualTo(CheckState.Warning);
        assertThat(owners.messages().get(0).message()).endsWith("Roles are not migrated (azure.migration_skip_role_user"
                + " is on, which overrides migrateRoles), so on the target migrator will own them all, and their grants"
                + " to other roles are not copied. To keep owners and grants, set azure.migration_skip_role_user to off"
                + " on the target server.");
        CheckResult definers = OwnershipValidation.securityDefinerResult("db", List.of("s.f()"), 1, "migrator", false,
                skipped);
        assertThat(definers.messages().get(0).message()).contains("Roles are not migrated (azure.migration_skip_role_user"
                + " is on, which overrides migrateRoles)").contains("to keep their owners and grants, set"
                + " azure.migration_skip_role_user to off on the target server, or REVOKE EXECUTE");
        assertThat(OwnershipValidation.ownershipResult("shop", Map.of("app", Map.of("table", 2)), "migrator",
                new RolePlan(false, null)).messages().get(0).message()).endsWith("(migrateRoles is off), so on the"
                + " target migrator will own them all, and their grants to other roles are not copied. To keep owners"
                + " and grants, migrate roles: set migrateRoles = True (pgmigrate clone: --roles).");
    }
}
