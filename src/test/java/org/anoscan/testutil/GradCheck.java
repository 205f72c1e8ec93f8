package org.anoscan.testutil;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Gradient checking against central finite differences computed in double precision. A test
 * writes the op's forward pass in double (a naive loop, independent of the backend), projects its
 * output on a fixed random vector r to get a scalar L = sum(r * y), and compares the backend's float
 * backward pass (seeded with dy = r) against (L(x + h) - L(x - h)) / 2h at some coordinates.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Central differences of f at the given coordinates of x (x is restored afterwards). */
    public static double[] numericGrad(ToDoubleFunction<double[]> f, double[] x, int[] coords, double h) {
        double[] g = new double[coords.length];
        for (int k = 0; k < coords.length; k++) {
            int i = coords[k];
            double old = x[i];
            x[i] = old + h;
            double fp = f.applyAsDouble(x);
            x[i] = old - h;
            double fm = f.applyAsDouble(x);
            x[i] = old;
            g[k] = (fp - fm) / (2 * h);
        }
        return g;
    }

    /**
     * As {@link #numericGrad}, but NaN at a coordinate where the two one-sided differences disagree by more than
     * {@code kinkTol} (relative): a ReLU/LeakyReLU kink lies inside [x - h, x + h] there, and the central
     * difference of a piecewise-linear function across a kink is no derivative. In deep networks a first-layer
     * weight moves every later activation, so such crossings happen; a wrong backward pass is wrong on both sides.
     */
    public static double[] numericGradSkippingKinks(ToDoubleFunction<double[]> f, double[] x, int[] coords, double h, double kinkTol) {
        double[] g = new double[coords.length];
        for (int k = 0; k < coords.length; k++) {
            int i = coords[k];
            double old = x[i];
            double f0 = f.applyAsDouble(x);
            x[i] = old + h;
            double fp = f.applyAsDouble(x);
            x[i] = old - h;
            double fm = f.applyAsDouble(x);
            x[i] = old;
            double right = (fp - f0) / h, left = (f0 - fm) / h;
            boolean kink = Math.abs(right - left) > kinkTol * Math.max(1.0, Math.abs(right + left) / 2);
            g[k] = kink ? Double.NaN : (fp - fm) / (2 * h);
        }
        return g;
    }

    /** As {@link #assertGradClose}, over the coordinates whose numeric value is not NaN; at most {@code maxSkipped} may be. */
    public static void assertGradCloseSkippingKinks(String what, double[] numeric, double[] analytic, double tol, int maxSkipped) {
        int n = 0;
        for (double v : numeric) if (!Double.isNaN(v)) n++;
        if (numeric.length - n > maxSkipped) fail(what + ": " + (numeric.length - n) + " of " + numeric.length + " coordinates sit on kinks");
        double[] num = new double[n], ana = new double[n];
        for (int i = 0, j = 0; i < numeric.length; i++) {
            if (Double.isNaN(numeric[i])) continue;
            num[j] = numeric[i];
            ana[j++] = analytic[i];
        }
        assertGradClose(what, num, ana, tol);
    }

    /** All coordinates when n <= max, else max distinct random ones. */
    public static int[] coords(int n, int max, Random rnd) {
        if (n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = 0; i < max; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return java.util.Arrays.copyOf(perm, max);
    }

    /** The analytic gradient (all elements) picked at coords, as doubles. */
    public static double[] pick(float[] grad, int[] coords) {
        double[] out = new double[coords.length];
        for (int k = 0; k < coords.length; k++) out[k] = grad[coords[k]];
        return out;
    }

    /**
     * Passes when every |analytic - numeric| <= tol * max(1, |numeric|), reporting the worst coordinate
     * otherwise.
     */
    public static void assertGradClose(String what, double[] numeric, double[] analytic, double tol) {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < numeric.length; i++) {
            double err = Math.abs(analytic[i] - numeric[i]) / Math.max(1.0, Math.abs(numeric[i]));
            if (!(err <= worst) || Double.isNaN(err)) {
                worst = err;
                at = i;
            }
        }
        if (!(worst <= tol)) {
            fail(what + ": gradient mismatch " + worst + " > tol " + tol + " at checked coordinate " + at
                    + " (numeric " + numeric[at] + ", analytic " + analytic[at] + ")");
        }
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    public static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    public static float[] randomFloats(int n, Random rnd, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (rnd.nextGaussian() * scale);
        return f;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
