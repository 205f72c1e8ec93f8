package org.anoscan.backend.cuda;

import org.anoscan.backend.Checks;
import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;

/**
 * One cuDNN convolution call in cuDNN's own terms: the primitive, and the shapes of the forward
 * convolution it belongs to, x [N,C,H,W] convolved with filter [K,C,k,k] into y [N,K,Ho,Wo].
 *
 * <p>The six ops of the backend map onto three primitives. Conv-transpose2d is the adjoint of a conv2d
 * whose input is the transpose's output: its weight [Cin,Cout,k,k] is that conv's filter [K,C,k,k]
 * unchanged, so conv-transpose forward is cuDNN backward-data, its backward-data is cuDNN forward, and
 * its backward-filter is cuDNN backward-filter with the roles of input and gradient swapped.
 */
record ConvGeometry(Primitive primitive, Shape x, Shape filter, Shape y, int stride, int padding) {

    /** A cuDNN convolution entry point. */
    enum Primitive {
        /** y = conv(x, w): cudnnConvolutionForward. */
        FORWARD,
        /** dx from dy and w: cudnnConvolutionBackwardData. */
        BACKWARD_DATA,
        /** dw from x and dy: cudnnConvolutionBackwardFilter. */
        BACKWARD_FILTER
    }

    /** conv2d(x, w): cuDNN forward; the op's output is y. */
    static ConvGeometry conv2d(Shape x, Shape w, ConvSpec spec) {
        Shape y = spec.convOutput("conv2d", x, w);
        return new ConvGeometry(Primitive.FORWARD, x, w, y, spec.stride(), spec.padding());
    }

    /** dL/dx of conv2d: cuDNN backward-data; dy is y, the op's output is x. */
    static ConvGeometry conv2dBackwardData(Shape dy, Shape w, Shape xShape, ConvSpec spec) {
        Shape y = spec.convOutput("conv2dBackwardData", xShape, w);
        requireShape("conv2dBackwardData", "dy", dy, y, xShape, w, spec);
        return new ConvGeometry(Primitive.BACKWARD_DATA, xShape, w, y, spec.stride(), spec.padding());
    }

    /** dL/dw of conv2d: cuDNN backward-filter; x is x, dy is y, the op's output is the filter. */
    static ConvGeometry conv2dBackwardFilter(Shape dy, Shape x, Shape wShape, ConvSpec spec) {
        Shape y = spec.convOutput("conv2dBackwardFilter", x, wShape);
        requireShape("conv2dBackwardFilter", "dy", dy, y, x, wShape, spec);
        return new ConvGeometry(Primitive.BACKWARD_FILTER, x, wShape, y, spec.stride(), spec.padding());
    }

    /** convTranspose2d(x, w): cuDNN backward-data; the op's input is y, its output is x. */
    static ConvGeometry convTranspose2d(Shape x, Shape w, ConvSpec spec) {
        Shape out = spec.convTransposeOutput("convTranspose2d", x, w);
        return new ConvGeometry(Primitive.BACKWARD_DATA, out, w, x, spec.stride(), spec.padding());
    }

    /** dL/dx of convTranspose2d: cuDNN forward of dy (as x) into the op's output (as y). */
    static ConvGeometry convTranspose2dBackwardData(Shape dy, Shape w, Shape xShape, ConvSpec spec) {
        Shape out = spec.convTransposeOutput("convTranspose2dBackwardData", xShape, w);
        requireShape("convTranspose2dBackwardData", "dy", dy, out, xShape, w, spec);
        return new ConvGeometry(Primitive.FORWARD, dy, w, xShape, spec.stride(), spec.padding());
    }

    /** dL/dw of convTranspose2d: cuDNN backward-filter with dy as x and the op's input x as y. */
    static ConvGeometry convTranspose2dBackwardFilter(Shape dy, Shape x, Shape wShape, ConvSpec spec) {
        Shape out = spec.convTransposeOutput("convTranspose2dBackwardFilter", x, wShape);
        requireShape("convTranspose2dBackwardFilter", "dy", dy, out, x, wShape, spec);
        return new ConvGeometry(Primitive.BACKWARD_FILTER, dy, wShape, x, spec.stride(), spec.padding());
    }

    /** The shape this primitive writes. */
    Shape output() {
        return switch (primitive) {
            case FORWARD -> y;
            case BACKWARD_DATA -> x;
            case BACKWARD_FILTER -> filter;
        };
    }

    /** Multiply-adds times two: the same for the three primitives. */
    double flops() {
        return 2.0 * y.n() * y.c() * y.h() * y.w() * filter.dim(1) * filter.dim(2) * filter.dim(3);
    }

    private static void requireShape(String op, String name, Shape got, Shape expected, Shape x, Shape w, ConvSpec spec) {
        Checks.rank4(op, name, got);
        if (!got.equals(expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + expected + " for x " + x + ", w " + w + ", stride "
                    + spec.stride() + ", padding " + spec.padding() + "; got " + got);
        }
    }
}
