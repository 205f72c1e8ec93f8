package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PrecisionRecallTest {

    @Test
    void handComputedExample() {
        // Descending: 0.8 (A) tp1 fp0 R=.5 P=1; 0.4 (N) no recall gain; 0.35 (A) tp2 fp1 R=1 P=2/3.
        // AP = .5*1 + .5*2/3 = 5/6 (sklearn's average_precision_score documents 0.83 here).
        double[] scores = {0.1, 0.4, 0.35, 0.8};
        int[] labels = {0, 0, 1, 1};
        assertEquals(5.0 / 6.0, PrecisionRecall.averagePrecision(scores, labels), 1e-15);
    }

    @Test
    void tiedScoresEnterTogether() {
        // 0.9 (A) R=.5 P=1; {0.5: A and N} R=1 P=2/3 -> AP = .5 + .5*2/3 = 5/6.
        // Putting the tied anomaly first would give 1.0: grouping must not do that.
        double[] scores = {0.9, 0.5, 0.5, 0.1};
        boolean[] labels = {true, true, false, false};
        assertEquals(5.0 / 6.0, PrecisionRecall.averagePrecision(scores, labels), 1e-15);
    }

    @Test
    void allEqualScoresGivePrevalence() {
        // One group: recall 0 -> 1 at precision 2/5.
        double[] scores = {1, 1, 1, 1, 1};
        boolean[] labels = {true, false, true, false, false};
        assertEquals(0.4, PrecisionRecall.averagePrecision(scores, labels), 1e-15);
    }

    @Test
    void perfectRankingGivesOne() {
        double[] scores = {5, 4, 3, 2, 1};
        boolean[] labels = {true, true, false, false, false};
        assertEquals(1.0, PrecisionRecall.averagePrecision(scores, labels), 0);
    }

    @Test
    void invertedRankingGivesHandValue() {
        // Anomalies 2 and 1 ranked below normals 5, 4, 3:
        // at 2: tp1 fp3 R=.5 P=1/4; at 1: tp2 fp3 R=1 P=2/5 -> AP = .5/4 + .5*2/5 = 0.325
        double[] scores = {5, 4, 3, 2, 1};
        boolean[] labels = {false, false, false, true, true};
        assertEquals(0.325, PrecisionRecall.averagePrecision(scores, labels), 1e-15);
    }

    @Test
    void matchesBruteForceOnRandomData() {
        Random random = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + random.nextInt(150);
            int levels = trial % 3 == 0 ? 0 : 1 + random.nextInt(8);
            double[] scores = BruteForce.scores(random, n, levels);
            boolean[] labels = BruteForce.labels(random, n, 0.05 + 0.9 * random.nextDouble());
            assertEquals(BruteForce.averagePrecision(scores, labels),
                    PrecisionRecall.averagePrecision(scores, labels), 1e-12, "trial " + trial);
        }
    }

    @Test
    void curvePoints() {
        PrCurve curve = PrecisionRecall.curve(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true});
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 1}, curve.recall(), 1e-15);
        assertArrayEquals(new double[] {1, 1, 0.5, 2.0 / 3, 0.5}, curve.precision(), 1e-15);
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1}, curve.thresholds(), 0);
    }

    @Test
    void rejectsOneClassAndNaN() {
        assertThrows(IllegalArgumentException.class,
                () -> PrecisionRecall.averagePrecision(new double[] {1, 2}, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> PrecisionRecall.averagePrecision(new double[] {Double.NaN, 2}, new int[] {1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> PrecisionRecall.averagePrecision(new double[] {1}, new int[] {1, 0}));
    }
}
