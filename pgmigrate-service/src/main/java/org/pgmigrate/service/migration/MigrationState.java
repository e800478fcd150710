package org.pgmigrate.service.migration;

import java.util.Locale;

/** {@code currentStatus.state}: the seven values of the spec's MigrationState, in their wire spelling. */
public enum MigrationState {
    IN_PROGRESS("InProgress"),
    WAITING_FOR_USER_ACTION("WaitingForUserAction"),
    CANCELED("Canceled"),
    FAILED("Failed"),
    SUCCEEDED("Succeeded"),
    VALIDATION_FAILED("ValidationFailed"),
    CLEANING_UP("CleaningUp");

    private final String wireName;

    MigrationState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Finished: no worker will touch it again, and it is not listed by {@code migrationListFilter=Active}. */
    public boolean isTerminal() {
        return this == CANCELED || this == FAILED || this == SUCCEEDED || this == VALIDATION_FAILED;
    }

    public static MigrationState parse(String text) {
        for (MigrationState s : values()) {
            if (s.wireName.equalsIgnoreCase(text) || s.name().equals(text.toUpperCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown migration state '" + text + "'");
    }
}
