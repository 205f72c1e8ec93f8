package org.anoscan.backend;

import org.anoscan.tensor.Shape;

/**
 * Stride and zero padding of a square-kernel convolution (kernel size comes from the weight tensor).
 * Output sizes follow PyTorch: conv {@code (in + 2p - k) / s + 1}, transposed conv {@code (in - 1) s - 2p + k}.
 */
public record ConvSpec(int stride, int padding) {
    public ConvSpec {
        if (stride <= 0) throw new IllegalArgumentException("ConvSpec: stride must be positive, got " + stride);
        if (padding < 0) throw new IllegalArgumentException("ConvSpec: padding must be >= 0, got " + padding);
    }

    public static ConvSpec of(int stride, int padding) {
        return new ConvSpec(stride, padding);
    }

    /** Output shape of conv2d of x [N,C,H,W] with w [Cout,C,kh,kw]. */
    public Shape convOutput(String op, Shape x, Shape w) {
        Checks.rank4(op, "x", x);
        Checks.rank4(op, "w", w);
        if (w.dim(1) != x.c()) {
            throw new IllegalArgumentException(op + ": input has " + x.c() + " channels but weight " + w + " expects " + w.dim(1)
                    + " (x " + x + ")");
        }
        int oh = (x.h() + 2 * padding - w.dim(2)) / stride + 1;
        int ow = (x.w() + 2 * padding - w.dim(3)) / stride + 1;
        if (x.h() + 2 * padding < w.dim(2) || x.w() + 2 * padding < w.dim(3)) {
            throw new IllegalArgumentException(op + ": kernel " + w + " is larger than padded input " + x + " (padding " + padding + ")");
        }
        return Shape.of(x.n(), w.dim(0), oh, ow);
    }

    /** Output shape of conv-transpose2d of x [N,Cin,H,W] with w [Cin,Cout,kh,kw]. */
    public Shape convTransposeOutput(String op, Shape x, Shape w) {
        Checks.rank4(op, "x", x);
        Checks.rank4(op, "w", w);
        if (w.dim(0) != x.c()) {
            throw new IllegalArgumentException(op + ": input has " + x.c() + " channels but weight " + w + " expects " + w.dim(0)
                    + " (x " + x + ")");
        }
        int oh = (x.h() - 1) * stride - 2 * padding + w.dim(2);
        int ow = (x.w() - 1) * stride - 2 * padding + w.dim(3);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(op + ": empty output for x " + x + ", w " + w + ", " + this);
        }
        return Shape.of(x.n(), w.dim(1), oh, ow);
    }
}
