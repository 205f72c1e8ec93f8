package org.anoscan.backend;

import org.anoscan.tensor.Tensor;

/** Gradients of a batch norm: dx, and dgamma, dbeta (null when weight gradients were skipped). */
public record BatchNormGrads(Tensor dx, Tensor dgamma, Tensor dbeta) implements AutoCloseable {
    @Override
    public void close() {
        dx.close();
        if (dgamma != null) dgamma.close();
        if (dbeta != null) dbeta.close();
    }
}
