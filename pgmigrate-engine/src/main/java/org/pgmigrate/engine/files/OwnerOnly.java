package org.pgmigrate.engine.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.pgmigrate.engine.EngineError;
import org.pgmigrate.engine.EngineException;

/**
 * The engine's files on the local disk (checkpoints, schema archives, restore lists, the change spool) hold a
 * database's schema and rows: only pgmigrate's OS user may read them. Directories are 0700 and files 0600 from the
 * moment they are created (a mode set afterwards would leave a window), and an existing one is tightened. A file
 * system without POSIX modes is used as it is.
 *
 * <p>Failures are {@link EngineError#WORK_FILES_FAILED}, with the path and the operating system's reason. Stateless.
 */
public final class OwnerOnly {

    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /** Creates {@code dir} and any missing parents with mode 0700, or sets an existing {@code dir} to 0700. */
    public static Path directory(Path dir) {
        try {
            Path absolute = dir.toAbsolutePath();
            createMissing(absolute);
            tighten(absolute, DIRECTORY);
            return dir;
        } catch (IOException e) {
            throw failure("create the directory " + dir, e);
        }
    }

    private static void createMissing(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createMissing(parent);
        }
        try {
            Files.createDirectory(dir, attributes(parent, DIRECTORY));
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(dir)) {
                throw raced;
            }
        }
    }

    /** Creates {@code file} empty with mode 0600, or sets an existing one to 0600 (its content is kept). */
    public static Path file(Path file) {
        try {
            try {
                Files.createFile(file, attributes(file.toAbsolutePath().getParent(), FILE));
            } catch (FileAlreadyExistsException exists) {
                tighten(file, FILE);
            }
            return file;
        } catch (IOException e) {
            throw failure("create " + file, e);
        }
    }

    /** Mode 0600 for {@link java.nio.channels.FileChannel#open} of a new file in {@code dir}. */
    public static FileAttribute<?>[] fileAttributes(Path dir) {
        return attributes(dir, FILE);
    }

    /**
     * An error for an I/O failure on one of pgmigrate's local files, naming the path and the operating system's
     * reason (a bare {@link java.nio.file.NoSuchFileException} message is only a path).
     */
    public static EngineException failure(String action, IOException e) {
        String reason;
        if (e instanceof FileSystemException fs) {
            String kind = e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof FileAlreadyExistsException ? "a file is in the way"
                    : fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
            reason = (fs.getFile() != null ? fs.getFile() + ": " : "") + kind;
        } else {
            reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        return new EngineException(EngineError.WORK_FILES_FAILED, "Cannot " + action + " (" + reason + ").", e);
    }

    private static void tighten(Path path, Set<PosixFilePermission> mode) throws IOException {
        if (isPosix(path) && !Files.getPosixFilePermissions(path).equals(mode)) {
            Files.setPosixFilePermissions(path, mode);
        }
    }

    private static FileAttribute<?>[] attributes(Path dir, Set<PosixFilePermission> mode) {
        return dir == null || isPosix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                : new FileAttribute<?>[0];
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
