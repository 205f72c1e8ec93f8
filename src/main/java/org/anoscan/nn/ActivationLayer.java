package org.anoscan.nn;

import java.util.List;
import org.anoscan.backend.Activation;
import org.anoscan.backend.Backend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** An element-wise activation; backward reads the kept input (ReLU family) or output (Tanh, Sigmoid). */
public final class ActivationLayer implements Layer {
    private final Backend backend;
    private final Activation kind;
    private Tensor input;
    private Tensor output;

    public ActivationLayer(Backend backend, Activation kind) {
        this.backend = backend;
        this.kind = kind;
    }

    public Activation kind() { return kind; }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        input = x;
        output = backend.activation(kind, x);
        return output;
    }

    @Override
    public Tensor backward(Tensor dy, boolean weightGrads) {
        if (input == null) throw new IllegalStateException(kind + ": backward before forward");
        return backend.activationBackward(kind, input, output, dy);
    }

    @Override
    public Shape outputShape(Shape in) { return in; }

    @Override
    public List<Parameter> parameters() { return List.of(); }

    @Override
    public void releaseActivations() {
        input = null;
        output = null;
    }
}
