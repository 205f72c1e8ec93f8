package org.anoscan.eval;

/** Receiver operating characteristic: AUROC and the curve, from ranked image-level scores. */
public final class Roc {
    private Roc() {}

    /**
     * Area under the ROC curve, exact: the fraction of (anomalous, normal) pairs ranked correctly,
     * a tied pair counting 1/2 (which equals the trapezoid area of the tie-grouped curve).
     */
    public static double auroc(RankedScores ranked) {
        // Twice the count of correctly ordered pairs, kept in a long so it is exact.
        long twicePairs = 0;
        int tpBefore = 0;
        int fpBefore = 0;
        for (int k = 0; k < ranked.thresholdCount(); k++) {
            int tp = ranked.truePositives(k);
            int fp = ranked.falsePositives(k);
            // Each normal in this group is beaten by every anomaly above it and ties with the
            // anomalies in the group.
            twicePairs += (long) (fp - fpBefore) * (2L * tpBefore + (tp - tpBefore));
            tpBefore = tp;
            fpBefore = fp;
        }
        return twicePairs / (2.0 * ranked.anomalies() * ranked.normals());
    }

    public static double auroc(double[] scores, boolean[] labels) {
        return auroc(RankedScores.of(scores, labels));
    }

    public static double auroc(double[] scores, int[] labels) {
        return auroc(RankedScores.of(scores, labels));
    }

    /**
     * One point per distinct score, from (0, 0) at threshold +infinity to (1, 1) at the lowest
     * score; collinear points are kept (unlike sklearn's drop_intermediate).
     */
    public static RocCurve curve(RankedScores ranked) {
        int n = ranked.thresholdCount() + 1;
        double[] fpr = new double[n];
        double[] tpr = new double[n];
        double[] thresholds = new double[n];
        thresholds[0] = Double.POSITIVE_INFINITY;
        for (int k = 0; k < ranked.thresholdCount(); k++) {
            fpr[k + 1] = (double) ranked.falsePositives(k) / ranked.normals();
            tpr[k + 1] = (double) ranked.truePositives(k) / ranked.anomalies();
            thresholds[k + 1] = ranked.threshold(k);
        }
        return new RocCurve(fpr, tpr, thresholds);
    }

    public static RocCurve curve(double[] scores, boolean[] labels) {
        return curve(RankedScores.of(scores, labels));
    }
}
