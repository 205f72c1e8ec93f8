package org.anoscan.eval;

/**
 * ROC curve points for plotting, ordered by decreasing threshold; point i is the rates obtained
 * when score >= thresholds[i] is called anomalous.
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {
    public RocCurve {
        if (fpr.length != tpr.length || fpr.length != thresholds.length) {
            throw new IllegalArgumentException("curve arrays differ in length");
        }
    }

    public int size() {
        return fpr.length;
    }
}
