package org.anoscan.eval;

import java.util.Objects;

/**
 * Per-pixel anomaly scores of one image, row-major ({@code scores[y * width + x]}), higher = more
 * anomalous. The array is shared, not copied: maps can be large.
 */
public record AnomalyMap(int width, int height, float[] scores) {
    public AnomalyMap {
        Objects.requireNonNull(scores, "scores must not be null");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("anomaly map size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height != scores.length) {
            throw new IllegalArgumentException("anomaly map is " + width + "x" + height + " but has "
                    + scores.length + " scores; expected " + (long) width * height);
        }
    }
}
