package org.pgmigrate.service.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.pgmigrate.service.FileErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files only the service's OS user may read (token, keys). Written whole through a temporary file created with mode
 * 0600 from the start, so the secret is never readable by others, not even for an instant, and a crash never leaves
 * half a key. Stateless and thread-safe.
 */
public final class PrivateFiles {

    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} (and parents) with mode 0700; an existing one loses any access by group and others (and a
     * warning says so): the service's directories hold keys, the store and the source's data.
     */
    public static void createDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Path parent = dir.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createDirectory(dir, attribute(OWNER_DIR));
                    return;
                } catch (FileAlreadyExistsException raced) {
                    if (!Files.isDirectory(dir)) {
                        throw new NotDirectoryException(dir.toString());
                    }
                    // another thread or process made it: check its mode below
                }
            }
            restrictToOwner(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create directory " + dir + ": " + FileErrors.describe(e), e);
        }
    }

    /**
     * Takes every permission of group and others away from an existing file or directory (a store or a data dir
     * made by an older version, or by hand with the default umask), saying so.
     */
    public static void restrictToOwner(Path path) {
        try {
            if (!isPosix(path)) {
                return;
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
            Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
            for (PosixFilePermission p : perms) {
                if (p == PosixFilePermission.OWNER_READ || p == PosixFilePermission.OWNER_WRITE
                        || p == PosixFilePermission.OWNER_EXECUTE) {
                    owner.add(p);
                }
            }
            if (!owner.equals(perms)) {
                Files.setPosixFilePermissions(path, owner);
                LOG.warn("{} was open to other users ({}); changed its mode to {}.", path,
                        PosixFilePermissions.toString(perms), PosixFilePermissions.toString(owner));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make " + path + " private to its owner: " + FileErrors.describe(e), e);
        }
    }

    /** Writes {@code content} to {@code file} atomically with mode 0600. */
    public static void write(Path file, byte[] content) {
        writeWithMode(file, content, OWNER_ONLY);
    }

    /** Writes a file others may read (the endpoint, the certificate), atomically. */
    public static void writePublic(Path file, byte[] content) {
        writeWithMode(file, content, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Reads a private file; if others can read it, tightens it to 0600 and says so. */
    public static byte[] read(Path file) {
        try {
            if (isPosix(file)) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (!OWNER_ONLY.containsAll(perms)) {
                    LOG.warn("{} was readable by other users ({}); changed its mode to 0600.", file,
                            PosixFilePermissions.toString(perms));
                    Files.setPosixFilePermissions(file, OWNER_ONLY);
                }
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + FileErrors.describe(e), e);
        }
    }

    private static void writeWithMode(Path file, byte[] content, Set<PosixFilePermission> mode) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            createDirectory(dir);
            Path temp = isPosix(dir)
                    ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attribute(mode))
                    : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.write(temp, content);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + FileErrors.describe(e), e);
        }
    }

    private static boolean isPosix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> perms) {
        return PosixFilePermissions.asFileAttribute(perms);
    }
}
