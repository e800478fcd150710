package org.pgmigrate.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A finished part records its rows and bytes, so that a resumed run can count the earlier runs' rows. */
class PartRecordTest {

    @Test
    void aDonePartKeepsItsCounts() {
        PartRecord r = PartRecord.parse(PartRecord.done(10000, 588895)).orElseThrow();
        assertThat(r.done()).isTrue();
        assertThat(r.rows()).isEqualTo(10000);
        assertThat(r.bytes()).isEqualTo(588895);
        assertThat(r.countsKnown()).isTrue();
    }

    @Test
    void aPendingPartTurnsDoneWithTheSameCounts() {
        PartRecord pending = PartRecord.parse(PartRecord.pending(7421, 500, 9000)).orElseThrow();
        assertThat(pending.done()).isFalse();
        assertThat(pending.xid()).isEqualTo(7421);
        assertThat(pending.asDone()).isEqualTo("done 500 9000");
    }

    @Test
    void aJournalFromBeforeTheCountsReadsAsDoneWithUnknownCounts() {
        PartRecord old = PartRecord.parse("done").orElseThrow();
        assertThat(old.done()).isTrue();
        assertThat(old.countsKnown()).isFalse();
        PartRecord oldPending = PartRecord.parse("pending 7421").orElseThrow();
        assertThat(oldPending.xid()).isEqualTo(7421);
        assertThat(oldPending.countsKnown()).isFalse();
    }

    @Test
    void whatThisVersionCannotReadIsNoRecord() {
        assertThat(PartRecord.parse("pending")).isEmpty();
        assertThat(PartRecord.parse("done x y")).isEmpty();
        assertThat(PartRecord.parse("")).isEmpty();
    }
}
