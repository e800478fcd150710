package org.pgmigrate.engine.objects;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleCopyTest {

    @Test
    void recognisesExcludedRolesQuotedOrNotButNotInsideLiterals() {
        Set<String> excluded = Set.of("postgres", "Admin Role");
        assertThat(RoleCopy.mentions("GRANT app TO postgres GRANTED BY postgres;", excluded)).isTrue();
        assertThat(RoleCopy.mentions("ALTER ROLE \"Admin Role\" WITH SUPERUSER;", excluded)).isTrue();
        assertThat(RoleCopy.mentions("CREATE ROLE app;", excluded)).isFalse();
        assertThat(RoleCopy.mentions("COMMENT ON ROLE app IS 'managed by postgres';", excluded)).isFalse();
    }
}
