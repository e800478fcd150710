package org.pgmigrate.cli.clone;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.pgmigrate.cli.CliException;
import org.pgmigrate.engine.checkpoint.DirectoryCheckpointStore;
import org.pgmigrate.engine.pg.Printable;

/**
 * How a {@code clone} starts, decided before anything is written, from its flags, the checkpoint journal in the work
 * directory and the target databases that already exist. The journal of an interrupted clone is never discarded by
 * a run that was not asked to: without {@code --resume} such a run is refused (add --resume to continue, or
 * --drop-if-exists to start over), and only {@code --drop-if-exists}, once the servers are reached and proven apart,
 * starts over. Every target database in the way is named at once, not one per run. Stateless.
 */
enum CloneStart {
    /** No checkpoints: a new clone. */
    FRESH,
    /** --resume with nothing recorded: a new clone, said so. */
    NOTHING_TO_RESUME,
    /** --resume: continue from the checkpoints. */
    RESUME,
    /** --drop-if-exists without --resume over an earlier clone's checkpoints: they are discarded, the copy starts over. */
    START_OVER;

    /**
     * @param databases pairs of source and target database names
     * @param existing  the target databases of {@code databases} that exist on the target
     * @throws CliException (invalid input) naming every database in the way and what to add to the command
     */
    static CloneStart decide(boolean resume, boolean dropIfExists, DirectoryCheckpointStore journal,
                             List<String[]> databases, List<String> existing, Path dir, String targetAddress) {
        boolean journalHasEntries = journal.hasEntries();
        if (!resume) {
            if (journalHasEntries) {
                if (dropIfExists) {
                    return START_OVER;
                }
                throw CliException.invalidInput((existing.isEmpty() ? "" : inTheWay(existing, targetAddress) + " ")
                        + dir + " holds the checkpoints of an interrupted clone of this source and target. Add --resume"
                        + " to continue it, or --drop-if-exists to drop its target databases and start over.");
            }
            refuseExisting(existing, dropIfExists, targetAddress, "");
            return FRESH;
        }
        if (!journalHasEntries) {
            refuseExisting(existing, dropIfExists, targetAddress, "");
            return NOTHING_TO_RESUME;
        }
        // Resuming: a database the interrupted clone created is its to continue; any other one is in the way.
        List<String> notCreated = new ArrayList<>();
        for (String[] pair : databases) {
            if (existing.contains(pair[1]) && !journal.isDone("db/" + pair[0] + "/created")) {
                notCreated.add(pair[1]);
            }
        }
        refuseExisting(notCreated, dropIfExists, targetAddress, ", and the interrupted clone recorded in " + dir
                + " did not create " + (notCreated.size() == 1 ? "it" : "them"));
        return RESUME;
    }

    private static void refuseExisting(List<String> existing, boolean dropIfExists, String targetAddress, String why) {
        if (existing.isEmpty() || dropIfExists) {
            return;
        }
        boolean one = existing.size() == 1;
        throw CliException.invalidInput(inTheWay(existing, targetAddress).replaceFirst("\\.$", "") + why + ". Drop "
                + (one ? "it, choose another target database" : "them, choose other target databases")
                + ", or add --drop-if-exists to drop and recreate " + (one ? "it (its" : "them (their")
                + " contents are lost). Nothing was written.");
    }

    /** "Database 'a' already exists on the target h:p." or "Databases 'a', 'b' already exist on the target h:p." */
    private static String inTheWay(List<String> existing, String targetAddress) {
        String names = existing.stream().map(n -> "'" + Printable.escape(n) + "'").collect(Collectors.joining(", "));
        return (existing.size() == 1 ? "Database " + names + " already exists" : "Databases " + names + " already exist")
                + " on the target " + targetAddress + ".";
    }
}
