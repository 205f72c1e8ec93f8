package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocTest {

    @Test
    void handComputedExample() {
        // Anomalies 0.35 and 0.8; normals 0.1 and 0.4.
        // 0.35 beats 0.1, loses to 0.4 -> 1; 0.8 beats both -> 2; AUROC = 3 / (2*2) = 0.75
        // (the value sklearn's roc_auc_score documents for this input).
        double[] scores = {0.1, 0.4, 0.35, 0.8};
        int[] labels = {0, 0, 1, 1};
        assertEquals(0.75, Roc.auroc(scores, labels), 1e-15);
    }

    @Test
    void tiedPairCountsHalf() {
        // Anomalies 0.5, 0.9; normals 0.5, 0.2.
        // (0.5, 0.5) tie -> 1/2; (0.5, 0.2) -> 1; 0.9 beats both -> 2; AUROC = 3.5 / 4 = 0.875
        double[] scores = {0.5, 0.5, 0.2, 0.9};
        boolean[] labels = {true, false, false, true};
        assertEquals(0.875, Roc.auroc(scores, labels), 1e-15);
    }

    @Test
    void allEqualScoresGiveOneHalf() {
        double[] scores = {3, 3, 3, 3, 3};
        boolean[] labels = {true, false, false, true, false};
        assertEquals(0.5, Roc.auroc(scores, labels), 1e-15);
    }

    @Test
    void negativeZeroTiesWithZero() {
        assertEquals(0.5, Roc.auroc(new double[] {-0.0, 0.0}, new boolean[] {true, false}), 1e-15);
    }

    @Test
    void perfectAndInvertedRankings() {
        double[] scores = {0.9, 0.8, 0.7, 0.2, 0.1, Double.NEGATIVE_INFINITY};
        boolean[] anomalousHigh = {true, true, true, false, false, false};
        boolean[] anomalousLow = {false, false, false, true, true, true};
        assertEquals(1.0, Roc.auroc(scores, anomalousHigh), 0.0);
        assertEquals(0.0, Roc.auroc(scores, anomalousLow), 0.0);
    }

    @Test
    void matchesPairwiseBruteForceOnRandomData() {
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + random.nextInt(120);
            int levels = trial % 3 == 0 ? 0 : 1 + random.nextInt(6); // continuous or heavily tied
            double[] scores = BruteForce.scores(random, n, levels);
            boolean[] labels = BruteForce.labels(random, n, 0.1 + 0.8 * random.nextDouble());
            assertEquals(BruteForce.auroc(scores, labels), Roc.auroc(scores, labels), 1e-12,
                    "trial " + trial);
        }
    }

    @Test
    void curveHasOnePointPerDistinctScore() {
        // Thresholds 0.8, 0.4, 0.35, 0.1 -> (fpr, tpr) = (0, .5), (.5, .5), (.5, 1), (1, 1)
        RocCurve curve = Roc.curve(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true});
        assertArrayEquals(new double[] {0, 0, 0.5, 0.5, 1}, curve.fpr(), 1e-15);
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 1}, curve.tpr(), 1e-15);
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1}, curve.thresholds(), 0);
    }

    @Test
    void curveGroupsTies() {
        // Tied group {0.5: one anomaly, one normal} is one diagonal step, not two.
        RocCurve curve = Roc.curve(new double[] {0.5, 0.5, 0.2, 0.9}, new boolean[] {true, false, false, true});
        assertEquals(4, curve.size());
        assertArrayEquals(new double[] {0, 0, 0.5, 1}, curve.fpr(), 1e-15);
        assertArrayEquals(new double[] {0, 0.5, 1, 1}, curve.tpr(), 1e-15);
    }

    @Test
    void trapezoidAreaOfCurveEqualsAuroc() {
        Random random = new Random(7);
        double[] scores = BruteForce.scores(random, 300, 10);
        boolean[] labels = BruteForce.labels(random, 300, 0.3);
        RocCurve curve = Roc.curve(scores, labels);
        double area = 0;
        for (int k = 1; k < curve.size(); k++) {
            area += (curve.fpr()[k] - curve.fpr()[k - 1]) * (curve.tpr()[k] + curve.tpr()[k - 1]) / 2;
        }
        assertEquals(Roc.auroc(scores, labels), area, 1e-12);
    }

    @Test
    void rejectsOneClassInput() {
        IllegalArgumentException allNormal = assertThrows(IllegalArgumentException.class,
                () -> Roc.auroc(new double[] {1, 2, 3}, new int[] {0, 0, 0}));
        assertTrue(allNormal.getMessage().contains("all 3 samples are normal"), allNormal.getMessage());
        IllegalArgumentException allAnomalous = assertThrows(IllegalArgumentException.class,
                () -> Roc.auroc(new double[] {1, 2}, new boolean[] {true, true}));
        assertTrue(allAnomalous.getMessage().contains("anomalous"), allAnomalous.getMessage());
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Roc.auroc(new double[] {1, Double.NaN}, new boolean[] {true, false}));
        assertTrue(nan.getMessage().contains("index 1 is NaN"), nan.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> Roc.auroc(new double[] {1, 2, 3}, new boolean[] {true, false}));
        assertTrue(length.getMessage().contains("3 scores, 2 labels"), length.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> Roc.auroc(new double[] {1, 2}, new int[] {1, 2}));
        assertTrue(label.getMessage().contains("index 1 is 2"), label.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Roc.auroc(new double[0], new boolean[0]));
        assertThrows(NullPointerException.class, () -> Roc.auroc(null, new boolean[0]));
    }
}
