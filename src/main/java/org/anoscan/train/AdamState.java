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

    /** Adds the moments to a checkpoint's extra tensors ({@code adam.NAME.m}, {@code adam.NAME.v}). */
    void putMoments(java.util.Map<String, Tensor> extra) {
        extra.put("adam." + param.name() + ".m", m);
        extra.put("adam." + param.name() + ".v", v);
    }

    /** Restores the moments from a checkpoint's extra tensors; false when it has none for this parameter. */
    boolean restoreMoments(java.util.Map<String, float[]> extra) {
        float[] hm = extra.get("adam." + param.name() + ".m");
        float[] hv = extra.get("adam." + param.name() + ".v");
        if (hm == null || hv == null) return false;
        Backend b = param.value().backend();
        try (Tensor tm = b.fromHost(hm, m.shape()); Tensor tv = b.fromHost(hv, v.shape())) {
            b.copyInto(tm, m);
            b.copyInto(tv, v);
        }
        return true;
    }

    @Override
    public void close() {
        m.close();
        v.close();
    }
}
