package org.pgmigrate.service.migration;

import static org.pgmigrate.service.migration.MigrationState.CANCELED;
import static org.pgmigrate.service.migration.MigrationState.FAILED;
import static org.pgmigrate.service.migration.MigrationState.IN_PROGRESS;
import static org.pgmigrate.service.migration.MigrationState.SUCCEEDED;
import static org.pgmigrate.service.migration.MigrationState.VALIDATION_FAILED;
import static org.pgmigrate.service.migration.MigrationState.WAITING_FOR_USER_ACTION;
import static org.pgmigrate.service.migration.MigrationSubState.CANCELING_REQUESTED_DB_MIGRATIONS;
import static org.pgmigrate.service.migration.MigrationSubState.COMPLETED;
import static org.pgmigrate.service.migration.MigrationSubState.COMPLETING_MIGRATION;
import static org.pgmigrate.service.migration.MigrationSubState.MIGRATING_DATA;
import static org.pgmigrate.service.migration.MigrationSubState.PERFORMING_PRE_REQUISITE_STEPS;
import static org.pgmigrate.service.migration.MigrationSubState.VALIDATION_IN_PROGRESS;
import static org.pgmigrate.service.migration.MigrationSubState.WAITING_FOR_CUTOVER_TRIGGER;
import static org.pgmigrate.service.migration.MigrationSubState.WAITING_FOR_DATA_MIGRATION_WINDOW;
import static org.pgmigrate.service.migration.MigrationSubState.WAITING_FOR_DBS_TO_MIGRATE_SPECIFICATION;
import static org.pgmigrate.service.migration.MigrationSubState.WAITING_FOR_LOGICAL_REPLICATION_SETUP_REQUEST_ON_SOURCE_DB;
import static org.pgmigrate.service.migration.MigrationSubState.WAITING_FOR_TARGET_DB_OVERWRITE_CONFIRMATION;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A migration's (state, substate) pair and the legal moves between pairs: spec section 2.11 and issue 3. Every
 * change of status goes through {@link #moveTo}, which throws {@link IllegalStateException} naming both pairs for
 * a move the table does not allow. Immutable.
 */
public record MigrationStatus(MigrationState state, MigrationSubState subState) {

    public static final MigrationStatus PREREQUISITES = new MigrationStatus(IN_PROGRESS, PERFORMING_PRE_REQUISITE_STEPS);
    public static final MigrationStatus VALIDATING = new MigrationStatus(IN_PROGRESS, VALIDATION_IN_PROGRESS);
    public static final MigrationStatus WINDOW = new MigrationStatus(IN_PROGRESS, WAITING_FOR_DATA_MIGRATION_WINDOW);
    public static final MigrationStatus DBS_SPECIFICATION =
            new MigrationStatus(WAITING_FOR_USER_ACTION, WAITING_FOR_DBS_TO_MIGRATE_SPECIFICATION);
    public static final MigrationStatus OVERWRITE_CONFIRMATION =
            new MigrationStatus(WAITING_FOR_USER_ACTION, WAITING_FOR_TARGET_DB_OVERWRITE_CONFIRMATION);
    public static final MigrationStatus LOGICAL_REPLICATION_SETUP =
            new MigrationStatus(WAITING_FOR_USER_ACTION, WAITING_FOR_LOGICAL_REPLICATION_SETUP_REQUEST_ON_SOURCE_DB);
    public static final MigrationStatus MIGRATING = new MigrationStatus(IN_PROGRESS, MIGRATING_DATA);
    public static final MigrationStatus CUTOVER_TRIGGER = new MigrationStatus(WAITING_FOR_USER_ACTION, WAITING_FOR_CUTOVER_TRIGGER);
    public static final MigrationStatus COMPLETING = new MigrationStatus(IN_PROGRESS, COMPLETING_MIGRATION);
    public static final MigrationStatus CANCELING = new MigrationStatus(IN_PROGRESS, CANCELING_REQUESTED_DB_MIGRATIONS);
    public static final MigrationStatus SUCCEEDED_DONE = new MigrationStatus(SUCCEEDED, COMPLETED);
    public static final MigrationStatus FAILED_DONE = new MigrationStatus(FAILED, COMPLETED);
    public static final MigrationStatus CANCELED_DONE = new MigrationStatus(CANCELED, COMPLETED);
    public static final MigrationStatus VALIDATION_FAILED_DONE = new MigrationStatus(VALIDATION_FAILED, COMPLETED);

    /** Where each pair may go. Every non-terminal pair may also fail or be canceled (added below). */
    private static final Map<MigrationStatus, List<MigrationStatus>> MOVES = Map.ofEntries(
            Map.entry(PREREQUISITES, List.of(VALIDATING, MIGRATING, WINDOW, DBS_SPECIFICATION, OVERWRITE_CONFIRMATION,
                    LOGICAL_REPLICATION_SETUP, PREREQUISITES)),
            Map.entry(WINDOW, List.of(PREREQUISITES)),
            Map.entry(DBS_SPECIFICATION, List.of(PREREQUISITES, WINDOW)),
            Map.entry(OVERWRITE_CONFIRMATION, List.of(PREREQUISITES)),
            Map.entry(LOGICAL_REPLICATION_SETUP, List.of(PREREQUISITES)),
            Map.entry(VALIDATING, List.of(MIGRATING, VALIDATION_FAILED_DONE, SUCCEEDED_DONE, OVERWRITE_CONFIRMATION,
                    LOGICAL_REPLICATION_SETUP)),
            Map.entry(MIGRATING, List.of(COMPLETING, CUTOVER_TRIGGER)),
            Map.entry(CUTOVER_TRIGGER, List.of(COMPLETING)),
            // online: a cutover of some databases returns to wait for the others' trigger
            Map.entry(COMPLETING, List.of(SUCCEEDED_DONE, CUTOVER_TRIGGER)),
            Map.entry(CANCELING, List.of()));

    private static final Set<MigrationStatus> ENDINGS = Set.of(FAILED_DONE, CANCELED_DONE, CANCELING);

    public MigrationStatus {
        if (state.isTerminal() != (subState == COMPLETED)) {
            throw new IllegalArgumentException("A migration is " + subState.wireName() + " exactly when it is finished; "
                    + state.wireName() + "/" + subState.wireName() + " is not a valid pair.");
        }
    }

    public boolean isTerminal() {
        return state.isTerminal();
    }

    /** The next pair; throws {@link IllegalStateException} when the move is not allowed. */
    public MigrationStatus moveTo(MigrationStatus next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("Illegal migration state change from " + this + " to " + next + ".");
        }
        return next;
    }

    public boolean canMoveTo(MigrationStatus next) {
        if (equals(next) && !isTerminal()) {
            return true;
        }
        if (isTerminal()) {
            return false;
        }
        if (equals(CANCELING)) {
            return next.equals(CANCELED_DONE) || next.equals(FAILED_DONE);
        }
        return ENDINGS.contains(next) || MOVES.getOrDefault(this, List.of()).contains(next);
    }

    @Override
    public String toString() {
        return state.wireName() + "/" + subState.wireName();
    }
}
