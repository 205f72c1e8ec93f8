package org.anoscan.backend;

import org.anoscan.tensor.Tensor;

/** A per-sample loss [N] and its gradient with respect to the prediction (shape of the prediction). */
public record LossAndGrad(Tensor loss, Tensor grad) implements AutoCloseable {
    @Override
    public void close() {
        loss.close();
        grad.close();
    }
}
