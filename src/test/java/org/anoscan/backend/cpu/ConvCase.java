package org.anoscan.backend.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.anoscan.backend.Backend;
import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.RefConv;

/**
 * One convolution problem of the tests, conv2d or conv-transpose2d: shapes, stride and padding, the
 * double-precision reference forward, and the backend's forward and backward ops for it, so each
 * test is written once for both ops.
 */
record ConvCase(boolean transposed, int n, int cin, int cout, int h, int w, int kh, int kw, int stride, int pad) {

    /** A random small conv2d: kernel 1..5 (sometimes not square), stride 1..3, padding 0..2, batch 1..3. */
    static ConvCase randomConv(Random rnd) {
        int kh = 1 + rnd.nextInt(5), kw = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(5) : kh;
        int s = 1 + rnd.nextInt(3), p = rnd.nextInt(3);
        int h = Math.max(1, kh - 2 * p) + rnd.nextInt(8), w = Math.max(1, kw - 2 * p) + rnd.nextInt(8);
        return new ConvCase(false, 1 + rnd.nextInt(3), 1 + rnd.nextInt(4), 1 + rnd.nextInt(4), h, w, kh, kw, s, p);
    }

    /** A random small conv-transpose2d with a non-empty output. */
    static ConvCase randomTranspose(Random rnd) {
        while (true) {
            int kh = 1 + rnd.nextInt(5), kw = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(5) : kh;
            int s = 1 + rnd.nextInt(3), p = rnd.nextInt(3);
            ConvCase c = new ConvCase(true, 1 + rnd.nextInt(3), 1 + rnd.nextInt(4), 1 + rnd.nextInt(4),
                    1 + rnd.nextInt(7), 1 + rnd.nextInt(7), kh, kw, s, p);
            if (c.oh() > 0 && c.ow() > 0) return c;
        }
    }

    static ConvCase random(boolean transposed, Random rnd) {
        return transposed ? randomTranspose(rnd) : randomConv(rnd);
    }

    int oh() {
        return transposed ? RefConv.convTransposeOut(h, kh, stride, pad) : RefConv.convOut(h, kh, stride, pad);
    }

    int ow() {
        return transposed ? RefConv.convTransposeOut(w, kw, stride, pad) : RefConv.convOut(w, kw, stride, pad);
    }

    int[] xDims() {
        return new int[] {n, cin, h, w};
    }

    int[] wDims() {
        return transposed ? new int[] {cin, cout, kh, kw} : new int[] {cout, cin, kh, kw};
    }

    int[] yDims() {
        return new int[] {n, cout, oh(), ow()};
    }

    Shape xShape() {
        return Shape.of(xDims());
    }

    Shape wShape() {
        return Shape.of(wDims());
    }

    Shape yShape() {
        return Shape.of(yDims());
    }

    ConvSpec spec() {
        return ConvSpec.of(stride, pad);
    }

    double[] refForward(double[] x, double[] wt, double[] bias) {
        return transposed ? RefConv.convTranspose2d(x, xDims(), wt, wDims(), bias, stride, pad)
                : RefConv.conv2d(x, xDims(), wt, wDims(), bias, stride, pad);
    }

    Tensor forward(Backend b, Tensor x, Tensor wt, Tensor bias) {
        return transposed ? b.convTranspose2d(x, wt, bias, spec()) : b.conv2d(x, wt, bias, spec());
    }

    Tensor backwardData(Backend b, Tensor dy, Tensor wt) {
        return transposed ? b.convTranspose2dBackwardData(dy, wt, xShape(), spec()) : b.conv2dBackwardData(dy, wt, xShape(), spec());
    }

    Tensor backwardFilter(Backend b, Tensor dy, Tensor x) {
        return transposed ? b.convTranspose2dBackwardFilter(dy, x, wShape(), spec()) : b.conv2dBackwardFilter(dy, x, wShape(), spec());
    }

    /** Passes when max |got - ref| <= tol * max(1, max |ref|); the message names the case and the worst element. */
    static void assertNear(String what, double[] ref, float[] got, double tol) {
        if (ref.length != got.length) fail(what + ": " + got.length + " values, expected " + ref.length);
        double scale = 1, worst = 0;
        int at = 0;
        for (double r : ref) scale = Math.max(scale, Math.abs(r));
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(got[i] - ref[i]);
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        if (!(worst <= tol * scale)) {
            fail(what + ": max error " + worst + " > " + tol + " * " + scale + " at element " + at
                    + " (got " + got[at] + ", expected " + ref[at] + ")");
        }
    }

    /** a' as a function of the output y, in double. */
    static double derivative(org.anoscan.backend.Activation a, double y) {
        return switch (a) {
            case RELU -> y > 0 ? 1 : 0;
            case LEAKY_RELU -> y > 0 ? 1 : org.anoscan.backend.Activation.LEAKY_SLOPE;
            case TANH -> 1 - y * y;
            case SIGMOID -> y * (1 - y);
        };
    }

    /**
     * The adjoint identity of backward-data through activation a (null: none), in double:
     * {@code <dx, v> = <dy * a'(y), conv(v)>}, where conv is this case's forward of v without bias.
     */
    static void assertAdjoint(String what, float[] dx, float[] v, float[] dy, org.anoscan.backend.Activation a, float[] y,
                              double[] conv, double tol) {
        double lhs = 0, rhs = 0, scale = 0;
        for (int i = 0; i < dx.length; i++) lhs += (double) dx[i] * v[i];
        for (int i = 0; i < dy.length; i++) {
            double term = dy[i] * (a == null ? 1 : derivative(a, y[i])) * conv[i];
            rhs += term;
            scale += Math.abs(term);
        }
        org.junit.jupiter.api.Assertions.assertEquals(rhs, lhs, tol * Math.max(1, scale), what + " (adjoint identity)");
    }

    @Override
    public String toString() {
        return (transposed ? "convTranspose2d" : "conv2d") + " x" + xShape() + " w" + wShape() + " s" + stride + " p" + pad;
    }
}
