package org.pgmigrate.engine.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

class TableFilterTest {

    @Test
    void namesAreReadAsSqlReadsThem() {
        assertThat(QualifiedName.parseTable("Sales.Orders")).isEqualTo(new QualifiedName("sales", "orders"));
        assertThat(QualifiedName.parseTable("\"My Schema\".\"T.1\"")).isEqualTo(new QualifiedName("My Schema", "T.1"));
        assertThat(QualifiedName.parseTable(" public . \"say \"\"hi\"\"\" ")).isEqualTo(
                new QualifiedName("public", "say \"hi\""));
        assertThat(QualifiedName.parseTable("ÄÖ.Tab")).isEqualTo(new QualifiedName("ÄÖ", "tab"));
        assertThat(QualifiedName.parseSchema("\"a.b\"")).isEqualTo("a.b");
        assertThat(new QualifiedName("My Schema", "T.1").quoted()).isEqualTo("\"My Schema\".\"T.1\"");
        assertThat(new QualifiedName("My Schema", "t").toString()).isEqualTo("\"My Schema\".t");
    }

    @Test
    void unreadableNamesSayWhatIsWrong() {
        assertInvalid(() -> QualifiedName.parseTable("orders"), "must be schema.table (for example public.orders)");
        assertInvalid(() -> QualifiedName.parseTable("a.b.c"), "must be schema.table, with a double-quoted part");
        assertInvalid(() -> QualifiedName.parseTable("\"a.b"), "a double quote is not closed");
        assertInvalid(() -> QualifiedName.parseTable("a..b"), "a part is empty");
        assertInvalid(() -> QualifiedName.parseTable("a\"b\".c"), "a quote starts in the middle of a name");
        assertInvalid(() -> QualifiedName.parseTable("\"a\"b.c"), "text follows a closing quote");
        assertInvalid(() -> QualifiedName.parseSchema("a.b"), "has 2 parts");
        assertInvalid(() -> QualifiedName.parseSchema(" "), "An empty schema name");
    }

    @Test
    void aNameInTwoListsIsRefused() {
        assertInvalid(() -> TableFilter.parse(List.of("a"), List.of("A"), null, null, null),
                "Schema a is both included and excluded");
        assertInvalid(() -> TableFilter.parse(null, null, List.of("public.t"), List.of("PUBLIC.T"), null),
                "Table public.t is both included and excluded");
    }

    @Test
    void newTablesAreWantedWhenTheFilterWouldHaveTakenTheirRows() {
        TableFilter filter = TableFilter.parse(null, List.of("staging"), List.of("public.events", "public.orders"),
                null, List.of("public.log"));
        QualifiedName events = new QualifiedName("public", "events");
        assertThat(filter.wantsRowsOf(new QualifiedName("public", "events_2030"), List.of(events))).isTrue();
        assertThat(filter.wantsRowsOf(new QualifiedName("public", "other"), List.of())).isFalse();
        assertThat(filter.wantsRowsOf(new QualifiedName("staging", "events"), List.of())).isFalse();
        assertThat(TableFilter.parse(null, null, null, null, List.of("public.log"))
                .wantsRowsOf(new QualifiedName("public", "log_1"), List.of(new QualifiedName("public", "log"))))
                .isFalse();
        assertThat(filter.describe()).isEqualTo("exclude-schema: staging; include-only-table: public.events,"
                + " public.orders; exclude-table-data: public.log");
    }

    private static void assertInvalid(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.error()).isEqualTo(EngineError.INVALID_INPUT);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
