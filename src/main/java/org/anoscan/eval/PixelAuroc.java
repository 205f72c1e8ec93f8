package org.anoscan.eval;

import java.util.List;

/** Pixel-level AUROC: every pixel of every image pooled into one ranking (the MVTec AD convention). */
public final class PixelAuroc {
    private PixelAuroc() {}

    /** Exact, ties counted 1/2; needs at least one anomalous and one normal pixel. */
    public static double compute(List<AnomalyMap> maps, List<GroundTruthMask> masks) {
        return of(PixelRanking.build(maps, masks, false));
    }

    static double of(PixelRanking ranking) {
        Inputs.requireBothClasses(ranking.anomalousCount(), ranking.normalCount(), "pixels");
        PairCounter counter = new PairCounter();
        ranking.sweepFromTop(counter);
        return counter.twicePairs / (2.0 * ranking.anomalousCount() * ranking.normalCount());
    }

    private static final class PairCounter implements PixelRanking.TieGroupVisitor {
        // Twice the correctly ordered (anomalous, normal) pairs; < 2^62 for < 2^31 pixels.
        long twicePairs;
        long anomalousAbove;

        @Override
        public void group(float score, long normals, long anomalous, double regionCoverage) {
            twicePairs += normals * (2 * anomalousAbove + anomalous);
            anomalousAbove += anomalous;
        }
    }
}
