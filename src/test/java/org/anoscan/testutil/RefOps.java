package org.anoscan.testutil;

import static org.junit.jupiter.api.Assertions.fail;

import org.anoscan.backend.Activation;

/**
 * Naive double-precision forward passes of the element-wise, batch-norm, loss and Adam ops, written
 * straight from their textbook definitions and independent of any backend: the references that
 * backend outputs and finite-difference gradients are checked against. NCHW arrays are flat, index
 * ((n * C + c) * HW + p).
 */
public final class RefOps {
    private RefOps() {}

    /** Training-mode batch norm with the batch mean and biased variance of each channel. */
    public static double[] batchNormTrain(double[] x, int n, int c, int hw, double[] gamma, double[] beta, double eps) {
        double[] mean = channelMean(x, n, c, hw);
        double[] var = channelVar(x, n, c, hw);
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    int k = (i * c + ch) * hw + p;
                    y[k] = gamma[ch] * (x[k] - mean[ch]) / Math.sqrt(var[ch] + eps) + beta[ch];
                }
            }
        }
        return y;
    }

    /** Eval-mode batch norm with given running statistics. */
    public static double[] batchNormEval(double[] x, int n, int c, int hw, double[] gamma, double[] beta,
                                         double[] runningMean, double[] runningVar, double eps) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    int k = (i * c + ch) * hw + p;
                    y[k] = gamma[ch] * (x[k] - runningMean[ch]) / Math.sqrt(runningVar[ch] + eps) + beta[ch];
                }
            }
        }
        return y;
    }

    public static double[] channelMean(double[] x, int n, int c, int hw) {
        double[] mean = new double[c];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) mean[ch] += x[(i * c + ch) * hw + p];
            }
        }
        for (int ch = 0; ch < c; ch++) mean[ch] /= (double) n * hw;
        return mean;
    }

    /** Biased (population) variance per channel. */
    public static double[] channelVar(double[] x, int n, int c, int hw) {
        double[] mean = channelMean(x, n, c, hw);
        double[] var = new double[c];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    double d = x[(i * c + ch) * hw + p] - mean[ch];
                    var[ch] += d * d;
                }
            }
        }
        for (int ch = 0; ch < c; ch++) var[ch] /= (double) n * hw;
        return var;
    }

    /** x plus a per-channel bias. */
    public static double[] addBias(double[] x, int n, int c, int hw, double[] bias) {
        double[] y = x.clone();
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) y[(i * c + ch) * hw + p] += bias[ch];
            }
        }
        return y;
    }

    public static double activation(Activation a, double x) {
        return switch (a) {
            case RELU -> Math.max(x, 0);
            case LEAKY_RELU -> x > 0 ? x : 0.2 * x;
            case TANH -> (Math.exp(x) - Math.exp(-x)) / (Math.exp(x) + Math.exp(-x));
            case SIGMOID -> 1 / (1 + Math.exp(-x));
        };
    }

    public static double[] activation(Activation a, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = activation(a, x[i]);
        return y;
    }

    /** Per-sample weighted L1: weight * sum |a - b| over each of n samples. */
    public static double[] l1PerSample(double[] a, double[] b, int n, double weight) {
        int per = a.length / n;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) out[i] += Math.abs(a[i * per + j] - b[i * per + j]);
            out[i] *= weight;
        }
        return out;
    }

    /** Mean binary cross-entropy of sigmoid(x) against t, in the textbook (overflow-prone) form. */
    public static double bceWithLogits(double[] x, double t) {
        double sum = 0;
        for (double v : x) {
            double p = 1 / (1 + Math.exp(-v));
            sum += -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
        }
        return sum / x.length;
    }

    /** Textbook Adam (Kingma and Ba, Algorithm 1), step t >= 1, updating p, m and v in place. */
    public static void adam(double[] p, double[] g, double[] m, double[] v, int t,
                            double lr, double beta1, double beta2, double eps, double clamp) {
        for (int i = 0; i < p.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.pow(beta1, t));
            double vHat = v[i] / (1 - Math.pow(beta2, t));
            p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            if (clamp > 0) p[i] = Math.min(clamp, Math.max(-clamp, p[i]));
        }
    }

    /** Passes when every |actual - expected| <= atol + rtol * |expected|, naming the worst element otherwise. */
    public static void assertClose(String what, double[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) fail(what + ": " + actual.length + " values, expected " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (error " + err
                        + ", rtol " + rtol + ", atol " + atol + ")");
            }
        }
    }
}
