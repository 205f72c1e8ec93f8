package org.anoscan.nn;

import org.anoscan.tensor.Tensor;

/**
 * A named trainable tensor and its gradient. Owns both. The gradient accumulates over backward passes
 * (D sees a real and a fake batch per step) until {@link #zeroGrad()}.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor value;
    private Tensor grad;

    public Parameter(String name, Tensor value) {
        this.name = name;
        this.value = value;
    }

    public String name() { return name; }

    public Tensor value() { return value; }

    /** The accumulated gradient, or null when no backward pass computed one since the last zeroGrad. */
    public Tensor grad() { return grad; }

    /** Adds g to the gradient; takes ownership of g. */
    public void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = g;
        } else {
            try (g) {
                value.backend().axpy(1f, g, grad);
            }
        }
    }

    public void zeroGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
    }

    @Override
    public void close() {
        zeroGrad();
        value.close();
    }
}
