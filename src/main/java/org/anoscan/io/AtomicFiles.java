package org.anoscan.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Whole-file writes that never leave a half-written file: a temporary file next to it, then a rename. In a
 * folder that has a {@value #WORK_TMP} work folder (a scan's output folder) the temporary goes there, so a
 * killed writer leaves no stray file among the outputs.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The work folder, relative to a target's folder, that takes the temporaries when it exists. */
    public static final String WORK_TMP = ".anoscan/tmp";

    public static void write(Path file, byte[]... parts) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path work = dir.resolve(WORK_TMP);
        Path tmp = Files.createTempFile(Files.isDirectory(work) ? work : dir, file.getFileName().toString(), ".tmp");
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
}
