package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.CompoundScaling;
import org.anoscan.nn.DcganSpec;
import org.anoscan.report.ScanOutputs;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A φ = 1 member of the compound-scaled family, end to end: {@code train --phi 1} builds it (extra blocks, wider,
 * images resampled by γ), the model file records φ, α, β, γ and the resolution as its scoring scale, and
 * {@code scan} loads it and scans with that scale.
 */
class CompoundScalingCliTest {
    @TempDir
    Path dir;

    @Test
    void aPhiOneModelIsTrainedSavedLoadedAndScanned() throws IOException {
        Path images = dir.resolve("train");
        for (int i = 0; i < 3; i++) TestImages.writeTexture(images.resolve("t" + i + ".png"), 48, 48, i + 1);
        Path model = dir.resolve("phi1.safetensors");
        ScanCommandTest.Run t = ScanCommandTest.run("train", images, "--size", 32, "--nz", 8, "--ngf", 8, "--ndf", 8, "--batch", 4,
                "--steps", 2, "--phi", 1, "--alpha", 1.4, "--beta", 1.2, "--gamma", 1.1, "--device", "cpu", "--out", model,
                "--samples-dir", dir.resolve("samples"));
        assertEquals(ExitCodes.OK, t.code(), t.err());
        assertTrue(t.err().contains("compound scaling φ 1 (α 1.4, β 1.2, γ 1.1)"), t.err());
        assertTrue(t.err().contains("resampled by 1.1"), t.err());

        DcganSpec spec = ModelFile.readSpec(model);
        // 3 stages: round(3 · 0.4) = 1 extra block in G and in D; widths round(8 · 1.2 / 8) · 8 = 8 (at least 8)
        assertEquals(new DcganSpec(32, 1, 8, 8, 8, 1, new CompoundScaling(1, 1.4, 1.2, 1.1)), spec);
        assertEquals("1.1", ModelFile.readInfo(model).get("scoring.scale"), "the resolution is the model's scoring scale");

        Path out = dir.resolve("out");
        Path test = TestImages.writeTexture(dir.resolve("test/a.png"), 40, 40, 9);
        ScanCommandTest.Run s = ScanCommandTest.run("scan", "-m", model, test.getParent(), "--out", out, "--iterations", 2, "--device", "cpu",
                "--no-progress");
        assertEquals(ExitCodes.OK, s.code(), s.err());
        assertTrue(s.err().contains("scale 1.1"), "the scan takes the model's scale: " + s.err());
        List<String> rows = Files.readAllLines(out.resolve(ScanOutputs.CSV));
        assertEquals(2, rows.size(), "a header and one image: " + rows);
        assertTrue(rows.get(1).contains(",a.png,"), rows.get(1));
    }

    @Test
    void badCoefficientsAreUsageErrors() {
        ScanCommandTest.Run r = ScanCommandTest.run("train", dir, "--phi", 1, "--alpha", 0.5, "--device", "cpu", "--out", dir.resolve("x.safetensors"));
        CliAssert.oneLine(r, ExitCodes.USAGE, "alpha, beta and gamma must lie in [1, 4]");
        r = ScanCommandTest.run("train", dir, "--phi", -1, "--device", "cpu", "--out", dir.resolve("x.safetensors"));
        CliAssert.oneLine(r, ExitCodes.USAGE, "phi must lie in [0, 8]");
    }
}
