package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotDirectoryException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks, before a long job starts, that its outputs can be written (so the job's work is never lost at the end). */
final class OutputChecks {
    private OutputChecks() {}

    /** {@code file} can be created or replaced: its folder exists (or is made) and takes a new file; it is not a folder. */
    static void writableFile(Path file, String what) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(file + " (" + what + ") is a directory; give a file name");
        writableFolder(file.toAbsolutePath().getParent(), what);
    }

    /** {@code dir} exists (or is made) and takes a new file. */
    static void writableFolder(Path dir, String what) throws IOException {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".anoscan-probe", ".tmp"));
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw new IOException("cannot write into " + dir + " (" + what + "): " + e.getFile() + " is a file, not a folder", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write into " + dir + " (" + what + "): permission denied", e);
        } catch (FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new IOException("cannot write into " + dir + " (" + what + "): " + reason, e);
        }
    }
}
