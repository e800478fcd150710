package org.pgmigrate.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text form a cutover keeps in its checkpoints, for the verification after it in this or a later process. */
class SourceWritesTest {

    @Test
    void namesWithAnyCharacterComeBackAsTheyWere() {
        SourceWrites writes = new SourceWrites(Map.of("shop.orders", 10L, "we\tird.ta\\ble\nname\r", 0L),
                List.of(new SourceWrites.Sequence("shop", "orders_id_seq", "1000"),
                        new SourceWrites.Sequence("s\\n", "q\tx", "null")));
        SourceWrites back = SourceWrites.decode(writes.encode());
        assertThat(back).isEqualTo(writes);
        assertThat(back.since(writes).none()).isTrue();
    }

    @Test
    void nothingWrittenIsEmpty() {
        SourceWrites none = new SourceWrites(Map.of(), List.of());
        assertThat(none.encode()).isEmpty();
        assertThat(SourceWrites.decode("")).isEqualTo(none);
    }

    @Test
    void anythingElseIsRefused() {
        assertThatThrownBy(() -> SourceWrites.decode("{\"tables\":{}}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a line of source write counters");
        assertThatThrownBy(() -> SourceWrites.decode("t\tshop.orders\tmany"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Not a write count");
    }
}
