package org.anoscan.eval;

/**
 * Per-region-overlap curve points for plotting, ordered by decreasing threshold: pro[i] is the
 * mean over ground-truth regions of the fraction of the region's pixels with score >=
 * thresholds[i], fpr[i] the fraction of normal pixels with score >= thresholds[i]. Starts at
 * (0, 0) with threshold +infinity and ends at (1, 1).
 */
public record ProCurve(double[] fpr, double[] pro, double[] thresholds) {
    public ProCurve {
        if (fpr.length != pro.length || fpr.length != thresholds.length) {
            throw new IllegalArgumentException("curve arrays differ in length");
        }
    }

    public int size() {
        return fpr.length;
    }
}
