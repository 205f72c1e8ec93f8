package org.anoscan.io;

import java.util.Locale;

/**
 * How heatmap values become colours: a position in [0, 1] along a {@link ColorMap}. With a pixel threshold
 * T the scale is fixed across images and piecewise linear, 0..T onto 0..{@link #THRESHOLD_POSITION} and
 * T..{@link #TOP_FACTOR}T onto the rest, so the threshold is always the same labelled colour (yellow in
 * JET) and most of the colours are spent on the normal range, where plain 0..2T scaling left every normal
 * pixel a near-identical blue. Without a threshold the scale is linear from 0 to a maximum.
 *
 * @param threshold the pixel threshold, NaN for a linear scale
 * @param max       the value shown as the hottest colour (and everything above it)
 */
public record HeatScale(double threshold, double max) {
    /** Where the threshold sits along the colour map: yellow in JET, orange in INFERNO. */
    public static final double THRESHOLD_POSITION = 0.625;
    /** The hottest colour is this many times the threshold. */
    public static final double TOP_FACTOR = 2.0;

    public HeatScale {
        if (!(max > 0) || Double.isInfinite(max)) throw new IllegalArgumentException("heat scale: max must be positive and finite, got " + max);
        if (!Double.isNaN(threshold) && !(threshold > 0 && threshold < max)) {
            throw new IllegalArgumentException("heat scale: threshold must lie in (0, max), got " + threshold + " and max " + max);
        }
    }

    /** The fixed scale of a pixel threshold {@code t} (positive). */
    public static HeatScale ofThreshold(double t) {
        return new HeatScale(t, TOP_FACTOR * t);
    }

    /** A linear scale from 0 to {@code max}; a max that is not positive becomes 1 (an all-zero map stays coldest). */
    public static HeatScale linear(double max) {
        return new HeatScale(Double.NaN, max > 0 && Double.isFinite(max) ? max : 1.0);
    }

    public boolean hasThreshold() { return !Double.isNaN(threshold); }

    /** The position of value {@code v} along the colour map, clipped to [0, 1]. */
    public double position(double v) {
        double p;
        if (!hasThreshold()) p = v / max;
        else if (v <= threshold) p = v / threshold * THRESHOLD_POSITION;
        else p = THRESHOLD_POSITION + (v - threshold) / (max - threshold) * (1 - THRESHOLD_POSITION);
        return p > 0 ? Math.min(1.0, p) : 0.0; // NaN to 0
    }

    /** The value at colour-map position {@code p} (the inverse of {@link #position} on [0, 1]). */
    public double valueAt(double p) {
        if (!hasThreshold()) return p * max;
        return p <= THRESHOLD_POSITION ? p / THRESHOLD_POSITION * threshold
                : threshold + (p - THRESHOLD_POSITION) / (1 - THRESHOLD_POSITION) * (max - threshold);
    }

    @Override
    public String toString() {
        return hasThreshold() ? String.format(Locale.ROOT, "0 to %.3g, pixel threshold %.3g at %.0f%%", max, threshold,
                THRESHOLD_POSITION * 100) : String.format(Locale.ROOT, "0 to %.3g (linear)", max);
    }
}
