package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.ModelFile;
import org.anoscan.report.ImageLabels;
import org.anoscan.scan.Thresholds;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anoscan train}, {@code scan} and {@code calibrate} end to end, in-process: a tiny model (trained
 * for 3 steps by the CLI, or random), a few 48x40 textures, 5 search iterations (seconds on the CPU; the
 * scores mean nothing, the plumbing is tested).
 */
class ScanCommandTest {
    private static final List<String> GOOD = List.of("a.png", "b.png", "c.png");
    @TempDir
    Path dir;
    private Path model;
    private Path images;

    record Run(int code, String out, String err) {}

    /** Runs the CLI in this JVM, capturing what it prints. */
    static Run run(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = args[i].toString();
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(a);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 3L);
        }
        images = dir.resolve("images");
        for (int i = 0; i < GOOD.size(); i++) TestImages.writeTexture(images.resolve(GOOD.get(i)), 48, 40, 10 + i);
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace:\n" + r.err());
    }

    /** The whole tool: {@code anoscan train} makes a tiny model, then {@code anoscan scan} uses it. */
    @Test
    void scanWritesEveryOutputForGoodFilesAndSkipsBadOnes() throws IOException {
        Path trained = dir.resolve("trained.safetensors");
        Run t = run("train", images, "--size", 32, "--nz", 8, "--ngf", 4, "--ndf", 4, "--steps", 3, "--batch", 4,
                "--out", trained, "--samples-dir", dir.resolve("samples"), "--device", "cpu");
        assertEquals(ExitCodes.OK, t.code(), t.err());
        assertNoStackTrace(t);
        assertTrue(Files.exists(trained) && Files.exists(dir.resolve("samples/samples-000003.png")), t.err());
        assertEquals("3", org.anoscan.io.ModelFile.readInfo(trained).get("steps"));
        model = trained;

        Files.write(images.resolve("corrupt.png"), "this is not a PNG".getBytes(StandardCharsets.UTF_8));
        TestImages.writeTexture(images.resolve("small.png"), 20, 20, 1);
        Files.writeString(images.resolve("notes.txt"), "not an image name: ignored in a folder");
        Path out = dir.resolve("out");
        Run r = run("scan", "-m", model, "--device", "cpu", "--iterations", 5, "--out", out,
                "--threshold", "1e9", "--pixel-threshold", "0.5", images);

        assertEquals(ExitCodes.PARTIAL, r.code(), r.err());
        assertNoStackTrace(r);
        assertTrue(r.err().contains("2 file(s) failed"), r.err());
        assertTrue(r.err().contains("corrupt.png: not a readable image"), r.err());
        assertTrue(r.err().contains("small.png: image 20x20 is smaller than the patch 32x32"), r.err());
        assertFalse(r.err().contains("notes.txt"));
        assertTrue(r.out().contains("scanned 3 of 5 file(s)"), r.out());

        for (String name : GOOD) {
            String stem = name.replace(".png", "");
            for (String kind : List.of("heatmap", "overlay", "mask")) {
                Path png = out.resolve("maps/" + stem + "." + kind + ".png");
                BufferedImage b = ImageIO.read(png.toFile());
                assertNotNull(b, png + " is a PNG");
                assertEquals(40, b.getWidth());
                assertEquals(48, b.getHeight());
            }
        }
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        assertEquals(1 + GOOD.size() + 2, csv.size(), "a row per image and per failed file:\n" + String.join("\n", csv));
        int scored = 0, failedRows = 0;
        for (String row : csv.subList(1, csv.size())) {
            List<String> cells = ImageLabels.cells(row);
            String error = cells.get(cells.size() - 1);
            if (!error.isEmpty()) {
                failedRows++;
                assertTrue(cells.get(3).isEmpty(), "a failed file has no score: " + row);
                continue;
            }
            assertEquals(GOOD.get(scored++), cells.get(1));
            assertTrue(Float.parseFloat(cells.get(3)) > 0, "a score");
            assertEquals("no", cells.get(5), "under the huge --threshold");
        }
        assertEquals(GOOD.size(), scored);
        assertEquals(2, failedRows);
        JsonNode json = new ObjectMapper().readTree(out.resolve("scores.json").toFile());
        assertEquals(GOOD.size(), json.get("images").size());
        assertEquals(2, json.get("failures").size());
        assertEquals(5, json.get("run").get("iterations").asInt());
        assertEquals("given", json.get("run").get("thresholds_from").asText());
        assertEquals(GOOD.size() + 2, Files.readAllLines(out.resolve("scores.jsonl")).size(), "images and failures, a line each");

        String html = Files.readString(out.resolve("report.html"));
        assertFalse(html.contains("http:") || html.contains("https:"), "no network references");
        assertFalse(html.replace("src=\"data:image/png;base64,", "").contains("src="), "every picture embedded");
        for (String name : GOOD) assertTrue(html.contains(">" + name + "</a>"), "report lists " + name);
        assertTrue(html.contains("corrupt.png"));
        assertEquals(GOOD.size() + 1, html.split("src=\"data:image/png;base64,", -1).length - 1,
                "a thumbnail per image and the histogram (no labels: no ROC)");
    }

    @Test
    void calibrateThenScanDecidesWithTheStoredThresholds() throws IOException {
        Run c = run("calibrate", "-m", model, "--normal", images, "--quantile", 0.5, "--iterations", 5, "--device", "cpu",
                "--no-progress");
        assertEquals(ExitCodes.OK, c.code(), c.err());
        assertTrue(c.out().contains("image threshold"), c.out());
        assertTrue(c.err().contains("only 3 normal image(s)") == false, "3 images are enough for the median");
        Map<String, String> info = ModelFile.readInfo(model);
        double image = Double.parseDouble(info.get(Thresholds.IMAGE_KEY));
        assertTrue(image > 0);
        assertEquals("3", info.get(Thresholds.IMAGES_KEY));

        assertEquals("5", info.get("scoring.iterations"), "the model carries the settings it was calibrated with");

        // the same images, no scoring option: the model's settings (5 iterations, not the default 200), said once;
        // the median image is at the threshold, one image above it
        Path out = dir.resolve("out");
        Run r = run("scan", "-m", model, "--device", "cpu", "--out", out, "--no-progress", images);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertNoStackTrace(r);
        assertEquals(1, r.err().split("scoring settings from the model: iterations 5,", -1).length - 1, r.err());
        assertFalse(r.err().contains("but this scan uses"), "no warning when the model's settings are used:\n" + r.err());
        assertEquals(5, new ObjectMapper().readTree(out.resolve("scores.json").toFile()).path("run").path("iterations").asInt());
        assertTrue(r.out().contains("calibrated (quantile 0.5 over 3 normal images)"), r.out());
        assertTrue(r.out().contains("anomalous: 1 of 3"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("scores.csv"));
        int yes = 0;
        for (String line : csv.subList(1, csv.size())) {
            List<String> cells = ImageLabels.cells(line);
            float score = Float.parseFloat(cells.get(3));
            assertEquals(score > image ? "yes" : "no", cells.get(5), "threshold " + image + ": " + line);
            if (cells.get(5).equals("yes")) yes++;
            assertTrue(Files.exists(out.resolve(cells.get(13))), "mask written with the calibrated pixel threshold");
        }
        assertEquals(1, yes);

        // other settings than the calibration's: scanned, with a warning
        Run other = run("scan", "-m", model, "--device", "cpu", "--iterations", 4, "--out", dir.resolve("out2"),
                "--no-progress", images);
        assertEquals(ExitCodes.OK, other.code());
        assertTrue(other.err().contains("calibrated with iterations 5 but this scan uses 4"), other.err());
    }

    @Test
    void withoutThresholdsScoresComeWithoutDecisions() throws IOException {
        Path out = dir.resolve("out");
        Run r = run("scan", "-m", model, "--device", "cpu", "--iterations", 3, "--out", out, "--no-progress",
                images.resolve("a.png"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("no thresholds: scores and heatmaps only"), r.err());
        List<String> cells = ImageLabels.cells(Files.readAllLines(out.resolve("scores.csv")).get(1));
        assertEquals("", cells.get(5), "no decision");
        assertEquals("", cells.get(13), "no mask");
        assertTrue(Files.exists(out.resolve("maps/a.heatmap.png")));
        assertFalse(Files.exists(out.resolve("maps/a.mask.png")));
    }

    @Test
    void labelledFoldersGiveAnRocCurveInTheReport() throws IOException {
        Path data = dir.resolve("data");
        for (int i = 0; i < 2; i++) {
            TestImages.writeTexture(data.resolve("good/g" + i + ".png"), 40, 40, i);
            TestImages.writeTexture(data.resolve("bad/b" + i + ".png"), 40, 40, 100 + i);
        }
        Path out = dir.resolve("out");
        Run r = run("scan", "-m", model, "--device", "cpu", "--iterations", 3, "--out", out, "--no-progress", data);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("AUROC (labelled images):"), r.out());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("AUROC") && html.contains("2 normal, 2 anomalous labelled images"));
        assertEquals(4 + 2, html.split("src=\"data:image/png;base64,", -1).length - 1, "thumbnails, histogram and ROC");
        JsonNode first = new ObjectMapper().readTree(out.resolve("scores.json").toFile()).get("images").get(0);
        assertEquals("bad/b0.png", first.get("name").asText());
        assertEquals("anomalous", first.get("label").asText());

        // the same from a labels file that contradicts the folders: the file wins
        Path labels = Files.writeString(dir.resolve("labels.csv"), "file,label\ndata/good/g0.png,bad\ndata/good/g1.png,good\n");
        Run l = run("scan", "-m", model, "--device", "cpu", "--iterations", 3, "--out", dir.resolve("out2"), "--no-progress",
                "--labels", labels, data.resolve("good"));
        assertEquals(ExitCodes.OK, l.code(), l.err());
        assertTrue(l.out().contains("AUROC"), l.out());
    }

    @Test
    void userErrorsGiveOneLineAndTheRightExitCode() throws IOException {
        Run noModel = run("scan", images);
        assertEquals(ExitCodes.USAGE, noModel.code());
        assertTrue(noModel.err().contains("Missing required option"), noModel.err());
        assertEquals(1, noModel.err().strip().lines().count(), noModel.err());

        Run stride = run("scan", "-m", model, "--device", "cpu", "--stride", 40, images);
        assertEquals(ExitCodes.USAGE, stride.code());
        assertTrue(stride.err().contains("--stride 40 is larger than the model's patch size 32"), stride.err());

        Run device = run("scan", "-m", model, "--device", "gpu0", images);
        assertEquals(ExitCodes.USAGE, device.code());
        assertTrue(device.err().contains("--device 'gpu0'"), device.err());

        Run quantile = run("calibrate", "-m", model, "--normal", images, "--quantile", 1.5);
        assertEquals(ExitCodes.USAGE, quantile.code());

        Path badModel = Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Run bad = run("scan", "-m", badModel, "--device", "cpu", images);
        assertEquals(ExitCodes.FAILED, bad.code());
        assertTrue(bad.err().contains("bad.safetensors") && bad.err().contains("truncated"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertNoStackTrace(bad);

        Path onlyBad = Files.createDirectories(dir.resolve("onlybad"));
        Files.write(onlyBad.resolve("x.png"), new byte[] {1});
        Run none = run("scan", "-m", model, "--device", "cpu", "--iterations", 2, "--out", dir.resolve("o"), "--no-progress",
                onlyBad);
        assertEquals(ExitCodes.FAILED, none.code(), "no file succeeded");
        assertTrue(none.err().contains("x.png"), none.err());
        assertNoStackTrace(none);

        Run empty = run("scan", "-m", model, "--device", "cpu", Files.createDirectories(dir.resolve("empty")));
        assertEquals(ExitCodes.FAILED, empty.code());
        assertTrue(empty.err().contains("no image files"), empty.err());
    }

    @Test
    void whenEveryInputFailsTheReportListsTheFailures() throws IOException {
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.write(bad.resolve("x.png"), new byte[] {1, 2, 3});
        Files.write(bad.resolve("y.png"), "not an image".getBytes(StandardCharsets.UTF_8));
        Path out = dir.resolve("out");
        Run r = run("scan", "-m", model, "--device", "cpu", "--iterations", 2, "--out", out, "--no-progress", bad);
        assertEquals(ExitCodes.FAILED, r.code(), r.err());
        assertNoStackTrace(r);
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertTrue(html.contains("No image could be scanned: all 2 input(s) failed"), html);
        assertTrue(html.contains("x.png: not a readable image") && html.contains("y.png: not a readable image"), html);
    }

    @Test
    void theReportNamesTheArchitecturesFieldsAndTheProgressCountsPatches() throws IOException {
        Path out = dir.resolve("out");
        Run r = run("scan", "-m", model, "--device", "cpu", "--iterations", 2, "--out", out, images);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertTrue(html.contains("<th>architecture</th><td>patch 32x32, 1 channel, nz 16, ngf 8, ndf 8</td>"), html);
        assertFalse(html.contains("DcganSpec["), "no raw record string");
        // stderr is not a terminal here: plain progress lines, in patches, no carriage returns
        assertFalse(r.err().contains("\r"), r.err());
        // three 48x40 images, patch 32, stride 16: 2 x 2 patches each
        assertTrue(r.err().contains("scan: 100% 12/12 patches, 3/3 images"), r.err());
        JsonNode first = new ObjectMapper().readTree(Files.readAllLines(out.resolve("scores.jsonl")).get(0));
        assertTrue(first.has("search_share_seconds") && !first.has("seconds"), "the column is named for what it is: " + first);
        assertTrue(Files.exists(out.resolve(first.path("panel").asText())), "a side-by-side panel per image");
        JsonNode run = new ObjectMapper().readTree(out.resolve("scores.json").toFile()).path("run");
        assertEquals(ScanSettings.CPU_BATCH, run.path("batch").asInt(), "the CPU's default batch when --batch is not given");
    }

    @Test
    void scaleResamplesBeforeTilingAndWritesMapsAtTheOriginalSize() throws IOException {
        Path big = dir.resolve("big");
        TestImages.writeTexture(big.resolve("a.png"), 96, 80, 4);
        Path out = dir.resolve("out");
        Run r = run("scan", "-m", model, "--device", "cpu", "--iterations", 2, "--scale", 0.5, "--out", out, big);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        // 48x40 after scaling: 2 x 2 patches of 32 at stride 16, instead of 5 x 4 at full size
        assertTrue(r.err().contains("scan: 100% 4/4 patches, 1/1 images"), r.err());
        JsonNode doc = new ObjectMapper().readTree(out.resolve("scores.json").toFile());
        assertEquals(0.5, doc.path("run").path("scale").asDouble());
        BufferedImage heat = ImageIO.read(out.resolve("maps/a.heatmap.png").toFile());
        assertEquals(80, heat.getWidth(), "the heatmap at the original size");
        assertEquals(96, heat.getHeight());
        Run bad = run("scan", "-m", model, "--scale", 0, big);
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("--scale must be in (0, 4.0], got 0.0"), bad.err());
    }
}
