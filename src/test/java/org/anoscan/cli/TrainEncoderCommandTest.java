package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.ModelFile;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-encoder, and the scoring modes on the command line: defaults, stored mode, a model without encoder. */
class TrainEncoderCommandTest {
    @TempDir
    Path dir;
    private Path model;
    private Path images;

    @BeforeEach
    void setUp() throws IOException {
        images = Files.createDirectories(dir.resolve("normal"));
        for (int i = 0; i < 3; i++) TestImages.writeTexture(images.resolve("n" + i + ".png"), 48, 48, i);
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("m.safetensors"), cpu, 3L);
        }
    }

    @Test
    void addsAnEncoderKeepingTheModelsInformationThenScansAndCalibratesInHybridMode() throws IOException {
        ScanCommandTest.Run r = ScanCommandTest.run("train-encoder", "-m", model, images, "--steps", 3, "--batch", 4, "--device", "cpu");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(ModelFile.hasEncoder(model));
        Map<String, String> info = ModelFile.readInfo(model);
        assertEquals("random init for tests", info.get("source"), "the model's own information is kept");
        assertEquals("3", info.get("encoder.steps"));
        assertTrue(Files.exists(dir.resolve("m.safetensors.encoder.ckpt")), "checkpoint written");

        // calibrate without --mode: hybrid, since the model has an encoder, with the hybrid's default steps
        r = ScanCommandTest.run("calibrate", "-m", model, "--normal", images, "--device", "cpu", "--no-progress", "--stride", 16);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        info = ModelFile.readInfo(model);
        assertEquals("hybrid", info.get("scoring.mode"));
        assertEquals(Integer.toString(org.anoscan.scan.ScoringSettings.DEFAULT_HYBRID_ITERATIONS), info.get("scoring.iterations"));
        assertTrue(ModelFile.hasEncoder(model), "calibrate keeps the encoder");

        // a scan in another mode is warned: the thresholds were calibrated in hybrid mode
        r = ScanCommandTest.run("scan", "-m", model, images, "--out", dir.resolve("enc"), "--mode", "encoder", "--device", "cpu", "--no-progress");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("calibrated with mode hybrid but this scan uses encoder"), r.err());
        r = ScanCommandTest.run("scan", "-m", model, images, "--out", dir.resolve("hyb"), "--device", "cpu", "--no-progress");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("mode hybrid") && !r.err().contains("may not fit"), r.err());
    }

    @Test
    void aModelWithoutEncoderSaysSoInOneLineWhenAModeNeedsOne() {
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "-m", model, images, "--out", dir.resolve("o"), "--mode", "hybrid",
                "--device", "cpu", "--no-progress");
        CliAssert.oneLine(r, ExitCodes.FAILED, "needs an encoder and this model has none");
        assertFalse(Files.exists(dir.resolve("o").resolve("scores.csv")));
    }

    @Test
    void badOptionsAreUsageErrors() {
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "-m", model, images, "--mode", "fast", "--device", "cpu");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("search, encoder or hybrid"), r.err());
        r = ScanCommandTest.run("train-encoder", "-m", model, images, "--kappa", "-1", "--device", "cpu");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("kappa"), r.err());
    }
}
