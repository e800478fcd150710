package org.pgmigrate.engine.precheck;

/** The ARM API's ValidationState: a migration proceeds only when every check is Succeeded or Warning. */
public enum CheckState {
    Succeeded,
    Warning,
    Failed;

    /** The worse of two states. */
    public CheckState and(CheckState other) {
        return ordinal() >= other.ordinal() ? this : other;
    }
}
