package org.anoscan.backend;

import org.anoscan.tensor.Tensor;

/**
 * Output of a training-mode batch norm: y, and the per-channel batch mean and 1/sqrt(var + eps) that
 * the backward pass needs. Owns all three tensors.
 */
public record BatchNormState(Tensor y, Tensor saveMean, Tensor saveInvStd) implements AutoCloseable {
    @Override
    public void close() {
        y.close();
        saveMean.close();
        saveInvStd.close();
    }
}
