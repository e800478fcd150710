package org.pgmigrate.engine.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.pgmigrate.engine.files.OwnerOnly;

/**
 * Checkpoints in a work directory, for {@code pgmigrate clone --dir}: an append-only journal of {@code key TAB value}
 * lines, fsynced on every {@link #put}. A {@link #putRedoable} line is written without its own fsync: the next
 * {@link #put}'s fsync, or {@link #close}, makes it durable with every line before it. (On 2,041 small tables the
 * fsync of each part's, index's and table's record, under this store's lock, held up the copy and index workers
 * for seconds.) Since the journal only grows, a durable line implies every earlier line is durable too. The last
 * line for a key wins; a torn last line (a crash mid-write) is ignored on load, which is safe because its work was
 * not yet reported done. Keys hold names from the source, which may contain tabs and newlines: backslash, tab,
 * newline and carriage return are written escaped ({@code \\}, {@code \t}, {@code \n}, {@code \r}). The directory
 * is 0700 and the journal 0600 ({@link OwnerOnly}).
 *
 * <p>Thread-safe.
 */
public final class DirectoryCheckpointStore implements CheckpointStore, AutoCloseable {

    public static final String JOURNAL = "checkpoints.journal";

    private final Path journal;
    private final Map<String, String> entries = new ConcurrentHashMap<>();
    private final FileChannel channel;

    private DirectoryCheckpointStore(Path journal, FileChannel channel) {
        this.journal = journal;
        this.channel = channel;
    }

    /**
     * Opens (creating if needed) the journal in {@code directory}, loading what an earlier run recorded. The directory
     * is created, or set, to mode 0700.
     *
     * @throws org.pgmigrate.engine.EngineException {@code WORK_FILES_FAILED} naming the path and the reason
     */
    public static DirectoryCheckpointStore open(Path directory) {
        OwnerOnly.directory(directory);
        Path journal = directory.resolve(JOURNAL);
        try {
            OwnerOnly.file(journal);
            DirectoryCheckpointStore store = new DirectoryCheckpointStore(journal, FileChannel.open(journal,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND));
            store.load();
            return store;
        } catch (IOException e) {
            throw OwnerOnly.failure("open the checkpoint journal " + journal, e);
        }
    }

    /** True when an earlier run left checkpoints here. */
    public boolean hasEntries() {
        return !entries.isEmpty();
    }

    /** Forgets everything (a fresh run in a used directory). */
    public synchronized void clear() {
        try {
            channel.truncate(0);
            channel.force(true);
            entries.clear();
        } catch (IOException e) {
            throw OwnerOnly.failure("clear the checkpoint journal " + journal, e);
        }
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public void put(String key, String value) {
        append(key, value, true);
    }

    @Override
    public void putRedoable(String key, String value) {
        append(key, value, false);
    }

    @Override
    public synchronized void sync() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw OwnerOnly.failure("write the checkpoint journal " + journal, e);
        }
    }

    private synchronized void append(String key, String value, boolean durable) {
        try {
            ByteBuffer line = ByteBuffer.wrap((escape(key) + "\t" + escape(value) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                channel.write(line);
            }
            if (durable) {
                channel.force(false);
            }
            entries.put(key, value);
        } catch (IOException e) {
            throw OwnerOnly.failure("write the checkpoint journal " + journal, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.force(false);
            channel.close();
        } catch (IOException e) {
            throw OwnerOnly.failure("close the checkpoint journal " + journal, e);
        }
    }

    private void load() throws IOException {
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        String content = Files.readString(journal, StandardCharsets.UTF_8);
        boolean lastComplete = content.isEmpty() || content.endsWith("\n");
        for (int i = 0; i < lines.size(); i++) {
            if (i == lines.size() - 1 && !lastComplete) {
                break;
            }
            String line = lines.get(i);
            int tab = line.indexOf('\t');
            if (tab > 0) {
                entries.put(unescape(line.substring(0, tab)), unescape(line.substring(tab + 1)));
            }
        }
    }

    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\t' -> s.append("\\t");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                default -> s.append(c);
            }
        }
        return s.toString();
    }

    static String unescape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                s.append(c);
                continue;
            }
            char next = text.charAt(++i);
            s.append(switch (next) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                default -> next;
            });
        }
        return s.toString();
    }
}
