package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.ModelFile;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subfolder that cannot be listed (a symbolic-link loop; permission denied) is reported by {@code calibrate}
 * and {@code eval} with its reason, its readable siblings are used, and the command ends with exit 3 (partial),
 * as {@code scan} does.
 */
class UnreadableFolderTest {
    @TempDir
    Path dir;
    private Path model;

    @BeforeEach
    void setUp() throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 5L);
        }
    }

    @Test
    void calibrateReportsALoopAndGoesOn() throws IOException {
        Path normal = dir.resolve("normal");
        TestImages.writeTexture(normal.resolve("a.png"), 40, 40, 1);
        TestImages.writeTexture(normal.resolve("sub/b.png"), 40, 40, 2);
        Files.createSymbolicLink(normal.resolve("sub/loop"), normal);
        ScanCommandTest.Run r = ScanCommandTest.run("calibrate", "-m", model, "--normal", normal, "--iterations", 2, "--device", "cpu",
                "--no-progress");
        assertEquals(ExitCodes.PARTIAL, r.code(), r.err());
        assertTrue(r.err().contains("loop: cannot read the folder (a symbolic-link loop); its images were not used"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(ModelFile.readInfo(model).containsKey("threshold.image"), "thresholds stored from the readable images");
    }

    @Test
    void calibrateAndEvalReportAPermissionDeniedFolderAndGoOn() throws IOException {
        WithPermissions.assumeTestable();
        Path normal = dir.resolve("normal");
        TestImages.writeTexture(normal.resolve("a.png"), 40, 40, 1);
        Path lockedNormal = TestImages.writeTexture(normal.resolve("locked/b.png"), 40, 40, 2).getParent();
        Path data = dir.resolve("labelled");
        TestImages.writeTexture(data.resolve("good/g1.png"), 40, 40, 3);
        TestImages.writeTexture(data.resolve("good/g2.png"), 40, 40, 4);
        TestImages.writeTexture(data.resolve("bad/b1.png"), 40, 40, 5);
        Path lockedBad = TestImages.writeTexture(data.resolve("bad/locked/b2.png"), 40, 40, 6).getParent();
        Files.setPosixFilePermissions(lockedNormal, PosixFilePermissions.fromString("-w-------"));
        Files.setPosixFilePermissions(lockedBad, PosixFilePermissions.fromString("-w-------"));
        try {
            ScanCommandTest.Run cal = WithPermissions.run(dir.resolve("cal-run"), "calibrate", "-m", model, "--normal", normal,
                    "--iterations", 2, "--device", "cpu", "--no-progress");
            assertEquals(ExitCodes.PARTIAL, cal.code(), cal.err());
            assertTrue(cal.err().contains(lockedNormal + ": cannot read the folder (permission denied)"), cal.err());
            assertTrue(ModelFile.readInfo(model).containsKey("threshold.image"), "thresholds stored from the readable images");

            Path out = dir.resolve("eval-out");
            ScanCommandTest.Run eval = WithPermissions.run(dir.resolve("eval-run"), "eval", data, "-m", model, "--out", out,
                    "--iterations", 2, "--device", "cpu", "--no-progress");
            assertEquals(ExitCodes.PARTIAL, eval.code(), eval.err());
            assertTrue(eval.err().contains(lockedBad + ": cannot read the folder (permission denied); its images were not scored"), eval.err());
            assertTrue(eval.out().contains("scored 2 normal and 1 anomalous"), eval.out());
            assertTrue(Files.isRegularFile(out.resolve(org.anoscan.report.EvalReport.METRICS)), "metrics written");
        } finally {
            Files.setPosixFilePermissions(lockedNormal, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(lockedBad, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
