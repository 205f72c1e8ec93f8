package org.anoscan.nn;

import java.util.List;
import org.anoscan.backend.Backend;
import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** What a convolution layer without bias keeps: its weight, stride and padding, and the input of the last forward. */
abstract class ConvLayer implements Layer {
    protected final Backend backend;
    protected final Parameter weight;
    protected final ConvSpec spec;
    private Tensor input;

    ConvLayer(Backend backend, String name, Shape weightShape, int stride, int padding, Init init) {
        this.backend = backend;
        this.spec = ConvSpec.of(stride, padding);
        this.weight = new Parameter(name + ".weight", backend.fromHost(init.normal(weightShape.size(), 0, 0.02), weightShape));
    }

    public Parameter weight() { return weight; }

    public ConvSpec spec() { return spec; }

    @Override
    public final Tensor forward(Tensor x, boolean train) {
        input = x;
        return apply(x);
    }

    @Override
    public final Tensor backward(Tensor dy, boolean weightGrads) {
        if (input == null) throw new IllegalStateException(getClass().getSimpleName() + " " + weight.name() + ": backward before forward");
        if (weightGrads) weight.accumulateGrad(weightGradient(dy, input));
        return inputGradient(dy, input.shape());
    }

    protected abstract Tensor apply(Tensor x);

    protected abstract Tensor weightGradient(Tensor dy, Tensor x);

    protected abstract Tensor inputGradient(Tensor dy, Shape xShape);

    @Override
    public List<Parameter> parameters() { return List.of(weight); }

    @Override
    public void releaseActivations() { input = null; }
}
