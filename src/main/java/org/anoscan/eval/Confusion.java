package org.anoscan.eval;

/**
 * Confusion counts at one threshold (score >= threshold = predicted anomalous) and the rates
 * derived from them. A rate whose denominator is zero is 0, as sklearn's zero_division=0.
 */
public record Confusion(int truePositives, int falsePositives, int trueNegatives, int falseNegatives) {

    /** @param labels true = anomalous */
    public static Confusion at(double[] scores, boolean[] labels, double threshold) {
        Inputs.checkScoresAndLabels(scores, labels);
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("threshold is NaN");
        }
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean predicted = scores[i] >= threshold;
            if (labels[i]) {
                if (predicted) tp++; else fn++;
            } else {
                if (predicted) fp++; else tn++;
            }
        }
        Inputs.requireBothClasses(tp + fn, fp + tn, "samples");
        return new Confusion(tp, fp, tn, fn);
    }

    /** @param labels 1 = anomalous, 0 = normal */
    public static Confusion at(double[] scores, int[] labels, double threshold) {
        return at(scores, Inputs.labelsFromInts(labels), threshold);
    }

    public double precision() {
        return ratio(truePositives, truePositives + falsePositives);
    }

    public double recall() {
        return ratio(truePositives, truePositives + falseNegatives);
    }

    /** 2TP / (2TP + FP + FN): the harmonic mean of precision and recall without the 0/0 case. */
    public double f1() {
        return ratio(2L * truePositives, 2L * truePositives + falsePositives + falseNegatives);
    }

    public double accuracy() {
        return ratio((long) truePositives + trueNegatives,
                (long) truePositives + trueNegatives + falsePositives + falseNegatives);
    }

    public double falsePositiveRate() {
        return ratio(falsePositives, falsePositives + trueNegatives);
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }
}
