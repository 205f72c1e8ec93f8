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
 * heatmaps and masks it returns.
 */
class TextureLocalisationTest {
    static final TextureLocalisation.Settings TINY = new TextureLocalisation.Settings(new DcganSpec(32, 1, 16, 8, 8),
            new TrainConfig(4, 16, 2e-4f, 0.5f, 1f, 1L, 0), SearchConfig.defaults().withIterations(3), 64, 6, 16, 3L);

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
        assertEquals(6, o.images().size());
        assertEquals(6, o.results().size());
        List<AnomalyMap> maps = new ArrayList<>();
        List<GroundTruthMask> masks = new ArrayList<>();
        double[] scores = new double[6];
        boolean[] labels = new boolean[6];
        for (int i = 0; i < 6; i++) {
            DefectSet.LabelledImage im = o.images().get(i);
            ScanResult r = o.results().get(i);
            assertEquals(i >= 3, im.anomalous(), "first half normal");
            int marked = 0;
            for (boolean b : im.mask().anomalous()) if (b) marked++;
            assertEquals(im.anomalous(), marked > 0, "a defect image has a mask, a normal one none: " + im.defect());
            assertEquals(64, r.heatmap().width());
            assertEquals(64, r.heatmap().height());
            assertTrue(r.image() == im.image(), "results in image order");
            maps.add(new AnomalyMap(64, 64, r.heatmap().data()));
            masks.add(im.mask());
            scores[i] = r.topKMean();
            labels[i] = im.anomalous();
        }
        assertEquals(List.of("none", "none", "none", "paste", "scratch", "blob"), o.images().stream().map(DefectSet.LabelledImage::defect).toList());
        LocalisationMetrics expected = LocalisationMetrics.of(maps, masks);
        assertEquals(expected, o.localisation());
        assertEquals(Roc.auroc(scores, labels), o.imageAuroc(), 0);
        assertTrue(o.localisation().pixelAuroc() >= 0 && o.localisation().pixelAuroc() <= 1);
        assertEquals(3, o.localisation().regionCount());
    }

    @Test
    void theTestSetIsSeededAndCutFromTheHeldOutColumns() throws Exception {
        FloatImage brick = ImageReader.read(Path.of("data/textures/brick.png"), 1);
        FloatImage gravel = ImageReader.read(Path.of("data/textures/gravel.png"), 1);
        FloatImage heldOut = TextureLocalisation.heldOutRegion(brick);
        assertEquals(512 - TextureLocalisation.TRAIN_COLUMNS, heldOut.width());
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
        TextureLocalisation.main(new String[] {"--quick", "--steps", "3", "--iterations", "2", "--images", "4", "--device", "cpu",
                "--seed", "5", "--out", out.toString()});
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertTrue(m.get("localisation").get("pixelAuroc").isNumber());
        assertTrue(m.get("run").get("settings").asText().contains("3 steps"), m.get("run").toString());
        for (String png : List.of("example-overlay.png", "example-mask.png", "example-image.png", "roc.png", "pr.png", "pro.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }
    }
}
