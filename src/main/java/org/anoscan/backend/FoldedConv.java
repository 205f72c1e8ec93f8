package org.anoscan.backend;

import org.anoscan.tensor.Tensor;

/** A convolution's weight and bias with an eval-mode batch norm folded in; owns both tensors. */
public record FoldedConv(Tensor weight, Tensor bias) implements AutoCloseable {
    @Override
    public void close() {
        weight.close();
        bias.close();
    }
}
