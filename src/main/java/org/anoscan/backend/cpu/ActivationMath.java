package org.anoscan.backend.cpu;

import org.anoscan.backend.Activation;

/**
 * The activation loops that the convolutions run fused into their epilogue (bias + activation on a
 * plane of output still in cache) and into their input (the next layer's gradient times the
 * activation's derivative), on heap arrays: one loop per kind, so that the JIT vectorises the cheap ones.
 */
final class ActivationMath {
    private ActivationMath() {}

    /** v[i] = a(v[i] + add) for i in [from, to); a null activation only adds. */
    static void biasActivation(Activation a, float add, float[] v, int from, int to) {
        if (a == null) {
            if (add != 0f) for (int i = from; i < to; i++) v[i] += add;
            return;
        }
        switch (a) {
            case RELU -> {
                for (int i = from; i < to; i++) v[i] = Math.max(v[i] + add, 0f);
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) {
                    float x = v[i] + add;
                    v[i] = x > 0 ? x : Activation.LEAKY_SLOPE * x;
                }
            }
            case TANH -> {
                for (int i = from; i < to; i++) v[i] = CpuElementwise.tanh(v[i] + add);
            }
            case SIGMOID -> {
                for (int i = from; i < to; i++) v[i] = (float) CpuElementwise.sigmoid(v[i] + add);
            }
        }
    }

    /**
     * g[i] *= a'(at the output y[yOff + i - from]) for i in [from, to): the derivative read from the
     * activation's output, as for the frozen stages of the search (ReLU-like outputs have their input's
     * sign; tanh and sigmoid derivatives are functions of the output). Same arithmetic as
     * {@code activationBackward}, so fused and separate passes agree bit for bit.
     */
    static void timesDerivative(Activation a, float[] g, int from, int to, float[] y, int yOff) {
        int shift = yOff - from;
        switch (a) {
            case RELU -> {
                for (int i = from; i < to; i++) g[i] = y[i + shift] > 0 ? g[i] : 0f;
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) g[i] = y[i + shift] > 0 ? g[i] : Activation.LEAKY_SLOPE * g[i];
            }
            case TANH -> {
                for (int i = from; i < to; i++) {
                    float v = y[i + shift];
                    g[i] = g[i] * (1f - v * v);
                }
            }
            case SIGMOID -> {
                for (int i = from; i < to; i++) {
                    float v = y[i + shift];
                    g[i] = g[i] * v * (1f - v);
                }
            }
        }
    }
}
