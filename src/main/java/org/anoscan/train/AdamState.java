package org.anoscan.train;

import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Backend;
import org.anoscan.nn.Parameter;
import org.anoscan.tensor.Tensor;

/** Adam moments of one parameter; owns them. */
final class AdamState implements AutoCloseable {
    final Parameter param;
    final Tensor m;
    final Tensor v;

    AdamState(Parameter param) {
        Backend b = param.value().backend();
        this.param = param;
        this.m = b.zeros(param.value().shape());
        this.v = b.zeros(param.value().shape());
    }

    /** Steps the parameter with its accumulated gradient (none: no move) and clears the gradient. */
    void step(int t, AdamConfig cfg) {
        if (param.grad() != null) param.value().backend().adamStep(param.value(), param.grad(), m, v, t, cfg);
        param.zeroGrad();
    }

    @Override
    public void close() {
        m.close();
        v.close();
    }
}
