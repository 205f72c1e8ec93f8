package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.report.ImageLabels;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code anoscan scan --device cpu,cpu}: two engines give the one-engine scores, and the run says who searched what. */
class MultiDeviceCommandTest {
    @TempDir
    Path dir;

    /** scores.csv without the time column (a share of each batch's wall time, not a result). */
    private static List<String> scores(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("scores.csv"));
        int time = ImageLabels.cells(lines.get(0)).indexOf("search_share_seconds");
        List<String> rows = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(ImageLabels.cells(line));
            cells.remove(time);
            rows.add(String.join(",", cells));
        }
        return rows;
    }

    @Test
    void twoCpuEnginesWriteTheSameScoresAsOne() throws IOException {
        Path model;
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 3L);
        }
        Path images = dir.resolve("images");
        for (int i = 0; i < 4; i++) TestImages.writeTexture(images.resolve("t" + i + ".png"), 48, 40, 30 + i);
        ScanCommandTest.Run one = ScanCommandTest.run("scan", "-m", model, "--device", "cpu", "--iterations", 3, "--batch", 2,
                "--out", dir.resolve("one"), "--no-progress", images);
        assertEquals(ExitCodes.OK, one.code(), one.err());
        ScanCommandTest.Run two = ScanCommandTest.run("scan", "-m", model, "--device", "cpu,cpu", "--iterations", 3, "--batch", 2,
                "--out", dir.resolve("two"), "--no-progress", images);
        assertEquals(ExitCodes.OK, two.code(), two.err());
        assertEquals(scores(dir.resolve("one")), scores(dir.resolve("two")));
        JsonNode run = new ObjectMapper().readTree(dir.resolve("two/scores.json").toFile()).path("run");
        JsonNode counts = run.path("patches_per_engine");
        assertEquals(2, counts.size(), run.toString());
        assertEquals(4 * 4, counts.path("engine 0 (cpu)").asLong() + counts.path("engine 1 (cpu)").asLong(), counts.toString());
        assertEquals(0, run.path("engine_failures").size());

        ScanCommandTest.Run bad = ScanCommandTest.run("scan", "-m", model, "--device", "cpu,gpu", "--out", dir.resolve("bad"), images);
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("--device 'cpu,gpu': use auto, cpu, cuda, cuda:N, a list of them"), bad.err());
    }
}
