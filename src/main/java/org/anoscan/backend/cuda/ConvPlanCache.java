package org.anoscan.backend.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import org.anoscan.tensor.Precision;

/**
 * The convolution plans of one backend, made once per (geometry, precision) and kept until the backend
 * closes. Plans are host-side descriptors (the workspace is shared), and the latent search rounds its batch
 * sizes up to a few buckets, so the count stays bounded.
 */
final class ConvPlanCache implements AutoCloseable {
    record Key(ConvGeometry geometry, Precision precision) {}

    private final Map<Key, ConvPlan> plans = new LinkedHashMap<>();

    ConvPlan get(ConvGeometry g, Precision p) {
        return plans.get(new Key(g, p));
    }

    void put(ConvPlan plan, Precision p) {
        plans.put(new Key(plan.geometry(), p), plan);
    }

    int size() {
        return plans.size();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (ConvPlan p : plans.values()) {
            try {
                p.close();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        plans.clear();
        if (first != null) throw first;
    }
}
