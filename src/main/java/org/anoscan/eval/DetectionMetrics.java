package org.anoscan.eval;

/**
 * Image-level summary for reports; a record of numbers so Jackson writes it as a flat JSON object.
 */
public record DetectionMetrics(double auroc, double aupr, double bestF1, double bestF1Threshold,
        int normals, int anomalies) {

    public static DetectionMetrics of(RankedScores ranked) {
        BestF1 best = BestF1.of(ranked);
        return new DetectionMetrics(Roc.auroc(ranked), PrecisionRecall.averagePrecision(ranked),
                best.f1(), best.threshold(), ranked.normals(), ranked.anomalies());
    }

    /**
     * The F1 of flagging every image (precision = the anomaly rate, recall 1): the baseline a best F1 must be
     * read against, high when most images are anomalous.
     */
    public double allAnomalousF1() {
        return anomalies == 0 ? 0 : 2.0 * anomalies / (2.0 * anomalies + normals);
    }

    /** @param labels true = anomalous */
    public static DetectionMetrics of(double[] scores, boolean[] labels) {
        return of(RankedScores.of(scores, labels));
    }

    /** @param labels 1 = anomalous, 0 = normal */
    public static DetectionMetrics of(double[] scores, int[] labels) {
        return of(RankedScores.of(scores, labels));
    }
}
