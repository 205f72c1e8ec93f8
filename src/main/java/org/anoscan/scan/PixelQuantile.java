package org.anoscan.scan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A quantile of every heatmap pixel of many images in fixed memory: a histogram of 2^20 bins over [0, 2]
 * (the range of a residual |x - G(z)| of images in [-1, 1]), so a thousand megapixel heatmaps cost 8 MB,
 * not 4 GB. The quantile comes out within one bin width (2^-19, about 2e-6) above the exact nearest-rank
 * value, and never above the largest value seen. Values above 2 (possible only for inputs outside [-1, 1])
 * are kept exactly.
 */
final class PixelQuantile {
    static final double RANGE = 2.0;
    static final int BINS = 1 << 20;

    private final long[] counts = new long[BINS];
    private final List<Float> above = new ArrayList<>();
    private long total;
    private float max = Float.NEGATIVE_INFINITY;

    void add(float[] values) {
        for (float v : values) {
            if (v < 0 || !Float.isFinite(v)) throw new IllegalArgumentException("heatmap value " + v + " is not a residual");
            if (v > RANGE) above.add(v);
            else counts[Math.min(BINS - 1, (int) (v / RANGE * BINS))]++;
            max = Math.max(max, v);
        }
        total += values.length;
    }

    long count() { return total; }

    /** The smallest bin edge t (or value above the range) with at least {@code ceil(q n)} values {@code <= t}. */
    double quantile(double q) {
        if (total == 0) throw new IllegalStateException("no heatmap values to take a quantile of");
        long rank = Quantiles.rank(q, total);
        long seen = 0;
        for (int b = 0; b < BINS; b++) {
            seen += counts[b];
            if (seen >= rank) return Math.min((b + 1) * RANGE / BINS, max);
        }
        Collections.sort(above);
        return above.get((int) (rank - seen - 1));
    }
}
