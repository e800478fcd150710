package org.pgmigrate.engine.cdc;

/**
 * The steps of a cutover, in order; a failure names the step it happened in. Up to {@link #MATERIALIZED_VIEWS}
 * nothing is irreversible: a failure there puts replication back to applying changes, and the cutover can be
 * triggered again. {@link #SOURCE_CLEANUP} starts only after the caller recorded that the target is complete.
 */
public enum CutoverStep {
    END_POINT("take the source's current WAL position as the end point"),
    DRAIN("apply every change up to the end point"),
    DURABLE("prove the applied changes are flushed on the target"),
    SEQUENCES("set sequences from their live source values"),
    IDENTITY("switch identity columns back to GENERATED ALWAYS"),
    MATERIALIZED_VIEWS("refresh materialized views"),
    SOURCE_CLEANUP("drop the replication slot, publication and progress");

    private final String description;

    CutoverStep(String description) {
        this.description = description;
    }

    /** What the step does, for messages ("Cutover step 'refresh materialized views' failed: ..."). */
    public String description() {
        return description;
    }
}
