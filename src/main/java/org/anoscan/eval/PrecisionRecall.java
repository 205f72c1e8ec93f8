package org.anoscan.eval;

/** Precision-recall: average precision (AUPR) and the curve, from ranked image-level scores. */
public final class PrecisionRecall {
    private PrecisionRecall() {}

    /**
     * Average precision as sklearn's {@code average_precision_score}: sum over distinct thresholds
     * of (recall gain) x (precision), a step function with no interpolation. Tied scores enter
     * together, so the order of equal scores cannot flatter the result.
     */
    public static double averagePrecision(RankedScores ranked) {
        double sum = 0;
        int tpBefore = 0;
        for (int k = 0; k < ranked.thresholdCount(); k++) {
            int tp = ranked.truePositives(k);
            if (tp > tpBefore) {
                double precision = (double) tp / (tp + ranked.falsePositives(k));
                sum += (double) (tp - tpBefore) / ranked.anomalies() * precision;
                tpBefore = tp;
            }
        }
        return sum;
    }

    public static double averagePrecision(double[] scores, boolean[] labels) {
        return averagePrecision(RankedScores.of(scores, labels));
    }

    public static double averagePrecision(double[] scores, int[] labels) {
        return averagePrecision(RankedScores.of(scores, labels));
    }

    /**
     * One point per distinct score in decreasing threshold order, preceded by sklearn's
     * (recall 0, precision 1) point at threshold +infinity.
     */
    public static PrCurve curve(RankedScores ranked) {
        int n = ranked.thresholdCount() + 1;
        double[] recall = new double[n];
        double[] precision = new double[n];
        double[] thresholds = new double[n];
        precision[0] = 1;
        thresholds[0] = Double.POSITIVE_INFINITY;
        for (int k = 0; k < ranked.thresholdCount(); k++) {
            int tp = ranked.truePositives(k);
            recall[k + 1] = (double) tp / ranked.anomalies();
            precision[k + 1] = (double) tp / (tp + ranked.falsePositives(k));
            thresholds[k + 1] = ranked.threshold(k);
        }
        return new PrCurve(recall, precision, thresholds);
    }

    public static PrCurve curve(double[] scores, boolean[] labels) {
        return curve(RankedScores.of(scores, labels));
    }
}
