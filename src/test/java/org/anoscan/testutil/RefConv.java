package org.anoscan.testutil;

/**
 * Naive direct convolutions in double precision, written straight from the definitions (PyTorch
 * semantics) and independent of any backend: the reference the backends are tested against.
 * Arrays are NCHW; dims are {n, c, h, w} for images, conv2d weights {cout, cin, kh, kw},
 * conv-transpose2d weights {cin, cout, kh, kw}. bias may be null.
 */
public final class RefConv {
    private RefConv() {}

    public static int convOut(int in, int k, int stride, int pad) {
        return (in + 2 * pad - k) / stride + 1;
    }

    public static int convTransposeOut(int in, int k, int stride, int pad) {
        return (in - 1) * stride - 2 * pad + k;
    }

    /** y[n][co][oy][ox] = b[co] + sum over ci, ki, kj of x[n][ci][oy*s-p+ki][ox*s-p+kj] * w[co][ci][ki][kj]. */
    public static double[] conv2d(double[] x, int[] xd, double[] w, int[] wd, double[] bias, int stride, int pad) {
        int n = xd[0], cin = xd[1], h = xd[2], wi = xd[3];
        int cout = wd[0], kh = wd[2], kw = wd[3];
        if (wd[1] != cin) throw new IllegalArgumentException("channel mismatch");
        int oh = convOut(h, kh, stride, pad), ow = convOut(wi, kw, stride, pad);
        double[] y = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double acc = bias == null ? 0 : bias[co];
                        for (int ci = 0; ci < cin; ci++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int iy = oy * stride - pad + ki, ix = ox * stride - pad + kj;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wi) continue;
                                    acc += x[((b * cin + ci) * h + iy) * wi + ix] * w[((co * cin + ci) * kh + ki) * kw + kj];
                                }
                        y[((b * cout + co) * oh + oy) * ow + ox] = acc;
                    }
        return y;
    }

    /** Each x[n][ci][iy][ix] scatters x * w[ci][co][ki][kj] onto y[n][co][iy*s-p+ki][ix*s-p+kj] (dropped outside y). */
    public static double[] convTranspose2d(double[] x, int[] xd, double[] w, int[] wd, double[] bias, int stride, int pad) {
        int n = xd[0], cin = xd[1], h = xd[2], wi = xd[3];
        int cout = wd[1], kh = wd[2], kw = wd[3];
        if (wd[0] != cin) throw new IllegalArgumentException("channel mismatch");
        int oh = convTransposeOut(h, kh, stride, pad), ow = convTransposeOut(wi, kw, stride, pad);
        double[] y = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++)
                for (int i = 0; i < oh * ow; i++) y[(b * cout + co) * oh * ow + i] = bias == null ? 0 : bias[co];
            for (int ci = 0; ci < cin; ci++)
                for (int iy = 0; iy < h; iy++)
                    for (int ix = 0; ix < wi; ix++) {
                        double v = x[((b * cin + ci) * h + iy) * wi + ix];
                        for (int co = 0; co < cout; co++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++) {
                                    int oy = iy * stride - pad + ki, ox = ix * stride - pad + kj;
                                    if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                                    y[((b * cout + co) * oh + oy) * ow + ox] += v * w[((ci * cout + co) * kh + ki) * kw + kj];
                                }
                    }
        }
        return y;
    }
}
