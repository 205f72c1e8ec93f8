package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.anoscan.backend.cpu.ConvBatching;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.nn.Dcgan;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import org.anoscan.testutil.TestImages;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AnomalyScanner on the CPU backend with a tiny random DCGAN-32 and 5 search iterations (speed, not quality). */
class AnomalyScannerTest {
    private static final SearchConfig SEARCH = SearchConfig.defaults().withIterations(5).withSeed(3);
    private static final ScanConfig CFG = ScanConfig.defaults().withSearch(SEARCH).withBatchSize(7);
    private static CpuBackend cpu;
    private static Dcgan model;

    @BeforeAll
    static void setUp() {
        // the per-sample reference: streaming must give each image exactly what it gets alone
        cpu = new CpuBackend(Runtime.getRuntime().availableProcessors(), ConvBatching.PER_SAMPLE);
        model = TestImages.tinyModel(cpu, 5L);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        assertEquals(0, cpu.liveTensors(), "tensors leaked by the scanner tests");
        cpu.close();
    }

    @Test
    void scanEqualsPerPatchSearchesStitched() {
        FloatImage image = TestImages.texture(48, 40, 1);
        ScanResult r;
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG)) {
            r = s.scan(image.data(), 1, 48, 40);
        }
        Tiler tiler = new Tiler(32, 16, false);
        List<PatchPosition> positions = tiler.positions(48, 40);
        assertEquals(4, positions.size());
        assertEquals(positions.size(), r.patches().size());
        // the image's 4 patches searched directly, together in tiling order as the scanner batches them:
        // the same batch, so bit-identical
        int per = 32 * 32;
        float[] patches = new float[positions.size() * per];
        long[] ids = new long[positions.size()];
        for (int i = 0; i < positions.size(); i++) {
            tiler.extract(image, positions.get(i), patches, i * per);
            ids[i] = AnomalyScanner.patchId(positions.get(i));
        }
        LatentSearch direct = new LatentSearch(model, SEARCH);
        List<SearchResult> together = direct.search(patches, ids);
        Stitcher stitcher = new Stitcher(48, 40, 1, 32, "direct");
        float[] scores = new float[positions.size()];
        for (int i = 0; i < positions.size(); i++) {
            PatchPosition p = positions.get(i);
            assertEquals(p, r.patches().get(i).position(), "patches in tiling order");
            assertEquals(together.get(i).score(), r.patches().get(i).score(), 0f, "score of patch " + p);
            stitcher.add(p, together.get(i).residualMap(), 0);
            scores[i] = together.get(i).score();
        }
        assertArrayEquals(stitcher.heatmap().data(), r.heatmap().data(), 0f, "heatmap = stitched residual maps");
        // one patch alone, with its id: the same search up to the batch-dependent rounding of the CPU
        // sgemm (LatentSearchTest: within 1e-5 relative); another id starts elsewhere and ends elsewhere
        PatchPosition last = positions.get(3);
        float alone = direct.search(tiler.extract(image, last), new long[] {AnomalyScanner.patchId(last)}).get(0).score();
        assertEquals(r.patches().get(3).score(), alone, 1e-5 * alone, "patch " + last + " searched alone");
        float otherId = direct.search(tiler.extract(image, last), new long[] {AnomalyScanner.patchId(last) + 1}).get(0).score();
        assertTrue(Math.abs(otherId - alone) > 1e-4 * alone, "a different start gives a different score: " + otherId + " vs " + alone + " scanned " + r.patches().get(3).score());
        Arrays.sort(scores);
        assertEquals(scores[3], r.maxScore(), 0f);
        assertEquals((scores[3] + scores[2] + scores[1]) / 3.0, r.topKMean(), 1e-5 * scores[3], "mean of the top 3");
        assertNull(r.anomalous(), "no threshold, no decision");
        assertNull(r.mask());
        assertTrue(r.searchSeconds() > 0);
    }

    @Test
    void streamingAcrossImagesEqualsEachImageAlone() {
        List<FloatImage> images = List.of(TestImages.texture(48, 40, 1), TestImages.texture(32, 32, 2),
                TestImages.texture(64, 50, 3), TestImages.texture(40, 33, 4), TestImages.texture(33, 70, 5));
        List<ScanResult> streamed = new ArrayList<>();
        // batch 3: most images' patches are split over batches, and most batches mix images
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withBatchSize(3))) {
            s.scanAll(images.iterator(), streamed::add);
        }
        assertEquals(images.size(), streamed.size());
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withBatchSize(64))) {
            for (int i = 0; i < images.size(); i++) {
                ScanResult alone = s.scan(images.get(i));
                assertEquals(images.get(i).source(), streamed.get(i).source(), "results in input order");
                // other batch mates, the same bits on the per-sample reference backend
                assertSame(alone, streamed.get(i));
            }
        }
    }

    @Test
    void concurrentScansGiveTheSameResultsAsOneThread() throws Exception {
        List<FloatImage> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) images.add(TestImages.texture(40 + 4 * i, 36 + 2 * i, 10 + i));
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withBatchSize(5))) {
            List<ScanResult> sequential = new ArrayList<>();
            for (FloatImage im : images) sequential.add(s.scan(im));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<List<ScanResult>>> futures = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        List<ScanResult> mine = new ArrayList<>();
                        for (int i = offset; i < images.size(); i += 2) mine.add(s.scan(images.get(i)));
                        return mine;
                    }));
                }
                // each scan batches its own image's patches, as the sequential scans did: bit-identical
                for (int t = 0; t < 2; t++) {
                    List<ScanResult> mine = futures.get(t).get();
                    for (int j = 0; j < mine.size(); j++) assertSame(sequential.get(t + 2 * j), mine.get(j));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void flatPatchesAreSkippedWithScoreZero() {
        FloatImage texture = TestImages.texture(64, 40, 7);
        float[] d = texture.data().clone();
        Arrays.fill(d, 0, 32 * 40, 0.25f); // the top 32 rows are flat
        FloatImage image = FloatImage.map(64, 40, d, "half flat");
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withFlatStd(0.01))) {
            ScanResult r = s.scan(image);
            assertEquals(6, r.patches().size()); // rows 0, 16, 32 x columns 0, 8
            assertEquals(2, r.skippedPatches(), "the two patches at y = 0 are flat");
            for (PatchScore p : r.patches()) {
                assertEquals(p.position().y() == 0, p.skipped(), "patch " + p.position());
                if (p.skipped()) assertEquals(0f, p.score());
                else assertTrue(p.score() > 0);
            }
            assertEquals(0f, r.heatmap().get(0, 0, 0), "pixels covered only by skipped patches");
            assertTrue(r.heatmap().get(0, 40, 20) > 0);
        }
    }

    @Test
    void explicitThresholdsDecideAndMakeMasks() {
        FloatImage image = TestImages.texture(48, 40, 1);
        float score;
        float[] heat;
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG)) {
            ScanResult r = s.scan(image);
            score = r.topKMean();
            heat = r.heatmap().data().clone();
        }
        Arrays.sort(heat);
        float median = heat[heat.length / 2];
        try (AnomalyScanner below = new AnomalyScanner(model, Map.of(), CFG.withThresholds(score * 0.99, median));
             AnomalyScanner above = new AnomalyScanner(model, Map.of(), CFG.withThresholds(score * 1.01, Double.NaN))) {
            ScanResult r = below.scan(image);
            assertEquals(Boolean.TRUE, r.anomalous());
            assertEquals("given", r.thresholds().origin());
            AnomalyMask expected = AnomalyMask.threshold(r.heatmap(), median);
            assertEquals(expected.area(), r.mask().area());
            assertTrue(r.mask().area() > 0 && r.mask().area() < 48 * 40);
            assertEquals(expected.regions(), r.regions());
            ScanResult r2 = above.scan(image);
            assertEquals(Boolean.FALSE, r2.anomalous());
            assertNull(r2.mask(), "no pixel threshold, no mask");
            assertTrue(r2.regions().isEmpty());
        }
    }

    @Test
    void storedThresholdsAreUsedUnlessOverriddenAndOtherSettingsAreWarned() {
        Map<String, String> info = Map.of(Thresholds.IMAGE_KEY, "12.5", Thresholds.PIXEL_KEY, "0.25",
                Thresholds.QUANTILE_KEY, "0.99", Thresholds.IMAGES_KEY, "40",
                // the keys of models calibrated before scoring.*: still read
                "threshold.iterations", "5", "threshold.stride", "16", "threshold.top_k", "3", "threshold.flat_std", "0.0");
        try (AnomalyScanner s = new AnomalyScanner(model, info, CFG)) {
            assertEquals(12.5, s.thresholds().image());
            assertEquals(0.25, s.thresholds().pixel());
            assertTrue(s.thresholds().origin().contains("calibrated"), s.thresholds().origin());
            assertEquals(List.of(), s.warnings(), "same settings as the calibration");
        }
        try (AnomalyScanner s = new AnomalyScanner(model, info, CFG.withThresholds(3.0, Double.NaN).withIterations(9))) {
            assertEquals(3.0, s.thresholds().image(), "an explicit threshold wins");
            assertEquals(0.25, s.thresholds().pixel(), "the calibrated pixel threshold still applies");
            assertEquals(1, s.warnings().size());
            assertTrue(s.warnings().get(0).contains("iterations 5") && s.warnings().get(0).contains("uses 9"),
                    s.warnings().get(0));
        }
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG)) {
            assertFalse(s.thresholds().hasImage());
            assertFalse(s.thresholds().hasPixel());
        }
    }

    @Test
    void scanFilesReportsBadFilesAndGoesOn(@TempDir Path dir) throws IOException {
        Path a = TestImages.writeTexture(dir.resolve("a.png"), 48, 40, 1);
        Path corrupt = Files.write(dir.resolve("corrupt.png"), "not an image".getBytes());
        Path small = TestImages.writeTexture(dir.resolve("small.png"), 20, 20, 2);
        Path missing = dir.resolve("missing.png");
        Path b = TestImages.writeTexture(dir.resolve("b.png"), 40, 48, 3);
        List<Path> done = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withBatchSize(3))) {
            s.scanFiles(List.of(a, corrupt, small, missing, b), new ScanListener() {
                @Override
                public void onResult(Path file, ScanResult result) {
                    done.add(file);
                    assertEquals(file.toString(), result.source());
                }

                @Override
                public void onFailure(Path file, String message) {
                    failures.add(message);
                    assertTrue(message.contains(file.toString()), "message names the file: " + message);
                    assertFalse(message.contains("\n"));
                }
            });
        }
        assertEquals(List.of(a, b), done);
        assertEquals(3, failures.size());
        assertTrue(failures.get(0).contains("not a readable image"), failures.get(0));
        assertTrue(failures.get(1).contains("smaller than the patch"), failures.get(1));
        assertTrue(failures.get(2).contains("no such file"), failures.get(2));
    }

    @Test
    void smallImagesArePaddedWhenAsked() {
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withPad(true))) {
            ScanResult r = s.scan(TestImages.texture(20, 24, 1));
            assertEquals(1, r.patches().size());
            assertEquals(20, r.heatmap().height());
            assertEquals(24, r.heatmap().width());
        }
    }

    @Test
    void matAndArrayInputsMatchFloatImages() {
        int h = 40, w = 36;
        byte[] px = new byte[h * w];
        for (int i = 0; i < px.length; i++) px[i] = (byte) ((i * 37) % 251);
        try (Mat mat = new Mat(h, w, opencv_core.CV_8UC1); AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG)) {
            mat.data().put(px);
            FloatImage image = ImageReader.fromMat(mat, 1, "mat");
            ScanResult fromMat = s.scan(mat);
            assertSame(s.scan(image), fromMat);
            assertSame(fromMat, s.scan(image.data(), 1, h, w));
        }
    }

    @Test
    void wrongInputsAreRefusedWithOneLineMessages() {
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.scan(new float[3 * 40 * 40], 3, 40, 40));
            assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.scan(TestImages.texture(20, 40, 1)));
            assertTrue(e.getMessage().contains("smaller than the patch"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new AnomalyScanner(model, Map.of(), CFG.withStride(33)));
        }
        AnomalyScanner closed = new AnomalyScanner(model, Map.of(), CFG);
        closed.close();
        closed.close(); // harmless
        assertThrows(IllegalStateException.class, () -> closed.scan(TestImages.texture(40, 40, 1)));
    }

    /** Two results of the same image: scores and heatmap within {@code rel} (relative to their norms). */
    static void assertClose(ScanResult expected, ScanResult actual, double rel) {
        assertEquals(expected.patches().size(), actual.patches().size());
        float[] a = new float[expected.patches().size()], b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected.patches().get(i).position(), actual.patches().get(i).position());
            a[i] = expected.patches().get(i).score();
            b[i] = actual.patches().get(i).score();
        }
        assertTrue(relDiff(a, b) < rel, actual.source() + ": patch scores differ by " + relDiff(a, b));
        assertTrue(relDiff(expected.heatmap().data(), actual.heatmap().data()) < rel, actual.source() + ": heatmaps differ");
        assertEquals(expected.topKMean(), actual.topKMean(), rel * Math.abs(expected.topKMean()));
    }

    /** ||a - b|| / ||a||. */
    static double relDiff(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += (double) a[i] * a[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    /** Two results of the same image from the same batches: bit-identical scores and heatmaps. */
    static void assertSame(ScanResult expected, ScanResult actual) {
        assertEquals(expected.patches(), actual.patches(), "patch scores of " + actual.source());
        assertEquals(expected.maxScore(), actual.maxScore(), 0f);
        assertEquals(expected.topKMean(), actual.topKMean(), 0f);
        assertArrayEquals(expected.heatmap().data(), actual.heatmap().data(), 0f, "heatmap of " + actual.source());
    }

    /** --scale: the image is resampled before tiling, the maps come back at the original size. */
    @Test
    void aScaledScanIsTheScanOfTheResampledImageWithItsMapsResizedBack() {
        FloatImage image = TestImages.texture(80, 72, 6);
        ScanResult scaled, direct;
        FloatImage half = org.anoscan.io.Resample.to(image, 40, 36);
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withScale(0.5).withThresholds(Double.NaN, 0.3))) {
            scaled = s.scan(image);
        }
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), CFG.withThresholds(Double.NaN, 0.3))) {
            direct = s.scan(half);
        }
        org.junit.jupiter.api.Assertions.assertSame(image, scaled.image(), "the original image, for overlays");
        assertEquals(80, scaled.heatmap().height());
        assertEquals(72, scaled.heatmap().width());
        assertEquals(80, scaled.mask().height(), "the mask at the original size too");
        assertEquals(direct.topKMean(), scaled.topKMean(), "the same searches as the half-size image's");
        assertEquals(direct.patches().size(), scaled.patches().size(), "a quarter of the patches: those of 40x36");
        for (int i = 0; i < direct.patches().size(); i++) {
            PatchScore d = direct.patches().get(i), c = scaled.patches().get(i);
            assertEquals(d.score(), c.score());
            assertEquals(2 * d.position().y(), c.position().y(), "positions in the original image's pixels");
            assertEquals(2 * d.position().x(), c.position().x());
        }
        assertArrayEquals(org.anoscan.io.Resample.to(direct.heatmap(), 80, 72).data(), scaled.heatmap().data(), 0f);
    }
}
