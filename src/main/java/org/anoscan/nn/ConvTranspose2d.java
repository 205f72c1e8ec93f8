package org.anoscan.nn;

import java.util.List;
import org.anoscan.backend.Backend;
import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** A 2-d transposed convolution without bias. Weight [Cin, Cout, k, k] as in PyTorch. */
public final class ConvTranspose2d implements Layer {
    private final Backend backend;
    private final Parameter weight;
    private final ConvSpec spec;
    private Tensor input;

    public ConvTranspose2d(Backend backend, String name, int cin, int cout, int kernel, int stride, int padding, Init init) {
        this.backend = backend;
        this.spec = ConvSpec.of(stride, padding);
        Shape ws = Shape.of(cin, cout, kernel, kernel);
        this.weight = new Parameter(name + ".weight", backend.fromHost(init.normal(ws.size(), 0, 0.02), ws));
    }

    public Parameter weight() { return weight; }

    public ConvSpec spec() { return spec; }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        input = x;
        return backend.convTranspose2d(x, weight.value(), null, spec);
    }

    @Override
    public Tensor backward(Tensor dy, boolean weightGrads) {
        if (input == null) throw new IllegalStateException("ConvTranspose2d " + weight.name() + ": backward before forward");
        if (weightGrads) weight.accumulateGrad(backend.convTranspose2dBackwardFilter(dy, input, weight.value().shape(), spec));
        return backend.convTranspose2dBackwardData(dy, weight.value(), input.shape(), spec);
    }

    @Override
    public Shape outputShape(Shape in) {
        return spec.convTransposeOutput("ConvTranspose2d " + weight.name(), in, weight.value().shape());
    }

    @Override
    public List<Parameter> parameters() { return List.of(weight); }

    @Override
    public void releaseActivations() { input = null; }
}
