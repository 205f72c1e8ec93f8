package org.anoscan.eval;

import java.util.Arrays;

/**
 * Image-level scores ranked once: the distinct scores from highest to lowest, and at each of them
 * how many anomalous and normal samples score at or above it. Every image-level curve and metric
 * is a read of these cumulative counts, so ties are grouped in one place.
 */
public final class RankedScores {
    private final double[] thresholds;
    private final int[] truePositives;
    private final int[] falsePositives;
    private final int anomalies;
    private final int normals;

    private RankedScores(double[] thresholds, int[] truePositives, int[] falsePositives) {
        this.thresholds = thresholds;
        this.truePositives = truePositives;
        this.falsePositives = falsePositives;
        int last = thresholds.length - 1;
        this.anomalies = truePositives[last];
        this.normals = falsePositives[last];
    }

    /** @param labels true = anomalous */
    public static RankedScores of(double[] scores, boolean[] labels) {
        Inputs.checkScoresAndLabels(scores, labels);
        int anomalies = 0;
        for (boolean anomalous : labels) {
            if (anomalous) {
                anomalies++;
            }
        }
        Inputs.requireBothClasses(anomalies, labels.length - anomalies, "samples");
        // Sorting each class apart keeps the sort primitive (no boxed index comparator).
        double[] positive = new double[anomalies];
        double[] negative = new double[labels.length - anomalies];
        int p = 0;
        int n = 0;
        for (int i = 0; i < scores.length; i++) {
            double s = scores[i] + 0.0; // -0.0 + 0.0 == +0.0: Arrays.sort would order -0.0 below 0.0
            if (labels[i]) {
                positive[p++] = s;
            } else {
                negative[n++] = s;
            }
        }
        Arrays.sort(positive);
        Arrays.sort(negative);
        return mergeFromTop(positive, negative);
    }

    /** @param labels 1 = anomalous, 0 = normal; anything else is rejected */
    public static RankedScores of(double[] scores, int[] labels) {
        return of(scores, Inputs.labelsFromInts(labels));
    }

    private static RankedScores mergeFromTop(double[] positive, double[] negative) {
        int size = positive.length + negative.length;
        double[] thresholds = new double[size];
        int[] tp = new int[size];
        int[] fp = new int[size];
        int i = positive.length - 1;
        int j = negative.length - 1;
        int groups = 0;
        int tpCount = 0;
        int fpCount = 0;
        while (i >= 0 || j >= 0) {
            double t = i < 0 ? negative[j] : j < 0 ? positive[i] : Math.max(positive[i], negative[j]);
            while (i >= 0 && positive[i] == t) {
                tpCount++;
                i--;
            }
            while (j >= 0 && negative[j] == t) {
                fpCount++;
                j--;
            }
            thresholds[groups] = t;
            tp[groups] = tpCount;
            fp[groups] = fpCount;
            groups++;
        }
        return new RankedScores(Arrays.copyOf(thresholds, groups), Arrays.copyOf(tp, groups),
                Arrays.copyOf(fp, groups));
    }

    /** Number of distinct scores. */
    public int thresholdCount() {
        return thresholds.length;
    }

    /** The k-th highest distinct score, k = 0 .. thresholdCount() - 1. */
    public double threshold(int k) {
        return thresholds[k];
    }

    /** Anomalous samples with score >= threshold(k). */
    public int truePositives(int k) {
        return truePositives[k];
    }

    /** Normal samples with score >= threshold(k). */
    public int falsePositives(int k) {
        return falsePositives[k];
    }

    public int anomalies() {
        return anomalies;
    }

    public int normals() {
        return normals;
    }
}
