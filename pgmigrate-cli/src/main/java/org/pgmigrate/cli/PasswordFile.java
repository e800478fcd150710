package org.pgmigrate.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A file holding one password ({@code --source-password-file}, {@code --target-password-file}), so that the password
 * never appears in the process list or the shell history. The file holds the password alone; one trailing newline
 * (as {@code echo} or an editor leaves it) is not part of it. Stateless.
 */
public final class PasswordFile {

    private PasswordFile() {
    }

    /**
     * Reads the password; a file others may read gets a warning on {@code err} (not a refusal: secret mounts of
     * container platforms are often 0644 inside a container only its own user sees).
     */
    public static String read(String option, Path file, PrintWriter err) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.invalidInput(option + ": the file " + file + " does not exist.");
        } catch (IOException e) {
            throw CliException.invalidInput(option + ": cannot read " + file + " (" + e.getMessage() + ").");
        }
        String password = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        if (password.isEmpty()) {
            throw CliException.invalidInput(option + ": " + file + " is empty. Put the password in it, alone on one line.");
        }
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw CliException.invalidInput(option + ": " + file + " has more than one line. It must hold the password"
                    + " alone (not a ~/.pgpass file: give that one with PGPASSFILE, or leave it in ~/.pgpass).");
        }
        warnIfOthersCanRead(option, file, err);
        return password;
    }

    private static void warnIfOthersCanRead(String option, Path file, PrintWriter err) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                err.println("WARNING: " + option + " " + file + " is readable by other users ("
                        + PosixFilePermissions.toString(mode) + "); restrict it with: chmod 600 " + file);
            }
        } catch (UnsupportedOperationException | IOException noPosixModes) {
            // a file system without modes: nothing to check
        }
    }
}
