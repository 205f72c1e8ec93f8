package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.Parameter;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationTest {
    private static final ScanConfig CFG = ScanConfig.defaults().withSearch(SearchConfig.defaults().withIterations(4))
            .withBatchSize(6);
    @TempDir
    Path dir;
    private CpuBackend cpu;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    @Test
    void thresholdsAreTheQuantilesOfNormalScoresAndAreStoredInTheModelFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        float[] moments = {1f, -2f, 3.5f, 4f, 5f, 6f};
        float[][] weightsBefore;
        try (Dcgan model = TestImages.tinyModel(cpu, 9L);
             Tensor extra = cpu.fromHost(moments, Shape.of(2, 3));
             Tensor superseded = cpu.fromHost(new float[32 * 32], Shape.of(32 * 32))) {
            ModelFile.save(file, model, Map.of("steps", "7"), Map.of("adam.test.m", extra, MapStatistics.SUPERSEDED.get(0), superseded));
            weightsBefore = model.state().stream().map(p -> p.value().toHost()).toArray(float[][]::new);
        }
        List<Path> normals = new ArrayList<>();
        for (int i = 0; i < 3; i++) normals.add(TestImages.writeTexture(dir.resolve("n" + i + ".png"), 40 + 8 * i, 44, i));
        Path corrupt = Files.write(dir.resolve("corrupt.png"), new byte[] {1, 2, 3});
        normals.add(corrupt);

        Calibration.Result r = Calibration.calibrate(file, cpu, CFG, normals, 0.5, null);
        assertEquals(3, r.images());
        assertEquals(1, r.failures().size());
        assertTrue(r.failures().get(0).contains("corrupt.png"));
        assertNull(r.sampleWarning(), "3 images are enough for the median");

        // the same scan, done here: the median image score and (within a bin) the median pixel
        List<Double> scores = new ArrayList<>();
        List<Float> pixels = new ArrayList<>();
        try (AnomalyScanner s = AnomalyScanner.open(file, cpu, CFG)) {
            s.scanFiles(normals.subList(0, 3), new ScanListener() {
                @Override
                public void onResult(Path f, ScanResult res) {
                    scores.add((double) res.topKMean());
                    for (float v : res.heatmap().data()) pixels.add(v);
                }

                @Override
                public void onFailure(Path f, String message) {
                    throw new AssertionError(message);
                }
            });
            assertTrue(s.thresholds().hasImage(), "a scanner of the calibrated file uses its thresholds");
            assertEquals(List.of(), s.warnings(), "same settings as the calibration");
        }
        double[] sv = scores.stream().mapToDouble(Double::doubleValue).toArray();
        assertEquals(Quantiles.of(sv, 0.5), r.imageThreshold(), 0.0);
        double[] pv = pixels.stream().mapToDouble(Float::doubleValue).toArray();
        double exactPixel = Quantiles.of(pv, 0.5);
        // within one histogram bin: the calibrated model's heatmaps are the texture map, binned over the normalised range
        double bin = PixelQuantile.NORMALISED_RANGE / PixelQuantile.BINS;
        assertTrue(r.pixelThreshold() >= exactPixel && r.pixelThreshold() <= exactPixel + bin,
                r.pixelThreshold() + " vs " + exactPixel);
        assertEquals(pv.length, r.pixels());

        Map<String, String> info = ModelFile.readInfo(file);
        assertEquals(Double.toString(r.imageThreshold()), info.get(Thresholds.IMAGE_KEY));
        assertEquals(Double.toString(r.pixelThreshold()), info.get(Thresholds.PIXEL_KEY));
        assertEquals("0.5", info.get(Thresholds.QUANTILE_KEY));
        assertEquals("3", info.get(Thresholds.IMAGES_KEY));
        assertEquals("4", info.get(ScoringSettings.Setting.ITERATIONS.key()));
        assertEquals("16", info.get(ScoringSettings.Setting.STRIDE.key()));
        assertEquals("7", info.get("steps"), "the training information is kept");
        ModelFile.Loaded loaded = ModelFile.load(file, cpu);
        try (Dcgan again = loaded.model()) {
            assertArrayEquals(moments, loaded.extra().get("adam.test.m"), "extra tensors are kept");
            assertFalse(loaded.extra().containsKey(MapStatistics.SUPERSEDED.get(0)), "an earlier calibration's superseded statistics are dropped");
            List<Parameter> state = again.state();
            for (int i = 0; i < state.size(); i++) {
                assertArrayEquals(weightsBefore[i], state.get(i).value().toHost(), 0f, "weights are kept: " + state.get(i).name());
            }
        }
    }

    @Test
    void fewImagesAreWarnedAndNoImageIsAnError() throws IOException {
        Path file = TestImages.writeTinyModel(dir.resolve("m.safetensors"), cpu, 1L);
        Path one = TestImages.writeTexture(dir.resolve("one.png"), 40, 40, 1);
        Calibration.Result r = Calibration.calibrate(file, cpu, CFG, List.of(one), 0.99, null);
        assertNotNull(r.sampleWarning());
        assertTrue(r.sampleWarning().contains("at least 100"), r.sampleWarning());
        Path bad = Files.write(dir.resolve("bad.png"), new byte[] {9});
        assertThrows(IllegalStateException.class, () -> Calibration.calibrate(file, cpu, CFG, List.of(bad), 0.99, null));
        assertEquals(Double.toString(r.imageThreshold()), ModelFile.readInfo(file).get(Thresholds.IMAGE_KEY),
                "a failed calibration leaves the file as it was");
    }
    @Test
    void statisticsOfNormalPatchesAreStoredCoveredByTheChecksumAndUsedByLaterScans() throws IOException {
        Path file = TestImages.writeTinyModel(dir.resolve("stats.safetensors"), cpu, 3L);
        List<Path> normals = List.of(TestImages.writeTexture(dir.resolve("a.png"), 40, 44, 1),
                TestImages.writeTexture(dir.resolve("b.png"), 48, 40, 2));
        Calibration.calibrate(file, cpu, CFG, normals, 0.9, null);

        // the same statistics, gathered here from a plain scan of the same images
        MapStatistics expected;
        try (Dcgan model = TestImages.tinyModel(cpu, 3L);
             AnomalyScanner plain = new AnomalyScanner(model, Map.of(), CFG.withMap(MapKind.RESIDUAL, 0))) {
            MapStatistics.Accumulator acc = new MapStatistics.Accumulator(32 * 32, model.features().outputShape(model.imageShape(1)).size(),
                    org.anoscan.search.FeatureTerms.earlierSizes(model));
            plain.scanFiles(normals, new ScanListener() {
                @Override
                public void onResult(Path f, ScanResult r) { }

                @Override
                public void onFailure(Path f, String message) { throw new AssertionError(message); }
            }, (image, p, residual, terms, index) -> acc.add(plain.maps().residualPixels(residual), terms, index));
            expected = acc.result();
        }
        ModelFile.Loaded loaded = ModelFile.load(file, cpu);
        try (Dcgan model = loaded.model()) {
            MapStatistics stored = AnomalyScanner.statistics(file, loaded);
            assertNotNull(stored, "calibrate stores the statistics");
            assertEquals(expected.patches(), stored.patches());
            assertEquals(2 * 2 + 2 * 2, stored.patches(), "patches of a 40x44 and a 48x40 image at stride 16 (edge-aligned last rows and columns)");
            assertTrue(stored.hasStages(), "and those of the discriminator's earlier stages");
            assertTrue(stored.hasGaussians(), "and the Gaussians of its feature vectors");
            assertTrue(stored.hasDetail(), "and those of the patches' finest detail");
            assertEquals(List.of(FeatureView.STAGE1, FeatureView.STACKED), stored.gaussians().stream().map(g -> g.view().name()).toList());
            assertEquals(expected.toExtras().keySet(), stored.toExtras().keySet());
            for (Map.Entry<String, float[]> e : expected.toExtras().entrySet()) {
                assertArrayEquals(e.getValue(), stored.toExtras().get(e.getKey()), 1e-6f, e.getKey());
            }
        }
        Map<String, String> info = ModelFile.readInfo(file);
        assertEquals("auto", info.get(ScoringSettings.Setting.MAP.key()), "the pixel threshold is on the map scans will show");
        try (AnomalyScanner s = AnomalyScanner.open(file, cpu, CFG)) {
            assertEquals(MapKind.WINDOW_DETAIL, s.mapKind(), "a calibrated model's scans show the window map with the detail term by default");
            assertEquals(List.of(), s.warnings());
        }
        try (AnomalyScanner s = AnomalyScanner.open(file, cpu, CFG.withMap(MapKind.RESIDUAL, 0))) {
            assertTrue(s.warnings().stream().anyMatch(w -> w.contains("map auto but this scan uses residual")), s.warnings().toString());
        }

        // a changed value in the stored statistics is caught by the checksum
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        com.fasterxml.jackson.databind.JsonNode header = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8));
        for (String name : List.of(MapStatistics.RESIDUAL_STD, MapStatistics.STAGE_PREFIX + "1_features_mean",
                MapStatistics.GAUSSIAN_PREFIX + "stage1_precision", MapStatistics.GAUSSIAN_PREFIX + "stacked_mean", MapStatistics.DETAIL_STD)) {
            byte[] copy = bytes.clone();
            long at = 8 + headerLength + header.get(name).get("data_offsets").get(0).asLong();
            copy[(int) at + 2] ^= 0x10;
            Path damaged = Files.write(dir.resolve("damaged.safetensors"), copy);
            IOException e = assertThrows(IOException.class, () -> ModelFile.load(damaged, cpu), name);
            assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        }
    }
}
