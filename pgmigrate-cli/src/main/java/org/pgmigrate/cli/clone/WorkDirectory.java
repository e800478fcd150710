package org.pgmigrate.cli.clone;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.cli.ExitCode;
import org.pgmigrate.engine.EngineException;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.files.FileNames;
import org.pgmigrate.engine.files.OwnerOnly;

/**
 * The life of {@code clone}'s work directory: made private before anything connects; removed by a clone that
 * succeeded (its checkpoints and schema archives are of no use any more, and they hold the source's schema); kept by
 * one that failed or was interrupted, which says where it is, since {@code --resume} continues from it; removed
 * again by a run that wrote nothing in it (refused before it started). Stateless.
 */
final class WorkDirectory {

    private WorkDirectory() {
    }

    /**
     * Makes the work directory private (0700, even when it exists) and proves it writable by creating the checkpoint
     * journal (0600), before anything connects: a --dir that cannot be used is the user's input error. A non-empty
     * directory that is not a pgmigrate work directory is refused rather than made private: it may be a shared one
     * such as /tmp or a home directory.
     */
    static void prepare(Path work) {
        if (Files.isDirectory(work) && !Files.exists(journal(work)) && !isEmpty(work)) {
            throw CliException.invalidInput("--dir " + work + " is not empty and holds no pgmigrate checkpoints."
                    + " pgmigrate makes its work directory private (mode 0700) and writes there: give a new or empty"
                    + " directory, e.g. --dir " + work.resolve("pgmigrate-clone") + ".");
        }
        try {
            OwnerOnly.directory(work);
            OwnerOnly.file(journal(work));
        } catch (EngineException e) {
            throw new CliException(ExitCode.INVALID_INPUT, e.getMessage() + " The work directory must be one you can"
                    + " create and write to: give another with --dir PATH.", e);
        }
    }

    /** Whether a run recorded anything here: a journal with checkpoints, which --resume would continue from. */
    static boolean hasCheckpoints(Path work) {
        try {
            return Files.size(journal(work)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * After a clone that succeeded: removes its checkpoint journal and the directories of {@code sourceDatabases},
     * then the work directory itself unless something else was put in it.
     */
    static void removeAfterSuccess(Path work, List<String> sourceDatabases) {
        deleteQuietly(journal(work));
        for (String db : sourceDatabases) {
            deleteTree(work.resolve(FileNames.of(db)));
        }
        deleteQuietly(work);
    }

    /** After a run that recorded nothing (refused before it started): leaves no empty work directory behind. */
    static void removeIfUnused(Path work) {
        if (Files.isDirectory(work) && !hasCheckpoints(work)) {
            deleteQuietly(journal(work));
            deleteQuietly(work);
        }
    }

    private static Path journal(Path work) {
        return work.resolve(DirectoryCheckpointStore.JOURNAL);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(WorkDirectory::deleteQuietly);
        } catch (IOException e) {
            // what cannot be listed stays; the clone itself succeeded
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (DirectoryNotEmptyException kept) {
            // something else is in it: not ours to delete
        } catch (IOException e) {
            // a leftover file is no reason to fail a clone that succeeded
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new CliException(ExitCode.INVALID_INPUT, "Cannot list --dir " + dir + " (" + e.getMessage() + "): give"
                    + " a directory you can read and write with --dir PATH.", e);
        }
    }
}
