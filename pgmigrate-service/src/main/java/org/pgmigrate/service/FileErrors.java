package org.pgmigrate.service;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Says in words what an I/O error on a file means ("permission denied on /x", "/x does not exist"): NIO's own
 * messages are often only the path, which reads like no reason at all. Stateless.
 */
public final class FileErrors {

    private FileErrors() {
    }

    public static String describe(IOException e) {
        if (e instanceof FileSystemException fs) {
            String file = fs.getFile();
            if (e instanceof AccessDeniedException) {
                return "permission denied on " + file;
            }
            if (e instanceof NoSuchFileException) {
                return file + " does not exist";
            }
            if (e instanceof FileAlreadyExistsException) {
                return file + " already exists and is not a directory";
            }
            if (e instanceof NotDirectoryException) {
                return file + " is not a directory";
            }
            if (fs.getReason() != null) {
                return fs.getReason().toLowerCase(java.util.Locale.ROOT) + " (" + file + ")";
            }
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
