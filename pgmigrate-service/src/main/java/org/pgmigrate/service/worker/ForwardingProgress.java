package org.pgmigrate.service.worker;

import java.time.Duration;
import org.pgmigrate.engine.progress.Phase;
import org.pgmigrate.engine.progress.ProgressListener;
import org.pgmigrate.engine.progress.TableStats;
import org.pgmigrate.engine.verify.VerificationReport;

/** A {@link ProgressListener} that passes everything on to another; subclasses override what they add to. */
class ForwardingProgress implements ProgressListener {

    private final ProgressListener next;

    ForwardingProgress(ProgressListener next) {
        this.next = next;
    }

    @Override
    public void phaseStarted(String database, Phase phase) {
        next.phaseStarted(database, phase);
    }

    @Override
    public void phaseCompleted(String database, Phase phase, Duration took) {
        next.phaseCompleted(database, phase, took);
    }

    @Override
    public void tablesQueued(String database, int tables, long totalBytes) {
        next.tablesQueued(database, tables, totalBytes);
    }

    @Override
    public void copiedEarlier(String database, long rows, long bytes) {
        next.copiedEarlier(database, rows, bytes);
    }

    @Override
    public void tableStarted(String database, String table) {
        next.tableStarted(database, table);
    }

    @Override
    public void rowsCopied(String database, String table, long rows, long bytes) {
        next.rowsCopied(database, table, rows, bytes);
    }

    @Override
    public void tableCompleted(String database, TableStats stats) {
        next.tableCompleted(database, stats);
    }

    @Override
    public void tableFailed(String database, String table, String message) {
        next.tableFailed(database, table, message);
    }

    @Override
    public void indexesBuilt(String database, String table, int indexes, Duration took) {
        next.indexesBuilt(database, table, indexes, took);
    }

    @Override
    public void verified(String database, VerificationReport report) {
        next.verified(database, report);
    }

    @Override
    public void notice(String database, String message) {
        next.notice(database, message);
    }

    @Override
    public void slotCreationWaiting(String database, String message) {
        next.slotCreationWaiting(database, message);
    }
}
