package org.pgmigrate.engine.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * Checkpoints in a work directory, for {@code pgmigrate clone --dir}: an append-only journal of {@code key TAB value}
 * lines, fsynced on every {@link #put}. The last line for a key wins; a torn last line (a crash mid-write) is
 * ignored on load, which is safe because its work was not yet reported done.
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

    /** Opens (creating if needed) the journal in {@code directory}, loading what an earlier run recorded. */
    public static DirectoryCheckpointStore open(Path directory) {
        try {
            Files.createDirectories(directory);
            Path journal = directory.resolve(JOURNAL);
            DirectoryCheckpointStore store = new DirectoryCheckpointStore(journal, FileChannel.open(journal,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
            store.load();
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the checkpoint journal in " + directory + ": " + e.getMessage(), e);
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
            throw new UncheckedIOException("Cannot clear " + journal, e);
        }
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public synchronized void put(String key, String value) {
        if (key.indexOf('\t') >= 0 || key.indexOf('\n') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("Checkpoint key and value must not contain tabs or newlines: " + key);
        }
        try {
            ByteBuffer line = ByteBuffer.wrap((key + "\t" + value + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
            entries.put(key, value);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checkpoint to " + journal + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close " + journal, e);
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
                entries.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
    }
}
