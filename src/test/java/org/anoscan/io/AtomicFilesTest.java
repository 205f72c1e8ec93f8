package org.anoscan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporaries of whole-file writes go to an output folder's work folder, also from its subfolders (maps/). */
class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void temporariesGoToTheNearestWorkFolderAndTheFileIsWrittenWhole() throws IOException {
        Path out = dir.resolve("out");
        Path work = Files.createDirectories(out.resolve(AtomicFiles.WORK_TMP));
        Path maps = Files.createDirectories(out.resolve("maps/line3/day1"));
        assertEquals(work, AtomicFiles.workFolder(out));
        assertEquals(work, AtomicFiles.workFolder(maps), "a map in a subfolder of maps/ has its temporary in the output folder's work folder");
        Path plain = Files.createDirectories(dir.resolve("plain"));
        assertEquals(plain, AtomicFiles.workFolder(plain), "without a work folder, next to the file");

        AtomicFiles.write(maps.resolve("a.png"), new byte[] {1, 2}, new byte[] {3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(maps.resolve("a.png")));
        try (Stream<Path> left = Files.list(work); Stream<Path> inMaps = Files.list(maps)) {
            assertEquals(List.of(), left.toList(), "no temporary left in the work folder");
            assertEquals(List.of(maps.resolve("a.png")), inMaps.toList());
        }
    }
}
