package org.anoscan.scan;

import java.util.Arrays;

/**
 * Nearest-rank quantiles: the q-quantile of n values is the {@code ceil(q n)}-th smallest, the smallest
 * value t with at least a fraction q of the values {@code <= t}. Thresholds compare with {@code >}, so at
 * most a fraction 1 - q of the calibration values lie above their threshold.
 */
final class Quantiles {
    private Quantiles() {}

    /** The 1-based rank of the q-quantile among n values. */
    static long rank(double q, long n) {
        if (!(q > 0 && q <= 1)) throw new IllegalArgumentException("quantile must be in (0, 1], got " + q);
        return Math.max(1, Math.min(n, (long) Math.ceil(q * n - 1e-9))); // 1e-9: q n = 99.00000000001 is rank 99
    }

    static double of(double[] values, double q) {
        if (values.length == 0) throw new IllegalArgumentException("no values to take a quantile of");
        double[] s = values.clone();
        Arrays.sort(s);
        return s[(int) rank(q, s.length) - 1];
    }
}
