package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.bench.Defects;
import org.anoscan.eval.AnomalyMap;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.eval.LocalisationMetrics;
import org.anoscan.eval.Roc;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageWriter;
import org.anoscan.io.Mnist;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.report.EvalReport;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanResult;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anoscan eval} end to end, in-process, with a tiny random model and 3 search iterations: the scores
 * mean nothing, so the tests check that the reported metrics are the ones of the reported scores (and of
 * the scanner's heatmaps), that the scores are the search's, and the files and errors.
 */
class EvalCommandTest {
    private static final int ITERATIONS = 3;
    @TempDir
    Path dir;
    private Path model;

    @BeforeEach
    void setUp() throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 5L);
        }
    }

    /** Writes t-images-idx3-ubyte (28x28 random strokes) and t-labels-idx1-ubyte next to it. */
    private Path writeIdx(int[] labels) throws IOException {
        Path images = dir.resolve("t-images-idx3-ubyte");
        Random r = new Random(1);
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(images))) {
            o.writeInt(0x803);
            o.writeInt(labels.length);
            o.writeInt(28);
            o.writeInt(28);
            for (int i = 0; i < labels.length * 28 * 28; i++) o.writeByte(r.nextInt(4) == 0 ? r.nextInt(256) : 0);
        }
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(dir.resolve("t-labels-idx1-ubyte")))) {
            o.writeInt(0x801);
            o.writeInt(labels.length);
            for (int l : labels) o.writeByte(l);
        }
        return images;
    }

    private static JsonNode metrics(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve(EvalReport.METRICS).toFile());
    }

    private static void assertPng(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " written");
        assertNotNull(ImageIO.read(file.toFile()), file + " is a PNG");
    }

    private static void assertOneLineError(ScanCommandTest.Run r, String expected) {
        assertEquals(ExitCodes.FAILED, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line:\n" + r.err());
        assertTrue(r.err().startsWith("anoscan eval: ") && r.err().contains(expected), r.err());
    }

    @Test
    void idxScoresEachImageAsOnePatchAndReportsTheAurocOfItsScores() throws IOException {
        // labels 3 (normal) and 7, interleaved; --max-per-class 3 keeps the first 3 of each
        int[] labels = {3, 7, 3, 7, 3, 7, 3, 7};
        Path idx = writeIdx(labels);
        Path out = dir.resolve("out");
        ScanCommandTest.Run r = ScanCommandTest.run("eval", "--idx", idx, "--normal-label", 3, "--max-per-class", 3, "-m", model,
                "--device", "cpu", "--iterations", ITERATIONS, "--batch", 4, "--no-progress", "--out", out);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("AUROC"), r.out());

        JsonNode m = metrics(out);
        JsonNode scores = m.get("scores");
        assertEquals(6, scores.size());
        double[] s = new double[6];
        boolean[] bad = new boolean[6];
        for (int i = 0; i < 6; i++) {
            s[i] = scores.get(i).get("score").asDouble();
            bad[i] = scores.get(i).get("label").asText().equals("anomalous");
            assertEquals(labels[i] == 7, bad[i], "label of item " + i);
        }
        double auroc = m.get("detection").get("auroc").asDouble();
        assertTrue(auroc >= 0 && auroc <= 1, "AUROC " + auroc);
        assertEquals(Roc.auroc(s, bad), auroc, 1e-12);
        assertEquals(3, m.get("detection").get("normals").asInt());
        assertEquals(3, m.get("detection").get("anomalies").asInt());
        assertEquals(ITERATIONS, m.get("run").get("iterations").asInt());
        assertEquals(model.toString(), m.get("run").get("model").asText());
        assertTrue(m.get("run").has("seconds"));
        assertFalse(m.has("localisation"));

        // the scores are the latent search's on the padded patches, searched with ids = index (batching aside)
        Mnist.Set set = Mnist.read(idx, dir.resolve("t-labels-idx1-ubyte"));
        try (CpuBackend cpu = new CpuBackend(); Dcgan g = ModelFile.load(model, cpu).model()) {
            float[] first6 = java.util.Arrays.copyOf(set.patches(), 6 * 32 * 32);
            var direct = new LatentSearch(g, SearchConfig.defaults().withIterations(ITERATIONS).withSeed(42)).search(first6, 6);
            for (int i = 0; i < 6; i++) assertEquals(direct.get(i).score(), s[i], 1e-5 * Math.abs(s[i]), "score " + i);
        }
        assertPng(out.resolve(EvalReport.ROC));
        assertPng(out.resolve(EvalReport.PR));
        assertFalse(Files.exists(out.resolve(EvalReport.PRO)), "no masks, no PRO curve");
    }

    @Test
    void foldersWithMasksGivePixelMetricsOfTheScannersHeatmaps() throws IOException {
        Path data = dir.resolve("data"), masks = dir.resolve("masks");
        List<GroundTruthMask> truth = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FloatImage good = TestImages.texture(48, 40, 20 + i);
            TestImages.writePng(data.resolve("good/g" + i + ".png"), good);
            truth.add(GroundTruthMask.normal(40, 48));
        }
        for (int i = 0; i < 2; i++) {
            FloatImage bad = TestImages.texture(48, 40, 30 + i);
            boolean[] mask = new boolean[48 * 40];
            if (i == 0) Defects.blob(bad.data(), mask, 40, 20, 18, 7, 0.9f);
            else Defects.scratch(bad.data(), mask, 40, 5, 5, 40, 30, 1.5, -0.9f);
            TestImages.writePng(data.resolve("bad/b" + i + ".png"), bad);
            ImageWriter.writeMask(masks.resolve("b" + i + ".png"), mask, 48, 40);
            truth.add(new GroundTruthMask(40, 48, mask));
        }
        Path out = dir.resolve("out");
        ScanCommandTest.Run r = ScanCommandTest.run("eval", data, "--masks", masks, "-m", model, "--device", "cpu",
                "--iterations", ITERATIONS, "--no-progress", "--out", out);
        assertEquals(ExitCodes.OK, r.code(), r.err());

        JsonNode m = metrics(out);
        JsonNode loc = m.get("localisation");
        assertNotNull(loc, "pixel metrics with --masks");
        List<String> names = new ArrayList<>();
        m.get("scores").forEach(n -> names.add(n.get("name").asText()));
        assertEquals(List.of("good/g0.png", "good/g1.png", "bad/b0.png", "bad/b1.png"), names);

        // the same scan done directly, the files streamed in the same order (so the same search batches:
        // the same bits on the wide-GEMM CPU backend): its heatmaps with the masks give the reported pixel metrics
        List<AnomalyMap> maps = new ArrayList<>();
        ScanConfig cfg = ScanConfig.defaults().withSearch(SearchConfig.defaults().withIterations(ITERATIONS).withSeed(42));
        try (CpuBackend cpu = new CpuBackend(); AnomalyScanner scanner = AnomalyScanner.open(model, cpu, cfg)) {
            for (ScanResult res : scanner.scanAll(names.stream().map(data::resolve).toList())) {
                maps.add(new AnomalyMap(res.heatmap().width(), res.heatmap().height(), res.heatmap().data()));
            }
        }
        LocalisationMetrics expected = LocalisationMetrics.of(maps, truth);
        assertEquals(expected.pixelAuroc(), loc.get("pixelAuroc").asDouble(), 1e-9);
        assertEquals(expected.aupro(), loc.get("aupro").asDouble(), 1e-9);
        assertEquals(2, loc.get("regionCount").asInt());
        assertPng(out.resolve(EvalReport.ROC));
        assertPng(out.resolve(EvalReport.PR));
        assertPng(out.resolve(EvalReport.PRO));

        // a bad image without a mask is named before anything is scanned
        Files.delete(masks.resolve("b1.png"));
        assertOneLineError(ScanCommandTest.run("eval", data, "--masks", masks, "-m", model, "--device", "cpu", "--iterations", 1,
                "--no-progress", "--out", out), "no mask for bad/b1.png");
    }

    @Test
    void oneClassInputIsAOneLineFailure() throws IOException {
        Path idx = writeIdx(new int[] {3, 7, 3});
        assertOneLineError(ScanCommandTest.run("eval", "--idx", idx, "--normal-label", 5, "-m", model, "--device", "cpu",
                "--no-progress", "--out", dir.resolve("o1")), "0 normal and 3 anomalous image(s); eval needs both classes");

        Path data = dir.resolve("data");
        TestImages.writeTexture(data.resolve("good/a.png"), 40, 40, 1);
        Files.createDirectories(data.resolve("bad"));
        assertOneLineError(ScanCommandTest.run("eval", data, "-m", model, "--device", "cpu", "--no-progress", "--out",
                dir.resolve("o2")), "1 normal and 0 anomalous image(s); eval needs both classes");
        assertFalse(Files.exists(dir.resolve("o1").resolve(EvalReport.METRICS)));
    }

    /** A small MVTec AD category, as unpacked: train/good, test/good, test/DEFECT/, ground_truth/DEFECT/NAME_mask.png. */
    @Test
    void mvtecLayoutIsReadAsItIsWithMetricsPerDefectType() throws IOException {
        Path cat = dir.resolve("carpet");
        TestImages.writeTexture(cat.resolve("train/good/000.png"), 48, 40, 1); // for training: not scored
        for (int i = 0; i < 3; i++) TestImages.writeTexture(cat.resolve("test/good/00" + i + ".png"), 48, 40, 20 + i);
        String[][] defects = {{"hole", "000", "001"}, {"scratch", "000", "001", "002"}};
        int seed = 40;
        for (String[] d : defects) {
            for (int k = 1; k < d.length; k++) {
                FloatImage bad = TestImages.texture(48, 40, seed++);
                boolean[] mask = new boolean[48 * 40];
                if (d[0].equals("hole")) Defects.blob(bad.data(), mask, 40, 20, 18, 7, 0.9f);
                else Defects.scratch(bad.data(), mask, 40, 5, 5, 40, 30, 1.5, -0.9f);
                TestImages.writePng(cat.resolve("test/" + d[0] + "/" + d[k] + ".png"), bad);
                ImageWriter.writeMask(cat.resolve("ground_truth/" + d[0] + "/" + d[k] + "_mask.png"), mask, 48, 40);
            }
        }
        Path out = dir.resolve("out");
        ScanCommandTest.Run r = ScanCommandTest.run("eval", cat, "-m", model, "--device", "cpu", "--iterations", ITERATIONS,
                "--no-progress", "--out", out);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("MVTec AD layout"), r.err());

        JsonNode m = metrics(out);
        List<String> names = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        m.get("scores").forEach(n -> {
            names.add(n.get("name").asText());
            scores.add(n.get("score").asDouble());
        });
        assertEquals(List.of("good/000.png", "good/001.png", "good/002.png", "hole/000.png", "hole/001.png", "scratch/000.png",
                "scratch/001.png", "scratch/002.png"), names, "test/ only, train/ left out");
        assertNotNull(m.get("localisation"), "ground_truth/ found without --masks");
        assertEquals(5, m.path("localisation").path("regionCount").asInt(), "one ground-truth region per defect image");
        JsonNode per = m.get("per_defect");
        assertEquals(List.of("hole", "scratch"), iterableNames(per));
        // each defect type's AUROC is the one of the good images against that type's
        for (String defect : List.of("hole", "scratch")) {
            List<Double> s = new ArrayList<>();
            List<Boolean> l = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                boolean good = names.get(i).startsWith("good/");
                if (good || names.get(i).startsWith(defect + "/")) {
                    s.add(scores.get(i));
                    l.add(!good);
                }
            }
            double[] sa = s.stream().mapToDouble(Double::doubleValue).toArray();
            boolean[] la = new boolean[l.size()];
            for (int i = 0; i < la.length; i++) la[i] = l.get(i);
            assertEquals(Roc.auroc(sa, la), per.path(defect).path("detection").path("auroc").asDouble(), 1e-12, defect);
            assertEquals(defect.equals("hole") ? 2 : 3, per.path(defect).path("detection").path("anomalies").asInt());
            assertNotNull(per.path(defect).get("localisation"), defect + " has pixel metrics");
        }
        assertTrue(r.out().contains("  hole ") && r.out().contains("  scratch "), r.out());
        // side-by-side panels: image, ground truth, heatmap (no pixel threshold: no mask)
        for (String n : names) assertPng(out.resolve("panels").resolve(n));
        java.awt.image.BufferedImage withTruth = ImageIO.read(out.resolve("panels/scratch/000.png").toFile());
        assertTrue(withTruth.getWidth() > 3 * 160, "three pictures and the colour bar: " + withTruth.getWidth());
    }

    private static List<String> iterableNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** calibrate reads the IDX file train and eval read: its normal class, each image one patch. */
    @Test
    void calibrateAcceptsAnIdxFile() throws IOException {
        Path idx = writeIdx(new int[] {3, 7, 3, 7, 3, 3});
        ScanCommandTest.Run r = ScanCommandTest.run("calibrate", "-m", model, "--idx", idx, "--normal-label", 3, "--max-images", 3,
                "--quantile", 0.5, "--iterations", ITERATIONS, "--device", "cpu", "--no-progress");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        java.util.Map<String, String> info = ModelFile.readInfo(model);
        assertEquals("3", info.get("threshold.images"), "the first 3 images of label 3");
        assertEquals(Integer.toString(ITERATIONS), info.get("scoring.iterations"));

        // the same three images scanned directly: the median of their scores is the stored image threshold
        Mnist.Set normal = Mnist.read(idx, dir.resolve("t-labels-idx1-ubyte")).filter(3, true, 3);
        double[] scores = new double[3];
        ScanConfig cfg = ScanConfig.defaults().withIterations(ITERATIONS);
        try (CpuBackend cpu = new CpuBackend(); AnomalyScanner scanner = AnomalyScanner.open(model, cpu, cfg)) {
            for (int i = 0; i < 3; i++) scores[i] = scanner.scan(normal.patch(i), 1, Mnist.SIZE, Mnist.SIZE).topKMean();
        }
        java.util.Arrays.sort(scores);
        assertEquals(scores[1], Double.parseDouble(info.get("threshold.image")), 0.0, "nearest-rank median of 3: the 2nd");

        ScanCommandTest.Run both = ScanCommandTest.run("calibrate", "-m", model, "--idx", idx, "--normal", dir, "--normal-label", 3);
        assertEquals(ExitCodes.USAGE, both.code());
        assertTrue(both.err().startsWith("anoscan calibrate: give either --normal INPUT... or --idx FILE"), both.err());
    }
}
