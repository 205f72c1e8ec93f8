package org.anoscan.nn;

import org.anoscan.backend.Backend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** A 2-d transposed convolution without bias. Weight [Cin, Cout, k, k] as in PyTorch. */
public final class ConvTranspose2d extends ConvLayer {
    public ConvTranspose2d(Backend backend, String name, int cin, int cout, int kernel, int stride, int padding, Init init) {
        super(backend, name, Shape.of(cin, cout, kernel, kernel), stride, padding, init);
    }

    @Override
    protected Tensor apply(Tensor x) {
        return backend.convTranspose2d(x, weight.value(), null, spec);
    }

    @Override
    protected Tensor weightGradient(Tensor dy, Tensor x) {
        return backend.convTranspose2dBackwardFilter(dy, x, weight.value().shape(), spec);
    }

    @Override
    protected Tensor inputGradient(Tensor dy, Shape xShape) {
        return backend.convTranspose2dBackwardData(dy, weight.value(), xShape, spec);
    }

    @Override
    public Shape outputShape(Shape in) {
        return spec.convTransposeOutput("ConvTranspose2d " + weight.name(), in, weight.value().shape());
    }
}
