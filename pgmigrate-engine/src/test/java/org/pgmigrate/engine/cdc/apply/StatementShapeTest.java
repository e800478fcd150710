package org.pgmigrate.engine.cdc.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementShapeTest {

    private static final BitSet NONE = new BitSet();

    @Test
    void aBatchOfInsertsBecomesOneInsertFromUnnestedArrays() {
        TargetTable t = table(new TargetTable.Column("id", true, true, true, "bigint", true),
                new TargetTable.Column("Note", false, false, true, "character(6)", true));
        StatementShape insert = new StatementShape(1, 'I', all(2), NONE, -1);

        assertThat(insert.unnestable(t)).isTrue();
        assertThat(insert.unnestSql(t)).isEqualTo("INSERT INTO \"s\".\"t\" (\"id\", \"Note\") OVERRIDING SYSTEM VALUE"
                + " SELECT * FROM unnest(?::bigint[], ?::character(6)[])");
    }

    @Test
    void insertsWithAColumnThatCannotTravelInAnArrayRunRowByRow() {
        TargetTable t = table(new TargetTable.Column("id", true, false, true, "integer", true),
                new TargetTable.Column("tags", false, false, true, "integer[]", false));

        assertThat(new StatementShape(1, 'I', all(2), NONE, -1).unnestable(t)).isFalse();
    }

    @Test
    void distinctRowUpdatesSetColumnsThenMatchKeys() {
        TargetTable t = table(new TargetTable.Column("id", true, false, true, "integer", true),
                new TargetTable.Column("n", false, false, true, "numeric(12,3)", true));
        BitSet set = new BitSet();
        set.set(1);
        StatementShape update = new StatementShape(1, 'U', set, NONE, -1);

        assertThat(update.unnestable(t)).isTrue();
        assertThat(update.unnestSql(t)).isEqualTo("UPDATE ONLY \"s\".\"t\" AS pgm_t SET \"n\" = pgm_v.c0 FROM"
                + " unnest(?::numeric(12,3)[], ?::integer[]) AS pgm_v(c0, c1) WHERE pgm_t.\"id\" = pgm_v.c1");
        assertThat(new StatementShape(1, 'D', NONE, NONE, -1).unnestable(t)).isFalse();
    }

    @Test
    void updatesAndDeletesReachOnlyTheTableItselfNotItsInheritanceChildren() {
        TargetTable t = table(new TargetTable.Column("id", true, false, true, "integer", true),
                new TargetTable.Column("n", false, false, true, "integer", true));
        BitSet set = new BitSet();
        set.set(1);

        assertThat(new StatementShape(1, 'U', set, NONE, -1).sql(t))
                .isEqualTo("UPDATE ONLY \"s\".\"t\" SET \"n\" = ? WHERE \"id\" = ?");
        assertThat(new StatementShape(1, 'D', NONE, NONE, -1).sql(t)).isEqualTo("DELETE FROM ONLY \"s\".\"t\" WHERE \"id\" = ?");
        TargetTable keyless = new TargetTable(1, "\"s\".\"t\"", "s.t", false, true, true, List.of(
                new TargetTable.Column("a", false, false, true, "integer", true),
                new TargetTable.Column("p", false, false, false, "point", true)));
        assertThat(new StatementShape(1, 'D', NONE, NONE, -1).sql(keyless)).isEqualTo("DELETE FROM ONLY \"s\".\"t\""
                + " WHERE ctid = (SELECT ctid FROM ONLY \"s\".\"t\" WHERE \"a\" = ? AND \"p\"::text = ? LIMIT 1)");
        // A partitioned table's rows are in its partitions: ONLY would reach none of them.
        TargetTable partitioned = new TargetTable(1, "\"s\".\"p\"", "s.p", true, false, true, t.columns());
        assertThat(new StatementShape(1, 'D', NONE, NONE, -1).sql(partitioned)).isEqualTo("DELETE FROM \"s\".\"p\" WHERE \"id\" = ?");
    }

    @Test
    void aTableWithoutPublishedColumnsInsertsDefaultValuesAndDeletesAnyOneRow() {
        TargetTable none = new TargetTable(1, "\"s\".\"t\"", "s.t", false, true, true, List.of());

        assertThat(new StatementShape(1, 'I', NONE, NONE, -1).sql(none)).isEqualTo("INSERT INTO \"s\".\"t\" DEFAULT VALUES");
        assertThat(new StatementShape(1, 'I', NONE, NONE, -1).unnestable(none)).isFalse();
        assertThat(new StatementShape(1, 'D', NONE, NONE, -1).sql(none))
                .isEqualTo("DELETE FROM ONLY \"s\".\"t\" WHERE ctid = (SELECT ctid FROM ONLY \"s\".\"t\" WHERE true LIMIT 1)");
    }

    @Test
    void anUpdateWithoutAnyKeyColumnIsRefusedRatherThanRunWithoutWhere() {
        // Replica identity on a generated column: the stream carries no key value.
        TargetTable t = table(new TargetTable.Column("x", false, false, true, "integer", true));
        BitSet set = new BitSet();
        set.set(0);

        assertThatThrownBy(() -> new StatementShape(1, 'U', set, NONE, -1).sql(t))
                .isInstanceOf(org.pgmigrate.engine.EngineException.class)
                .hasMessageContaining("s.t").hasMessageContaining("REPLICA IDENTITY FULL");
    }

    private static TargetTable table(TargetTable.Column... columns) {
        return new TargetTable(1, "\"s\".\"t\"", "s.t", false, false, true, List.of(columns));
    }

    private static BitSet all(int n) {
        BitSet b = new BitSet();
        b.set(0, n);
        return b;
    }
}
