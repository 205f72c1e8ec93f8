package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PixelAurocTest {

    @Test
    void handComputedTwoRegions() {
        // 10x10: region A (4 px) at 0.9, region B (9 px) at 0.5, 10 normals at 0.7, 77 normals at 0.1.
        // A beats all 87 normals: 4*87 = 348; B beats the 77 at 0.1: 9*77 = 693.
        // AUROC = 1041 / (13*87) = 1041 / 1131
        assertEquals(1041.0 / 1131.0, PixelAuroc.compute(List.of(TwoRegions.MAP), List.of(TwoRegions.MASK)), 1e-15);
    }

    @Test
    void poolsPixelsOfAllImages() {
        // Image 1: anomaly 1, normal 0. Image 2: anomaly 0, normal 1. Image 3 (no defect): normal 2.
        // Anomaly 1 vs normals {0, 1, 2}: win, tie, loss -> 1.5; anomaly 0: tie, loss, loss -> 0.5.
        // Pooled AUROC = 2 / 6 = 1/3 (a mean of per-image AUROCs would give (1 + 0) / 2 instead).
        List<AnomalyMap> maps = List.of(
                new AnomalyMap(2, 1, new float[] {1, 0}),
                new AnomalyMap(2, 1, new float[] {0, 1}),
                new AnomalyMap(1, 1, new float[] {2}));
        List<GroundTruthMask> masks = List.of(Grids.mask("#."), Grids.mask("#."), Grids.mask("."));
        assertEquals(1.0 / 3, PixelAuroc.compute(maps, masks), 1e-15);
    }

    @Test
    void constantMapGivesOneHalfAndPerfectMapGivesOne() {
        GroundTruthMask mask = Grids.mask("..#.", ".##.", "....");
        assertEquals(0.5, PixelAuroc.compute(List.of(Grids.constant(4, 3, 7f)), List.of(mask)), 1e-15);
        assertEquals(1.0, PixelAuroc.compute(List.of(Grids.fromMask(mask, 1, 0)), List.of(mask)), 0);
        assertEquals(0.0, PixelAuroc.compute(List.of(Grids.fromMask(mask, 0, 1)), List.of(mask)), 0);
    }

    @Test
    void negativeAndPositiveZeroTie() {
        List<AnomalyMap> maps = List.of(new AnomalyMap(2, 1, new float[] {-0.0f, 0.0f}));
        assertEquals(0.5, PixelAuroc.compute(maps, List.of(Grids.mask("#."))), 1e-15);
    }

    @Test
    void matchesPairwiseBruteForceOnRandomMaps() {
        Random random = new Random(17);
        for (int trial = 0; trial < 60; trial++) {
            List<AnomalyMap> maps = new ArrayList<>();
            List<GroundTruthMask> masks = new ArrayList<>();
            int images = 1 + random.nextInt(4);
            for (int i = 0; i < images; i++) {
                GroundTruthMask mask = Grids.randomMask(random, 1 + random.nextInt(12), 1 + random.nextInt(12), 0.3);
                masks.add(mask);
                maps.add(Grids.randomMap(random, mask, trial % 2 == 0 ? 4 : 0, 1f));
            }
            boolean[] labels = BruteForce.pooledLabels(masks);
            int anomalous = 0;
            for (boolean l : labels) if (l) anomalous++;
            if (anomalous == 0 || anomalous == labels.length) continue;
            assertEquals(BruteForce.auroc(BruteForce.pooled(maps), labels), PixelAuroc.compute(maps, masks), 1e-12,
                    "trial " + trial);
        }
    }

    @Test
    void millionsOfPixelsAgreeWithImageLevelRanking() {
        // 4 maps of 512x512 (1M pixels) through the float/long-key path versus the double-based
        // image-level ranking of the same pooled values.
        Random random = new Random(1);
        List<AnomalyMap> maps = new ArrayList<>();
        List<GroundTruthMask> masks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            GroundTruthMask mask = Grids.randomMask(random, 512, 512, 0.02);
            masks.add(mask);
            maps.add(Grids.randomMap(random, mask, 1000, 300f));
        }
        double auroc = PixelAuroc.compute(maps, masks);
        assertTrue(auroc > 0.7 && auroc < 1.0, "auroc " + auroc);
        assertEquals(Roc.auroc(BruteForce.pooled(maps), BruteForce.pooledLabels(masks)), auroc, 1e-12);
    }

    @Test
    void rejectsUnusableInput() {
        GroundTruthMask mask = Grids.mask("#.");
        AnomalyMap map = new AnomalyMap(2, 1, new float[] {1, 0});
        IllegalArgumentException noAnomaly = assertThrows(IllegalArgumentException.class,
                () -> PixelAuroc.compute(List.of(map), List.of(GroundTruthMask.normal(2, 1))));
        assertTrue(noAnomaly.getMessage().contains("all 2 pixels are normal"), noAnomaly.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PixelAuroc.compute(List.of(map), List.of(Grids.mask("##"))));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> PixelAuroc.compute(List.of(map, new AnomalyMap(2, 1, new float[] {0, Float.NaN})), List.of(mask, mask)));
        assertTrue(nan.getMessage().contains("anomaly map 1 has a NaN score at pixel (x=1, y=0)"), nan.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> PixelAuroc.compute(List.of(map), List.of(Grids.mask("#", "."))));
        assertTrue(size.getMessage().contains("anomaly map 0 is 2x1 but its mask is 1x2"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PixelAuroc.compute(List.of(map), List.of(mask, mask)));
        assertThrows(IllegalArgumentException.class, () -> PixelAuroc.compute(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AnomalyMap(3, 3, new float[8]));
        assertThrows(IllegalArgumentException.class, () -> new GroundTruthMask(0, 3, new boolean[0]));
    }
}
