package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The scan progress counts patches, with a rate and ETA from the first batch, and reads right in a file and a terminal. */
class ScanProgressTest {
    private static final long SECOND = 1_000_000_000L;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final long[] now = {0};

    private String text() { return bytes.toString(StandardCharsets.UTF_8); }

    @Test
    void notATerminalGivesAPlainLineAfterTheFirstBatchThenEveryFewSeconds() {
        try (ScanProgress p = new ScanProgress("scan", 2, true, out, false, () -> 80, () -> now[0])) {
            p.tiled(1000); // one large image, read first: 1000 patches
            assertEquals("", text(), "nothing before any work is done");
            now[0] = 2 * SECOND;
            p.searched(256);
            List<String> lines = text().lines().toList();
            assertEquals(List.of("scan:  12% 256/~2,000 patches, 0/2 images, 128.0 patches/s, ETA 0:14"), lines,
                    "the second image is not read yet: counted like the first, and marked '~'");
            now[0] = 4 * SECOND;
            p.searched(256);
            assertEquals(1, text().lines().count(), "no second line within " + ScanProgress.PLAIN_INTERVAL_NANOS / SECOND + " s");
            p.tiled(200);
            now[0] = 8 * SECOND;
            p.searched(256);
            assertEquals("scan:  64% 768/1,200 patches, 0/2 images, 96.0 patches/s, ETA 0:05", text().lines().toList().get(1),
                    "every image read: the total is exact");
            p.searched(432);
            p.imageDone("a.png 1.5");
            p.imageDone("b.png 2.5 ANOMALOUS");
        }
        List<String> lines = text().lines().toList();
        assertEquals("scan: 100% 1,200/1,200 patches, 2/2 images, 150.0 patches/s, elapsed 0:08", lines.get(lines.size() - 1));
        assertFalse(text().contains("\r"), "no carriage returns in a file");
        assertTrue(lines.stream().allMatch(l -> l.startsWith("scan: ")), lines.toString());
    }

    @Test
    void failedImagesCountAsDoneAndLeaveTheEstimate() {
        try (ScanProgress p = new ScanProgress("calibrate", 3, true, out, false, () -> 80, () -> now[0])) {
            p.tiled(10);
            p.imageFailed("failed: x.png");
            p.imageFailed("failed: y.png");
            now[0] = SECOND;
            p.searched(10);
            p.imageDone("a.png 1");
        }
        assertEquals(List.of("calibrate: 100% 10/10 patches, 3/3 images, 10.0 patches/s, elapsed 0:01"), text().lines().toList(),
                "the last batch finished everything: one final line, from close(), with every image counted");
    }

    @Test
    void aTerminalLineFitsItsWidthAndClearsWhatItOverwrites() {
        int[] width = {60};
        try (ScanProgress p = new ScanProgress("scan", 1, true, out, true, () -> width[0], () -> now[0])) {
            p.tiled(400);
            now[0] = SECOND;
            p.searched(100);
            now[0] = 2 * SECOND;
            p.imageDone("a-file-with-a-very-long-name-that-would-wrap-the-line.png 12.5 ANOMALOUS");
            width[0] = 30; // the terminal shrank
            now[0] = 3 * SECOND;
            p.println("anoscan scan: a notice");
            now[0] = 4 * SECOND;
            p.searched(300);
        }
        String t = text();
        assertTrue(t.contains("\ranoscan scan: a notice\n") || t.contains("\r" + " ".repeat(59) + "\ranoscan scan: a notice\n"),
                "a notice clears the status line first: " + t.replace("\r", "<CR>"));
        for (String segment : t.split("[\r\n]")) {
            assertTrue(segment.length() <= 59, "never wider than the terminal minus one: '" + segment + "'");
        }
        String[] draws = t.split("\r");
        String lastDraw = draws[draws.length - 1];
        assertTrue(lastDraw.startsWith("scan: 100% 400/400 patches"), lastDraw);
        assertTrue(lastDraw.endsWith("\n"), "the line is ended when the scan ends");
    }

    @Test
    void disabledPrintsNothingButNotices() {
        try (ScanProgress p = new ScanProgress("scan", 1, false, out, false, () -> 80, () -> now[0])) {
            p.tiled(4);
            now[0] = SECOND;
            p.searched(4);
            p.println("a notice");
        }
        assertEquals("a notice\n", text().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void clockTimes() {
        assertEquals("0:05", ScanProgress.clockTime(4.6));
        assertEquals("2:03", ScanProgress.clockTime(123));
        assertEquals("1:00:01", ScanProgress.clockTime(3601));
    }
}
