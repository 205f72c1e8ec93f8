package org.anoscan.nn;

import org.anoscan.backend.Backend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** A 2-d convolution without bias (DCGAN's layers have none; batch norm follows). Weight [Cout, Cin, k, k]. */
public final class Conv2d extends ConvLayer {
    public Conv2d(Backend backend, String name, int cin, int cout, int kernel, int stride, int padding, Init init) {
        super(backend, name, Shape.of(cout, cin, kernel, kernel), stride, padding, init);
    }

    @Override
    protected Tensor apply(Tensor x) {
        return backend.conv2d(x, weight.value(), null, spec);
    }

    @Override
    protected Tensor weightGradient(Tensor dy, Tensor x) {
        return backend.conv2dBackwardFilter(dy, x, weight.value().shape(), spec);
    }

    @Override
    protected Tensor inputGradient(Tensor dy, Shape xShape) {
        return backend.conv2dBackwardData(dy, weight.value(), xShape, spec);
    }

    @Override
    public Shape outputShape(Shape in) {
        return spec.convOutput("Conv2d " + weight.name(), in, weight.value().shape());
    }
}
