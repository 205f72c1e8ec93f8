package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --precision} on the commands: recorded in scores.json and report.html, refused when unknown. */
class PrecisionOptionTest {
    @TempDir
    Path dir;

    @Test
    void scanRecordsThePrecisionItRanInAndRefusesUnknownOnes() throws IOException {
        Path model;
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 3L);
        }
        Path image = TestImages.writeTexture(dir.resolve("in/a.png"), 40, 40, 1);

        Path out = dir.resolve("out");
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "-m", model, "--device", "cpu", "--iterations", 2, "--out", out,
                "--no-progress", image);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("fp32", new ObjectMapper().readTree(out.resolve("scores.json").toFile()).get("run").get("precision").asText(),
                "the CPU's default");
        assertTrue(Files.readString(out.resolve("report.html")).contains("<th>precision</th><td>fp32</td>"));

        // the CPU computes in fp32 only: asking for tf32 is said to have no effect, and fp32 is what is recorded
        Path out2 = dir.resolve("out2");
        ScanCommandTest.Run tf32 = ScanCommandTest.run("scan", "-m", model, "--device", "cpu", "--precision", "tf32",
                "--iterations", 2, "--out", out2, "--no-progress", image);
        assertEquals(ExitCodes.OK, tf32.code(), tf32.err());
        assertTrue(tf32.err().contains("computes in fp32 only; --precision tf32 has no effect"), tf32.err());
        assertEquals("fp32", new ObjectMapper().readTree(out2.resolve("scores.json").toFile()).get("run").get("precision").asText());

        for (String command : new String[] {"scan", "calibrate", "eval", "train"}) {
            ScanCommandTest.Run bad = switch (command) {
                case "train" -> ScanCommandTest.run("train", image, "--precision", "fp8", "--device", "cpu", "--out", dir.resolve("m2.safetensors"));
                case "calibrate" -> ScanCommandTest.run("calibrate", "-m", model, "--precision", "fp8", "--device", "cpu", "--normal", image);
                default -> ScanCommandTest.run(command, "-m", model, "--precision", "fp8", "--device", "cpu", image);
            };
            assertEquals(ExitCodes.USAGE, bad.code(), command + ": " + bad.err());
            assertTrue(bad.err().contains("--precision: unknown precision 'fp8' (use fp32, tf32 or bf16)"), command + ": " + bad.err());
        }
    }
}
