package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Confusion at a fixed threshold and the best-F1 threshold. */
class ThresholdMetricsTest {
    private static final double[] SCORES = {0.1, 0.4, 0.35, 0.8};
    private static final int[] LABELS = {0, 0, 1, 1};

    @Test
    void confusionAtThresholdCountsEqualScoreAsAnomalous() {
        // score >= 0.35 -> {0.4 (N), 0.35 (A), 0.8 (A)}: tp 2, fp 1, tn 1, fn 0.
        // precision 2/3, recall 1, F1 = 4 / (4 + 1 + 0) = 0.8, accuracy 3/4, FPR 1/2.
        Confusion c = Confusion.at(SCORES, LABELS, 0.35);
        assertEquals(new Confusion(2, 1, 1, 0), c);
        assertEquals(2.0 / 3, c.precision(), 1e-15);
        assertEquals(1.0, c.recall(), 0);
        assertEquals(0.8, c.f1(), 1e-15);
        assertEquals(0.75, c.accuracy(), 0);
        assertEquals(0.5, c.falsePositiveRate(), 0);
    }

    @Test
    void thresholdAboveEveryScorePredictsNothing() {
        Confusion c = Confusion.at(SCORES, LABELS, 1.0);
        assertEquals(new Confusion(0, 0, 2, 2), c);
        assertEquals(0.0, c.precision(), 0); // 0/0 -> 0, not NaN
        assertEquals(0.0, c.f1(), 0);
        assertEquals(0.5, c.accuracy(), 0);
    }

    @Test
    void bestF1HandComputed() {
        // F1 = 2tp / (2tp + fp + fn) at each distinct score:
        // 0.8: tp1 fp0 fn1 -> 2/3; 0.4: tp1 fp1 fn1 -> 1/2; 0.35: tp2 fp1 fn0 -> 4/5; 0.1: 4/6.
        BestF1 best = BestF1.of(SCORES, LABELS);
        assertEquals(0.8, best.f1(), 1e-15);
        assertEquals(0.35, best.threshold(), 0);
        assertEquals(2.0 / 3, best.precision(), 1e-15);
        assertEquals(1.0, best.recall(), 0);
    }

    @Test
    void bestF1TieKeepsHighestThreshold() {
        // 0.9 (A): tp1 fp0 fn1 -> 2/3; 0.8 (N): 2/4; 0.7 (N): 2/5; 0.6 (A): tp2 fp2 fn0 -> 4/6 = 2/3.
        BestF1 best = BestF1.of(new double[] {0.9, 0.8, 0.7, 0.6, 0.1}, new int[] {1, 0, 0, 1, 0});
        assertEquals(2.0 / 3, best.f1(), 1e-15);
        assertEquals(0.9, best.threshold(), 0);
    }

    @Test
    void bestF1MatchesBruteForceAndConfusionAtItsThreshold() {
        Random random = new Random(11);
        for (int trial = 0; trial < 100; trial++) {
            int n = 2 + random.nextInt(80);
            double[] scores = BruteForce.scores(random, n, trial % 2 == 0 ? 0 : 5);
            boolean[] labels = BruteForce.labels(random, n, 0.4);
            BestF1 best = BestF1.of(scores, labels);
            assertEquals(BruteForce.bestF1(scores, labels), best.f1(), 1e-12);
            Confusion atBest = Confusion.at(scores, labels, best.threshold());
            assertEquals(best.f1(), atBest.f1(), 1e-12);
            assertEquals(best.precision(), atBest.precision(), 1e-12);
            assertEquals(best.recall(), atBest.recall(), 1e-12);
        }
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Confusion.at(SCORES, LABELS, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Confusion.at(SCORES, new int[] {0, 0, 0, 0}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Confusion.at(SCORES, new int[] {0, 1}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> BestF1.of(new double[] {1, 2}, new int[] {1, 1}));
    }
}
