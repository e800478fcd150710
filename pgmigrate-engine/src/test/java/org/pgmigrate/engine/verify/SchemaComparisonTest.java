package org.pgmigrate.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pgmigrate.engine.verify.SchemaDefinitions.Definition;

class SchemaComparisonTest {

    private static final Definition TABLE = new Definition("table", "shop.orders", "table", false, null);
    private static final Definition INDEX = new Definition("index", "shop.orders_customer",
            "CREATE INDEX orders_customer ON shop.orders USING btree (customer_id)", true, "table shop.orders");

    @Test
    void equalDefinitionsHaveNoDifference() {
        SchemaComparison.Result r = SchemaComparison.compare(defs(TABLE, INDEX), defs(TABLE, INDEX), 15, 15);
        assertThat(r.differences()).isEmpty();
        assertThat(r.notes()).isEmpty();
    }

    @Test
    void anObjectOnOneSideOnlyIsNamedWithItsDefinition() {
        Definition extra = new Definition("index", "shop.orders_placed",
                "CREATE INDEX orders_placed ON shop.orders USING btree (placed_at)", true, "table shop.orders");
        SchemaComparison.Result r = SchemaComparison.compare(defs(TABLE, INDEX), defs(TABLE, extra), 15, 15);
        assertThat(r.differences()).containsExactly(
                "missing on the target: index shop.orders_customer (CREATE INDEX orders_customer ON shop.orders USING"
                        + " btree (customer_id))",
                "only on the target: index shop.orders_placed (CREATE INDEX orders_placed ON shop.orders USING btree"
                        + " (placed_at))");
    }

    @Test
    void whatBelongsToAMissingObjectIsNotListedAgain() {
        Definition column = new Definition("column", "shop.orders.id", "integer NOT NULL", false, "table shop.orders");
        Definition columnDefault = new Definition("default of column", "shop.orders.id", "nextval('x'::regclass)",
                true, "column shop.orders.id");
        SchemaComparison.Result r = SchemaComparison.compare(defs(TABLE, column, columnDefault, INDEX), defs(), 15, 15);
        assertThat(r.differences()).containsExactly("missing on the target: table shop.orders (table)");
    }

    @Test
    void aDifferentDefinitionIsNamedWithBothSides() {
        Definition changed = new Definition("index", "shop.orders_customer",
                "CREATE INDEX orders_customer ON shop.orders USING btree (customer_id, placed_at)", true,
                "table shop.orders");
        SchemaComparison.Result r = SchemaComparison.compare(defs(TABLE, INDEX), defs(TABLE, changed), 15, 15);
        assertThat(r.differences()).containsExactly("index shop.orders_customer: source CREATE INDEX orders_customer"
                + " ON shop.orders USING btree (customer_id), target CREATE INDEX orders_customer ON shop.orders USING"
                + " btree (customer_id, placed_at)");
    }

    @Test
    void betweenMajorsALayoutDifferenceInAPrintedDefinitionIsNone() {
        Definition v11 = new Definition("query of view", "shop.paid", " SELECT orders.id\n   FROM shop.orders\n"
                + "  WHERE ( orders.paid );", true, null);
        Definition v15 = new Definition("query of view", "shop.paid", "SELECT orders.id\n FROM shop.orders\n"
                + " WHERE (orders.paid)", true, null);
        SchemaComparison.Result r = SchemaComparison.compare(defs(v11), defs(v15), 11, 15);
        assertThat(r.differences()).isEmpty();
        assertThat(r.notes()).isEmpty();
        // On one major, pg_restore's object prints exactly as the source's: the same layout difference counts.
        assertThat(SchemaComparison.compare(defs(v11), defs(v15), 15, 15).differences()).hasSize(1);
    }

    @Test
    void betweenMajorsAnotherDifferenceInAPrintedDefinitionIsANoteNotADifference() {
        Definition v11 = new Definition("constraint", "shop.lines.qty_check", "CHECK ((qty > 0))", true, null);
        Definition v15 = new Definition("constraint", "shop.lines.qty_check", "CHECK (qty > 0)", true, null);
        SchemaComparison.Result r = SchemaComparison.compare(defs(v11), defs(v15), 11, 15);
        assertThat(r.differences()).isEmpty();
        assertThat(r.notes()).containsExactly("constraint shop.lines.qty_check: PostgreSQL 11 (source) and 15 (target)"
                + " print it differently, not counted as a difference: source CHECK ((qty > 0)), target CHECK (qty > 0)");
    }

    @Test
    void betweenMajorsADifferenceInAStoredDefinitionStillCounts() {
        Definition s = new Definition("sequence", "shop.numbers", "as bigint, increment 7", false, null);
        Definition t = new Definition("sequence", "shop.numbers", "as bigint, increment 5", false, null);
        SchemaComparison.Result r = SchemaComparison.compare(defs(s), defs(t), 11, 15);
        assertThat(r.differences()).containsExactly("sequence shop.numbers: source as bigint, increment 7, target as"
                + " bigint, increment 5");
        assertThat(r.notes()).isEmpty();
    }

    @Test
    void multiLineDefinitionsAreShownAtTheirFirstDifferingLine() {
        Definition s = new Definition("body of function", "shop.audit()", "\nBEGIN\n    INSERT INTO log VALUES (1);\n"
                + "    RETURN NEW;\nEND ", false, null);
        Definition t = new Definition("body of function", "shop.audit()", "\nBEGIN\n    RETURN NEW;\nEND ", false, null);
        assertThat(SchemaComparison.compare(defs(s), defs(t), 15, 15).differences()).containsExactly(
                "body of function shop.audit(): they differ from line 3 on (5 lines on the source, 4 on the target):"
                        + " source 'INSERT INTO log VALUES (1);', target 'RETURN NEW;'");
    }

    @Test
    void aVeryLongLineIsCutAroundWhereItDiffers() {
        String common = "x".repeat(400);
        Definition s = new Definition("default of column", "t.c", common + "A" + "y".repeat(400), true, null);
        Definition t = new Definition("default of column", "t.c", common + "B" + "y".repeat(400), true, null);
        String d = SchemaComparison.compare(defs(s), defs(t), 15, 15).differences().get(0);
        assertThat(d).contains("source '..." + "x".repeat(40) + "A").contains("target '..." + "x".repeat(40) + "B")
                .hasSizeLessThan(500);
    }

    @Test
    void largeObjectsAreCompared() {
        Definition s = new Definition("large objects", "", "3", false, null);
        Definition t = new Definition("large objects", "", "2", false, null);
        assertThat(SchemaComparison.compare(defs(s), defs(t), 15, 15).differences())
                .containsExactly("large objects: 3 on the source, 2 on the target");
    }

    @Test
    void pastAHundredDifferencesTheRestAreCounted() {
        Map<String, Definition> source = new LinkedHashMap<>();
        for (int i = 0; i < 130; i++) {
            Definition d = new Definition("table", "s.t" + i, "table", false, null);
            source.put(d.key(), d);
        }
        SchemaComparison.Result r = SchemaComparison.compare(source, Map.of(), 15, 15);
        assertThat(r.differences()).hasSize(SchemaComparison.MAX_LISTED + 1)
                .endsWith("... and 30 more differences")
                .startsWith("missing on the target: table s.t0 (table)");
    }

    private static Map<String, Definition> defs(Definition... all) {
        Map<String, Definition> m = new LinkedHashMap<>();
        for (Definition d : all) {
            m.put(d.key(), d);
        }
        return m;
    }
}
