package org.anoscan.io;

/** The one mapping between stored pixel values and model inputs, used in training and scanning alike. */
public final class Pixels {
    private Pixels() {}

    /** An unsigned integer pixel of the given bit depth to [-1, 1]: 0 -> -1, max -> 1. */
    public static float toUnit(int value, int bits) {
        double max = (1 << bits) - 1;
        return (float) (value / max * 2.0 - 1.0);
    }

    /** Back to [0, 255] for display, clamped. */
    public static int toByte(float unit) {
        long v = Math.round((unit + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, v));
    }
}
