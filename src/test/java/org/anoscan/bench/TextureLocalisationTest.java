package org.anoscan.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.eval.AnomalyMap;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.eval.LocalisationMetrics;
import org.anoscan.eval.Roc;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.nn.DcganSpec;
import org.anoscan.scan.ScanResult;
import org.anoscan.search.SearchConfig;
import org.anoscan.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The texture localisation benchmark on a tiny setting (a few training steps, 3 search iterations): the
 * numbers mean nothing, so the test checks the test set it makes and that its metrics are those of the
 * heatmaps and masks it returns, per map and per defect kind.
 */
class TextureLocalisationTest {
    static final TextureLocalisation.Settings TINY = new TextureLocalisation.Settings(new DcganSpec(32, 1, 16, 8, 8),
            new TrainConfig(4, 16, 2e-4f, 0.5f, 1f, 1L, 0), SearchConfig.defaults().withIterations(3), 64, 10, 2, 16, 3L);

    @TempDir
    Path dir;

    @Test
    void metricsAreThoseOfTheReturnedHeatmapsAndMasks() throws Exception {
        FloatImage brick = ImageReader.read(Path.of("data/textures/brick.png"), 1);
        FloatImage gravel = ImageReader.read(Path.of("data/textures/gravel.png"), 1);
        TextureLocalisation.Outcome o;
        try (CpuBackend cpu = new CpuBackend()) {
            o = TextureLocalisation.run(cpu, brick, gravel, TINY, null);
        }
        int n = 10;
        assertEquals(n, o.images().size());
        assertEquals(n, o.results().size());
        assertEquals(TextureLocalisation.VARIANTS, List.copyOf(o.maps().keySet()));
        assertTrue(TextureLocalisation.VARIANTS.contains(TextureLocalisation.DEFAULT), "the default map is among those scored");
        for (int i = 0; i < n; i++) {
            DefectSet.LabelledImage im = o.images().get(i);
            ScanResult r = o.results().get(i);
            assertEquals(i >= 5, im.anomalous(), "first half normal");
            int marked = 0;
            for (boolean b : im.mask().anomalous()) if (b) marked++;
            assertEquals(im.anomalous(), marked > 0, "a defect image has a mask, a normal one none: " + im.defect());
            assertEquals(64, r.heatmap().width());
            assertTrue(r.image() == im.image(), "results in image order");
            assertArrayEquals(r.heatmap().data(), o.maps().get(TextureLocalisation.VARIANTS.get(0)).get(i).data(),
                    "the plain residual variant is the scanner's own heatmap");
        }
        assertEquals(List.of("none", "none", "none", "none", "none", "paste", "scratch", "stain", "bright", "paste"),
                o.images().stream().map(DefectSet.LabelledImage::defect).toList());
        for (TextureLocalisation.Variant v : TextureLocalisation.VARIANTS) {
            List<FloatImage> hm = o.maps().get(v);
            for (String group : List.of("all", "paste", "stain")) {
                List<AnomalyMap> maps = new ArrayList<>();
                List<GroundTruthMask> masks = new ArrayList<>();
                List<Double> scores = new ArrayList<>();
                List<Boolean> labels = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    DefectSet.LabelledImage im = o.images().get(i);
                    if (group.equals("all") || !im.anomalous() || im.defect().equals(group)) {
                        maps.add(new AnomalyMap(64, 64, hm.get(i).data()));
                        masks.add(im.mask());
                        scores.add((double) o.results().get(i).topKMean());
                        labels.add(im.anomalous());
                    }
                }
                LocalisationMetrics expected = LocalisationMetrics.of(maps, masks);
                TextureLocalisation.Score got = o.scores().get(v).get(group);
                assertEquals(expected.pixelAuroc(), got.pixelAuroc(), 0, v.label() + " " + group);
                assertEquals(expected.aupro(), got.aupro(), 0, v.label() + " " + group);
                boolean[] lab = new boolean[labels.size()];
                for (int i = 0; i < lab.length; i++) lab[i] = labels.get(i);
                assertEquals(Roc.auroc(scores.stream().mapToDouble(Double::doubleValue).toArray(), lab), got.imageAuroc(), 0);
            }
            assertEquals(2, o.scores().get(v).get("paste").regions());
        }
        assertEquals(5, o.scores().get(TextureLocalisation.VARIANTS.get(0)).get("all").regions());
        assertEquals(2 * 9, o.statistics().patches(), "two calibration images of nine patches each");
    }

    @Test
    void theTestSetIsSeededAndCutFromTheHeldOutColumns() throws Exception {
        FloatImage brick = ImageReader.read(Path.of("data/textures/brick.png"), 1);
        FloatImage gravel = ImageReader.read(Path.of("data/textures/gravel.png"), 1);
        FloatImage heldOut = TextureLocalisation.heldOutRegion(brick);
        assertEquals(512 - TextureLocalisation.TRAIN_COLUMNS, heldOut.width());
        FloatImage cal = TextureLocalisation.calibrationRegion(brick), test = TextureLocalisation.testRegion(brick);
        assertEquals(256, cal.height());
        assertEquals(256, test.height());
        assertEquals(heldOut.get(0, 256, 5), test.get(0, 0, 5), "the test crops come from below the calibration ones");
        assertEquals(TextureLocalisation.TRAIN_COLUMNS, TextureLocalisation.trainRegion(brick).width());
        assertEquals(brick.get(0, 10, TextureLocalisation.TRAIN_COLUMNS), heldOut.get(0, 10, 0));
        List<DefectSet.LabelledImage> a = DefectSet.make(heldOut, gravel, 8, 64, 11L), b = DefectSet.make(heldOut, gravel, 8, 64, 11L);
        List<DefectSet.LabelledImage> c = DefectSet.make(heldOut, gravel, 8, 64, 12L);
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(a.get(i).image().data(), b.get(i).image().data(), "same seed, same image " + i);
            assertArrayEquals(a.get(i).mask().anomalous(), b.get(i).mask().anomalous());
        }
        assertFalse(java.util.Arrays.equals(a.get(5).image().data(), c.get(5).image().data()), "another seed, other images");
    }

    @Test
    void theProgramWritesMetricsPlotsAndAnExampleOverlay() throws Exception {
        Path out = dir.resolve("out");
        String[] args = {"--quick", "--texture", "grass", "--steps", "3", "--iterations", "2", "--images", "10", "--calibration", "1",
                "--device", "cpu", "--seed", "5", "--out", out.toString()};
        TextureLocalisation.main(args);
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        JsonNode plain = m.get("textures").get("grass").get("scores").get("residual");
        assertTrue(plain.get("stain").get("pixelAuroc").isNumber(), plain.toString());
        assertTrue(m.get("settings").asText().contains("3 steps"), m.toString());
        for (String kind : DefectSet.KINDS) {
            for (String png : List.of(kind + "-image.png", kind + "-mask.png", kind + "-residual.png",
                    kind + "-" + TextureLocalisation.DEFAULT.kind().label() + ".png")) {
                assertNotNull(ImageIO.read(out.resolve("grass").resolve(png).toFile()), png);
            }
        }
        java.nio.file.attribute.FileTime trained = java.nio.file.Files.getLastModifiedTime(out.resolve("models/grass-quick.safetensors"));
        TextureLocalisation.main(args); // the second run reuses the trained model and gets the same figures
        assertEquals(trained, java.nio.file.Files.getLastModifiedTime(out.resolve("models/grass-quick.safetensors")));
        assertEquals(m.get("textures").get("grass").get("scores"),
                new ObjectMapper().readTree(out.resolve("metrics.json").toFile()).get("textures").get("grass").get("scores"));
    }
}
