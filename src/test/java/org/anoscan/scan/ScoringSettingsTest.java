package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A calibrated model carries its scoring settings; the library scans with them unless told otherwise, and warns when told. */
class ScoringSettingsTest {
    private static final ScanConfig CALIBRATED = ScanConfig.defaults().withIterations(4).withStride(8).withTopK(2)
            .withSearch(ScanConfig.defaults().search().withIterations(4).withRestarts(2).withLambda(0.25f).withSeed(7))
            .withBatchSize(16);
    @TempDir
    Path dir;

    @Test
    void storedSettingsComeBackAsTheyWere() {
        Map<String, String> info = ScoringSettings.of(CALIBRATED, 32);
        assertEquals("4", info.get("scoring.iterations"));
        assertEquals("8", info.get("scoring.stride"));
        ScanConfig back = ScoringSettings.apply(ScanConfig.defaults(), info, Set.of());
        assertEquals(4, back.search().iterations());
        assertEquals(2, back.search().restarts());
        assertEquals(0.25f, back.search().lambda());
        assertEquals(7, back.search().seed());
        assertEquals(8, back.strideFor(32));
        assertEquals(2, back.topK());
        assertEquals(List.of(), ScoringSettings.differences(back, 32, info));
        assertEquals(ScanConfig.DEFAULT_BATCH, back.batchSize(), "the batch is not a scoring setting");

        ScanConfig kept = ScoringSettings.apply(ScanConfig.defaults(), info, Set.of(ScoringSettings.Setting.ITERATIONS));
        assertEquals(ScanConfig.DEFAULT_ITERATIONS, kept.search().iterations(), "an explicit setting is kept");
        List<String> d = ScoringSettings.differences(kept, 32, info);
        assertEquals(1, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("the model was calibrated with iterations 4 but this scan uses 200"), d.get(0));
        // the stride as stored is in pixels: the default "half a patch" of a 16-pixel model is 8, no difference
        assertEquals(List.of(), ScoringSettings.differences(ScanConfig.defaults().withIterations(4).withTopK(2)
                .withSearch(CALIBRATED.search()), 16, info));
    }

