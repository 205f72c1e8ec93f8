package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AuproTest {
    private static final GroundTruthMask BLOB = Grids.mask(
            ".....",
            ".##..",
            ".###.",
            ".....");

    @Test
    void perfectMapScoresOne() {
        // Curve (0,0) -> (0,1) at score 1 -> (1,1): area to 0.3 is 0.3, normalised 1.
        Aupro.Result r = Aupro.compute(List.of(Grids.fromMask(BLOB, 1, 0)), List.of(BLOB));
        assertEquals(1.0, r.aupro(), 1e-15);
        assertEquals(1, r.regionCount());
        assertArrayEquals(new double[] {0, 0, 1}, r.curve().fpr(), 0);
        assertArrayEquals(new double[] {0, 1, 1}, r.curve().pro(), 0);
    }

    @Test
    void constantMapFollowsTheDiagonal() {
        // One threshold: (0,0) -> (1,1). Area under y = x up to 0.3 (interpolated there) is
        // 0.3^2 / 2 = 0.045, normalised 0.045 / 0.3 = 0.15. Up to 1: 0.5 / 1 = 0.5.
        List<AnomalyMap> maps = List.of(Grids.constant(5, 4, 2f));
        assertEquals(0.15, Aupro.compute(maps, List.of(BLOB)).aupro(), 1e-15);
        assertEquals(0.5, Aupro.compute(maps, List.of(BLOB), 1.0).aupro(), 1e-15);
    }

    @Test
    void invertedMapScoresZero() {
        // All normals enter first: (0,0) -> (1,0) -> (1,1), zero area below FPR 1.
        Aupro.Result r = Aupro.compute(List.of(Grids.fromMask(BLOB, 0, 1)), List.of(BLOB));
        assertEquals(0.0, r.aupro(), 0);
    }

    @Test
    void regionsCountEquallyWhateverTheirSize() {
        // TwoRegions: A (4 px) at 0.9, 10 normals at 0.7, B (9 px) at 0.5, 77 normals at 0.1.
        // Curve: (0,0); 0.9 -> (0, 1/2) [mean of overlaps 1 and 0, not 4/13 of pixels];
        // 0.7 -> (10/87, 1/2); 0.5 -> (10/87, 1); 0.1 -> (1, 1).
        // Area to 0.3 = 1/2 * 10/87 + 1 * (0.3 - 10/87) = 0.3 - 5/87; AUPRO = 1 - 50/261 = 211/261.
        Aupro.Result r = Aupro.compute(List.of(TwoRegions.MAP), List.of(TwoRegions.MASK));
        assertEquals(211.0 / 261.0, r.aupro(), 1e-14);
        assertEquals(2, r.regionCount());
        assertArrayEquals(new double[] {0, 0, 10.0 / 87, 10.0 / 87, 1}, r.curve().fpr(), 1e-15);
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 1}, r.curve().pro(), 1e-15);
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.9f, 0.7f, 0.5f, 0.1f}, r.curve().thresholds(), 0);
    }

    @Test
    void regionsAreEightConnected() {
        // One region of 3 px: a horizontal pair (score 1) plus a pixel touching it diagonally (0.5).
        // 2 of the 22 normals score 0.75, the rest 0.
        // 8-connected: (0,0); 1 -> (0, 2/3); 0.75 -> (1/11, 2/3); 0.5 -> (1/11, 1); 0 -> (1, 1).
        // Area = 2/3 * 1/11 + (0.3 - 1/11) = 0.3 - 1/33; AUPRO = 1 - 10/99 = 89/99.
        // (With 4-connectivity there would be two regions, PRO 1/2 at score 1, AUPRO 1 - 5/33.)
        GroundTruthMask mask = Grids.mask(
                "##...",
                "..#..",
                ".....",
                ".....",
                ".....");
        float[] scores = new float[25];
        scores[0] = 1;
        scores[1] = 1;
        scores[7] = 0.5f;
        scores[20] = 0.75f;
        scores[24] = 0.75f;
        Aupro.Result r = Aupro.compute(List.of(new AnomalyMap(5, 5, scores)), List.of(mask));
        assertEquals(1, r.regionCount());
        assertEquals(2.0 / 3, r.curve().pro()[1], 1e-15);
        assertEquals(89.0 / 99.0, r.aupro(), 1e-14);
    }

    @Test
    void normalImagesOnlyAddFalsePositives() {
        // BLOB (5 of 20 px anomalous) perfectly detected at score 1, plus a defect-free image whose 20
        // pixels all score 2; normals 15 + 20 = 35.
        // (0,0); 2 -> (20/35, 0); 1 -> (20/35, 1); 0 -> (1, 1). 20/35 > 0.3, so the area is 0.
        List<AnomalyMap> maps = List.of(Grids.fromMask(BLOB, 1, 0), Grids.constant(5, 4, 2));
        List<GroundTruthMask> masks = List.of(BLOB, GroundTruthMask.normal(5, 4));
        assertEquals(0.0, Aupro.compute(maps, masks).aupro(), 0);
        // With limit 1: 0 up to 20/35, then 1 over the remaining 15/35.
        assertEquals(15.0 / 35, Aupro.compute(maps, masks, 1.0).aupro(), 1e-15);
    }

    @Test
    void matchesBruteForceOnRandomMaps() {
        Random random = new Random(23);
        int checked = 0;
        for (int trial = 0; trial < 150; trial++) {
            List<AnomalyMap> maps = new ArrayList<>();
            List<GroundTruthMask> masks = new ArrayList<>();
            int images = 1 + random.nextInt(3);
            for (int i = 0; i < images; i++) {
                int w = 1 + random.nextInt(9);
                int h = 1 + random.nextInt(9);
                GroundTruthMask mask = random.nextInt(4) == 0
                        ? GroundTruthMask.normal(w, h) : Grids.randomMask(random, w, h, 0.35);
                masks.add(mask);
                maps.add(Grids.randomMap(random, mask, trial % 2 == 0 ? 5 : 0, random.nextFloat() * 2));
            }
            boolean[] labels = BruteForce.pooledLabels(masks);
            int anomalous = 0;
            for (boolean l : labels) if (l) anomalous++;
            if (anomalous == 0 || anomalous == labels.length) continue;
            double limit = trial % 3 == 0 ? 0.3 : 0.05 + 0.95 * random.nextDouble();
            Aupro.Result fast = Aupro.compute(maps, masks, limit);
            assertEquals(BruteForce.aupro(maps, masks, limit), fast.aupro(), 1e-12, "trial " + trial);
            // Small maps move the curve by more than the plotting resolution at every step, so no
            // point is thinned away and the curve must equal the brute-force one.
            double[][] curve = BruteForce.proCurve(maps, masks);
            assertArrayEquals(curve[0], fast.curve().fpr(), 1e-12, "trial " + trial);
            assertArrayEquals(curve[1], fast.curve().pro(), 1e-12, "trial " + trial);
            checked++;
        }
        assertTrue(checked > 100, "only " + checked + " usable random cases");
    }

    @Test
    void largeInputsGiveABoundedMonotoneCurve() {
        Random random = new Random(2);
        List<AnomalyMap> maps = new ArrayList<>();
        List<GroundTruthMask> masks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            GroundTruthMask mask = Grids.randomMask(random, 512, 512, 0.05);
            masks.add(mask);
            maps.add(Grids.randomMap(random, mask, 0, 2f));
        }
        Aupro.Result r = Aupro.compute(maps, masks);
        assertTrue(r.aupro() > 0.3 && r.aupro() < 1, "aupro " + r.aupro());
        ProCurve curve = r.curve();
        assertTrue(curve.size() <= 2 / Aupro.CURVE_RESOLUTION + 2, "curve has " + curve.size() + " points");
        assertTrue(curve.size() > 100, "curve has " + curve.size() + " points");
        assertEquals(1.0, curve.fpr()[curve.size() - 1], 0);
        assertEquals(1.0, curve.pro()[curve.size() - 1], 0);
        for (int k = 1; k < curve.size(); k++) {
            assertTrue(curve.fpr()[k] >= curve.fpr()[k - 1] && curve.pro()[k] >= curve.pro()[k - 1]);
            assertTrue(curve.thresholds()[k] < curve.thresholds()[k - 1]);
        }
    }

    @Test
    void rejectsUnusableInput() {
        List<AnomalyMap> map = List.of(Grids.constant(5, 4, 1));
        IllegalArgumentException noRegion = assertThrows(IllegalArgumentException.class,
                () -> Aupro.compute(map, List.of(GroundTruthMask.normal(5, 4))));
        assertTrue(noRegion.getMessage().contains("no anomalous region"), noRegion.getMessage());
        GroundTruthMask full = new GroundTruthMask(5, 4, new boolean[20]);
        java.util.Arrays.fill(full.anomalous(), true);
        IllegalArgumentException noNormal = assertThrows(IllegalArgumentException.class,
                () -> Aupro.compute(map, List.of(full)));
        assertTrue(noNormal.getMessage().contains("no normal pixel"), noNormal.getMessage());
        for (double limit : new double[] {0, -0.1, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> Aupro.compute(map, List.of(BLOB), limit));
        }
        assertThrows(IllegalArgumentException.class,
                () -> Aupro.compute(List.of(new AnomalyMap(5, 4, new float[20])), List.of(Grids.mask("#."))));
        float[] nan = new float[20];
        nan[3] = Float.NaN;
        assertThrows(IllegalArgumentException.class,
                () -> Aupro.compute(List.of(new AnomalyMap(5, 4, nan)), List.of(BLOB)));
    }
}
