package org.anoscan.eval;

/**
 * Precision-recall curve points for plotting, ordered by decreasing threshold; point i is obtained
 * when score >= thresholds[i] is called anomalous.
 */
public record PrCurve(double[] recall, double[] precision, double[] thresholds) {
    public PrCurve {
        if (recall.length != precision.length || recall.length != thresholds.length) {
            throw new IllegalArgumentException("curve arrays differ in length");
        }
    }

    public int size() {
        return recall.length;
    }
}
