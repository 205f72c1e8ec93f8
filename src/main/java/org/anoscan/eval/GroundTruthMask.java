package org.anoscan.eval;

import java.util.Objects;

/**
 * Binary ground truth of one image, row-major ({@code anomalous[y * width + x]}). The array is
 * shared, not copied.
 */
public record GroundTruthMask(int width, int height, boolean[] anomalous) {
    public GroundTruthMask {
        Objects.requireNonNull(anomalous, "mask must not be null");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height != anomalous.length) {
            throw new IllegalArgumentException("mask is " + width + "x" + height + " but has "
                    + anomalous.length + " pixels; expected " + (long) width * height);
        }
    }

    /** The mask of an image without defects. */
    public static GroundTruthMask normal(int width, int height) {
        return new GroundTruthMask(width, height, new boolean[Math.multiplyExact(width, height)]);
    }
}
