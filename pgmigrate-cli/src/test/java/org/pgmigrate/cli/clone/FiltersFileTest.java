package org.pgmigrate.cli.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;

class FiltersFileTest {

    @Test
    void readsPgcopydbSections() {
        FiltersFile f = FiltersFile.parse("f.ini", List.of(
                "# pgcopydb filters",
                "[include-only-table]",
                "public.orders",
                "\"My Schema\".\"T;1 # not a comment\"",
                "",
                "[exclude-schema]",
                "; another comment",
                "staging",
                "[Exclude-Table-Data]",
                "  public.audit_log  ",
                "[exclude-table]",
                "[include-only-schema]",
                "public"));
        assertThat(f.includeOnlyTable()).containsExactly("public.orders", "\"My Schema\".\"T;1 # not a comment\"");
        assertThat(f.excludeSchema()).containsExactly("staging");
        assertThat(f.excludeTableData()).containsExactly("public.audit_log");
        assertThat(f.excludeTable()).isEmpty();
        assertThat(f.includeOnlySchema()).containsExactly("public");
    }

    @Test
    void aBadLineIsNamedByItsNumber() {
        assertBad(List.of("public.orders"), "f.ini line 1: 'public.orders' comes before any section");
        assertBad(List.of("[exclude-table]", "", "orders"), "f.ini line 3: Table name 'orders' must be schema.table");
        assertBad(List.of("[exclude-index]"), "f.ini line 1: section [exclude-index] is a pgcopydb filter that"
                + " pgmigrate does not have");
        assertBad(List.of("# x", "[exclude-tables]"), "f.ini line 2: unknown section [exclude-tables]; the sections"
                + " are [include-only-schema], [exclude-schema], [include-only-table], [exclude-table],"
                + " [exclude-table-data].");
        assertBad(List.of("[exclude-table]", "~/^tmp_/"), "f.ini line 2: patterns (~/^tmp_/) are not supported");
        assertBad(List.of("[exclude-schema", "x"), "f.ini line 1: a section header must end with ']'");
        assertBad(List.of("[exclude-schema]", "\"open"), "f.ini line 2: In schema name '\"open', a double quote is"
                + " not closed.");
    }

    private static void assertBad(List<String> lines, String message) {
        assertThatThrownBy(() -> FiltersFile.parse("f.ini", lines)).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
