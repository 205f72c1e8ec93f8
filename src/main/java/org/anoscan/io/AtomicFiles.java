package org.anoscan.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Whole-file writes that never leave a half-written file: a temporary file next to it, then a rename. In a
 * folder that has a {@value #WORK_TMP} work folder (a scan's output folder), or below one (its {@code maps/}), the
 * temporary goes there, so a killed writer leaves no stray file among the outputs.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The work folder, relative to a target's folder, that takes the temporaries when it exists. */
    public static final String WORK_TMP = ".anoscan/tmp";

    public static void write(Path file, byte[]... parts) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(workFolder(dir), file.getFileName().toString(), ".tmp");
        try {
            try (var out = Files.newOutputStream(tmp)) {
                for (byte[] p : parts) out.write(p);
            }
            try { // temporary files are private; the result should read like any other file
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // keep the default permissions
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Levels above a file's folder searched for a work folder: an output folder's {@code maps/<subfolders>/}. */
    private static final int WORK_DEPTH = 4;

    /** The nearest work folder at or a few levels above {@code dir}; {@code dir} itself when there is none. */
    static Path workFolder(Path dir) {
        Path d = dir;
        for (int i = 0; i <= WORK_DEPTH && d != null; i++, d = d.getParent()) {
            Path work = d.resolve(WORK_TMP);
            // the same device, so that the rename stays atomic
            if (Files.isDirectory(work)) return sameDevice(work, dir) ? work : dir;
        }
        return dir;
    }

    /** Compares device numbers (one stat each): this runs for every map an image writes, where a file store lookup reads the mount table. */
    private static boolean sameDevice(Path a, Path b) {
        try {
            return Files.getAttribute(a, "unix:dev").equals(Files.getAttribute(b, "unix:dev"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // not a Unix file system: keep the temporary next to the file
        }
    }
}
