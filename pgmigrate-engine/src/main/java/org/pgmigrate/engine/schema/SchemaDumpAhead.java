package org.pgmigrate.engine.schema;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.threads.ContextThreads;

/**
 * The source's schema, dumped by pg_dump on a thread of its own. The dump reads only the source, in the migration's
 * snapshot, so it runs while the target database is created, which takes about as long (0.2 s each on one machine):
 * neither waits for the other. Owned by one migration thread; {@link #close} always waits for pg_dump to end, so
 * that a failure elsewhere leaves no process behind.
 */
public final class SchemaDumpAhead implements AutoCloseable {

    private final FutureTask<SchemaArchive> dump;
    private final Thread thread;

    private SchemaDumpAhead(FutureTask<SchemaArchive> dump, Thread thread) {
        this.dump = dump;
        this.thread = thread;
    }

    /** Starts {@code dump} (a {@link SchemaArchive#dump} call) at once; its log lines keep the caller's context. */
    public static SchemaDumpAhead start(String threadName, Callable<SchemaArchive> dump) {
        FutureTask<SchemaArchive> task = new FutureTask<>(dump);
        Thread thread = ContextThreads.newDaemonThread(threadName, task);
        thread.start();
        return new SchemaDumpAhead(task, thread);
    }

    /** The archive once pg_dump is done; pg_dump's failure is thrown as the dump threw it. */
    public SchemaArchive archive() {
        try {
            return dump.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(EngineError.INTERNAL, "Interrupted while waiting for pg_dump of the schema", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new EngineException(EngineError.INTERNAL, "pg_dump of the schema failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits for the dump to end, whatever its outcome (the migration's cancellation stops pg_dump itself). */
    @Override
    public void close() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