    @Test
    void aMalformedStoredValueIsOneLineNamingTheKey() {
        Map<String, String> info = new HashMap<>(ScoringSettings.of(CALIBRATED, 32));
        info.put("scoring.top_k", "many");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScoringSettings.apply(ScanConfig.defaults(), info, Set.of()));
        assertTrue(e.getMessage().startsWith("model file: scoring.top_k = 'many' is not a valid top-k"), e.getMessage());
        info.put("scoring.top_k", "0");
        e = assertThrows(IllegalArgumentException.class, () -> ScoringSettings.apply(ScanConfig.defaults(), info, Set.of()));
        assertTrue(e.getMessage().contains("scoring.top_k = '0'"), e.getMessage());
    }

    @Test
    void openUsesTheModelsSettingsAndWarnsWhenTheCallerMovesOne() throws IOException {
        Path model = calibratedModel();
        List<String> log = new ArrayList<>();
        try (AnomalyScanner s = AnomalyScanner.open(model, "cpu", log::add)) {
            assertEquals(4, s.config().search().iterations());
            assertEquals(2, s.config().search().restarts());
            assertEquals(8, s.tiler().stride());
            assertEquals(List.of(), s.warnings());
        }
        assertEquals(1, log.stream().filter(l -> l.startsWith("scoring settings from the model: iterations 4, restarts 2")).count(),
                log.toString());

        log.clear();
        try (AnomalyScanner s = AnomalyScanner.open(model, "cpu", c -> c.withIterations(3).withBatchSize(5), log::add)) {
            assertEquals(3, s.config().search().iterations());
            assertEquals(5, s.config().batchSize());
            assertEquals(2, s.config().search().restarts(), "the settings not moved stay the model's");
            assertEquals(1, s.warnings().size(), s.warnings().toString());
            assertTrue(s.warnings().get(0).contains("iterations 4 but this scan uses 3"), s.warnings().get(0));
            assertTrue(log.contains(s.warnings().get(0)), "the warning goes through the log too: " + log);
        }

        log.clear();
        try (AnomalyScanner s = AnomalyScanner.open(model, "cpu", ScanConfig.defaults(), log::add)) {
            assertEquals(ScanConfig.DEFAULT_ITERATIONS, s.config().search().iterations(), "an explicit config is used as given");
            assertTrue(s.warnings().size() >= 3, s.warnings().toString()); // iterations, restarts, lambda, seed, stride, top-k
            assertTrue(log.containsAll(s.warnings()), log.toString());
        }
    }

    @SuppressWarnings("deprecation")
    @Test
    void scanPathScanAllAndTheDeprecatedName(@TempDir Path images) throws IOException {
        Path model = calibratedModel();
        Path a = TestImages.writeTexture(images.resolve("a.png"), 40, 36, 1);
        Path b = TestImages.writeTexture(images.resolve("b.png"), 36, 44, 2);
        try (CpuBackend cpu = new CpuBackend();
             AnomalyScanner s = AnomalyScanner.open(model, cpu, CALIBRATED);
             Scanner old = Scanner.open(model, cpu, CALIBRATED)) {
            List<ScanResult> both = s.scanAll(List.of(a, b));
            assertEquals(2, both.size());
            assertEquals(a.toString(), both.get(0).source());
            ScanResult alone = s.scan(b);
            assertEquals(both.get(1).topKMean(), alone.topKMean(), "the same result alone or with others");
            assertEquals(alone.topKMean(), old.scan(b).topKMean(), "the deprecated Scanner is the same scanner");
            IOException e = assertThrows(IOException.class, () -> s.scanAll(List.of(a, images.resolve("missing.png"))));
            assertTrue(e.getMessage().startsWith("1 of 2 file(s) could not be scanned: ") && e.getMessage().contains("missing.png"),
                    e.getMessage());
        }
    }

    @Test
    void colourImagesForAGreyModelAreSaidOncePerRun(@TempDir Path images) throws IOException {
        Path model = calibratedModel();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            BufferedImage rgb = new BufferedImage(36, 36, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 36; y++) for (int x = 0; x < 36; x++) rgb.setRGB(x, y, (x * 7 + y * 13 + i * 50) * 0x010305 & 0xFFFFFF);
            Path f = images.resolve("c" + i + ".png");
            ImageIO.write(rgb, "png", f.toFile());
            files.add(f);
        }
        List<String> notices = new ArrayList<>();
        int[] tiled = {0}, searched = {0};
        try (CpuBackend cpu = new CpuBackend(); AnomalyScanner s = AnomalyScanner.open(model, cpu, CALIBRATED)) {
            s.scanFiles(files, new ScanListener() {
                @Override
                public void onResult(Path file, ScanResult result) {}

                @Override
                public void onFailure(Path file, String message) { throw new AssertionError(message); }

                @Override
                public void onTiled(Path file, int patches) { tiled[0] += patches; }

                @Override
                public void onBatch(int patches) { searched[0] += patches; }

                @Override
                public void onNotice(String message) { notices.add(message); }
            });
        }
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("colour image converted to grey"), notices.get(0));
        assertEquals(3 * 4, tiled[0], "36x36 with patch 32 and stride 8: starts 0 and 4 on each axis");
        assertEquals(tiled[0], searched[0], "every tiled patch is reported searched");
    }

    private Path calibratedModel() throws IOException {
        Path file = dir.resolve("model.safetensors");
        try (CpuBackend cpu = new CpuBackend(); Dcgan model = TestImages.tinyModel(cpu, 4L)) {
            Map<String, String> info = new HashMap<>(ScoringSettings.of(CALIBRATED, 32));
            info.put(Thresholds.IMAGE_KEY, "1.5");
            info.put(Thresholds.PIXEL_KEY, "0.5");
            ModelFile.save(file, model, info, Map.of());
        }
        return file;
    }
}
