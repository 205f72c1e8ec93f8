package org.anoscan.scan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A quantile of every heatmap pixel of many images in fixed memory: a histogram of 2^20 bins over a range
 * (by default [0, 2], the range of a residual |x - G(z)| of images in [-1, 1]), so a thousand megapixel
 * heatmaps cost 8 MB, not 4 GB. The quantile comes out within one bin width (range / 2^20, about 2e-6 for
 * the residual) above the exact nearest-rank value, and never above the largest value seen. Values outside
 * the range (for the residual: above 2, possible only for inputs outside [-1, 1]) are kept exactly.
 */
final class PixelQuantile {
    static final double RANGE = 2.0;
    static final int BINS = 1 << 20;
    /** The histogram of a normalised map ({@link MapKind}, in units of normal spread): [-16, 48]. */
    static final double NORMALISED_LOW = -16, NORMALISED_RANGE = 64;

    private final double low;
    private final double range;
    private final boolean residual;
    private final long[] counts = new long[BINS];
    private final List<Float> below = new ArrayList<>();
    private final List<Float> above = new ArrayList<>();
    private long total;
    private float max = Float.NEGATIVE_INFINITY;

    /** For the plain residual: values in [0, 2] binned, a negative value refused. */
    PixelQuantile() {
        this(0, RANGE, true);
    }

    /** For any map: values in [low, low + range] binned, the others kept exactly. */
    PixelQuantile(double low, double range) {
        this(low, range, false);
    }

    private PixelQuantile(double low, double range, boolean residual) {
        this.low = low;
        this.range = range;
        this.residual = residual;
    }

    /** The quantile keeper for heatmaps of {@code kind} (resolved). */
    static PixelQuantile forMap(MapKind kind) {
        return kind == MapKind.RESIDUAL ? new PixelQuantile() : new PixelQuantile(NORMALISED_LOW, NORMALISED_RANGE);
    }

    void add(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v) || (residual && v < 0)) throw new IllegalArgumentException("heatmap value " + v + " is not a residual");
            if (v < low) below.add(v);
            else if (v > low + range) above.add(v);
            else counts[Math.min(BINS - 1, (int) ((v - low) / range * BINS))]++;
            max = Math.max(max, v);
        }
        total += values.length;
    }

    long count() { return total; }

    /** The smallest bin edge t (or value outside the range) with at least {@code ceil(q n)} values {@code <= t}. */
    double quantile(double q) {
        if (total == 0) throw new IllegalStateException("no heatmap values to take a quantile of");
        long rank = Quantiles.rank(q, total);
        if (rank <= below.size()) {
            Collections.sort(below);
            return below.get((int) (rank - 1));
        }
        long seen = below.size();
        for (int b = 0; b < BINS; b++) {
            seen += counts[b];
            if (seen >= rank) return Math.min(low + (b + 1) * range / BINS, max);
        }
        Collections.sort(above);
        return above.get((int) (rank - seen - 1));
    }
}
