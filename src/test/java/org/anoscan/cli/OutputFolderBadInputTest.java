package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.report.OutputFolder;
import org.anoscan.testutil.ChildJvm;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output folders as units: a second concurrent scan, a scan into another run's outputs, and a resume with other
 * settings are refused with one line and change nothing; --overwrite replaces only a run's own outputs; file
 * names that are not ASCII work under LANG=C through the launcher.
 */
class OutputFolderBadInputTest {
    @TempDir
    Path dir;
    private Path model;
    private Path images;
    private Path out;

    @BeforeEach
    void setUp() throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 3L);
        }
        images = dir.resolve("images");
        for (int i = 0; i < 3; i++) TestImages.writeTexture(images.resolve("t" + i + ".png"), 40, 40, i);
        out = dir.resolve("out");
    }

    private ScanCommandTest.Run scan(Object... more) {
        boolean own = java.util.Arrays.asList(more).contains("--iterations");
        Object[] base = {"scan", "-m", model, images, "--out", out, own ? "--seed" : "--iterations", 2, "--device", "cpu", "--no-progress"};
        Object[] all = new Object[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return ScanCommandTest.run(all);
    }

    @Test
    void anotherRunsOutputsAreRefusedUnlessOverwrittenAndOtherFilesStay() throws IOException {
        assertEquals(ExitCodes.OK, scan().code());
        assertEquals(OutputFolder.State.COMPLETE, OutputFolder.status(out));
        Files.writeString(out.resolve("notes.txt"), "mine");
        byte[] csv = Files.readAllBytes(out.resolve("scores.csv"));
        CliAssert.oneLine(scan(), ExitCodes.FAILED, "holds the outputs of a complete scan");
        assertArrayEquals(csv, Files.readAllBytes(out.resolve("scores.csv")), "nothing changed");
        CliAssert.oneLine(scan("--overwrite", "--resume"), ExitCodes.USAGE, "exclude each other");
        ScanCommandTest.Run r = scan("--overwrite", "--iterations", 3);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")), "--overwrite removes only the scan's own outputs");
        assertEquals(1 + 3, Files.readAllLines(out.resolve("scores.csv")).size());
    }

    @Test
    void resumeChecksTheModelAndSettings() throws IOException {
        assertEquals(ExitCodes.OK, scan().code());
        CliAssert.oneLine(scan("--resume", "--iterations", 3), ExitCodes.FAILED, "cannot resume: search.iterations was 2, now 3");
        try (CpuBackend cpu = new CpuBackend()) {
            TestImages.writeTinyModel(model, cpu, 4L);
        }
        CliAssert.oneLine(scan("--resume"), ExitCodes.FAILED, "cannot resume: model_sha256 was");
        CliAssert.oneLine(ScanCommandTest.run("scan", "-m", model, images, "--out", dir.resolve("empty"), "--resume", "--device", "cpu"),
                ExitCodes.FAILED, "nothing to resume");
    }

    /** A second scan into a folder a live scan holds is refused; the first one's rows stay whole. */
    @Test
    void concurrentScanIsRefused() throws IOException, InterruptedException {
        for (int i = 3; i < 40; i++) TestImages.writeTexture(images.resolve("t" + i + ".png"), 40, 40, i);
        Path log = dir.resolve("child.log");
        Process p = ChildJvm.start(log, Map.of(), "scan", "-m", model, images, "--out", out, "--iterations", 400, "--batch", 4,
                "--device", "cpu", "--no-progress");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (OutputFolder.status(out) != OutputFolder.State.RUNNING && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(OutputFolder.State.RUNNING, OutputFolder.status(out), Files.readString(log));
            CliAssert.oneLine(scan("--overwrite"), ExitCodes.FAILED, "is in use by another scan (pid " + p.pid());
            assertTrue(p.isAlive(), "the first scan goes on");
        } finally {
            ChildJvm.signal(p, "TERM");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(143, p.exitValue(), Files.readString(log));
        assertEquals(OutputFolder.State.INTERRUPTED, OutputFolder.status(out));
        assertTrue(Files.readString(log).contains("stopped by SIGTERM: kept"), Files.readString(log));
    }

    /** Under LANG=C the launcher still reads and writes non-ASCII file names (it runs Java in a UTF-8 locale). */
    @Test
    void nonAsciiNamesWorkUnderLangC() throws IOException, InterruptedException {
        Path named = dir.resolve("bilder-é");
        TestImages.writeTexture(named.resolve("straße-日本.png"), 40, 40, 7);
        Path log = dir.resolve("lang-c.log");
        Path launcher = Path.of("anoscan").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "scan", "-m", model.toString(), named.toString(),
                "--out", dir.resolve("aus-ü").toString(), "--iterations", "2", "--device", "cpu", "--no-progress")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LC_"));
        pb.environment().put("LANG", "C");
        pb.environment().put("ANOSCAN_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("ANOSCAN_JAVA_OPTS", "-Xmx512m");
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(log));
        List<String> csv = Files.readAllLines(dir.resolve("aus-ü").resolve("scores.csv"));
        assertEquals(2, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).contains("straße-日本.png"), csv.get(1));
        assertTrue(Files.exists(dir.resolve("aus-ü").resolve("maps/straße-日本.heatmap.png")));
    }
}
