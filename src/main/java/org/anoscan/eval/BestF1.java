package org.anoscan.eval;

/**
 * The threshold with the highest F1 among the distinct scores (score >= threshold = anomalous).
 * When several thresholds reach the same F1 the highest one is kept: fewer alarms for the same
 * F1.
 */
public record BestF1(double f1, double threshold, double precision, double recall) {

    public static BestF1 of(RankedScores ranked) {
        int best = 0;
        double bestF1 = -1;
        for (int k = 0; k < ranked.thresholdCount(); k++) {
            double f1 = f1(ranked, k);
            if (f1 > bestF1) { // strict: the first (highest) threshold wins ties
                bestF1 = f1;
                best = k;
            }
        }
        int tp = ranked.truePositives(best);
        return new BestF1(bestF1, ranked.threshold(best),
                (double) tp / (tp + ranked.falsePositives(best)),
                (double) tp / ranked.anomalies());
    }

    public static BestF1 of(double[] scores, boolean[] labels) {
        return of(RankedScores.of(scores, labels));
    }

    public static BestF1 of(double[] scores, int[] labels) {
        return of(RankedScores.of(scores, labels));
    }

    private static double f1(RankedScores ranked, int k) {
        long tp = ranked.truePositives(k);
        long fn = ranked.anomalies() - tp;
        return 2.0 * tp / (2 * tp + ranked.falsePositives(k) + fn);
    }
}
