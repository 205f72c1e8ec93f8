package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Checks;
import org.anoscan.tensor.Tensor;

/**
 * Adam on the CPU: one step on a whole tensor, one step per row of a batch of independent latent
 * searches, and keep-best. Both steps run the same element kernel, so a row of a batched step is
 * bit-identical to a whole-tensor step on that row alone.
 */
final class CpuAdam {
    private final CpuBackend cpu;

    CpuAdam(CpuBackend cpu) {
        this.cpu = cpu;
    }

    void step(Tensor param, Tensor grad, Tensor m, Tensor v, int step, AdamConfig cfg) {
        String op = "adamStep";
        FloatBuffer pb = cpu.buf(op, "param", param);
        FloatBuffer gb = cpu.buf(op, "grad", grad);
        FloatBuffer mb = cpu.buf(op, "m", m);
        FloatBuffer vb = cpu.buf(op, "v", v);
        Checks.sameShape(op, param, grad);
        Checks.sameShape(op, param, m);
        Checks.sameShape(op, param, v);
        if (cfg == null) throw new IllegalArgumentException(op + ": config is null (param " + param.shape() + ")");
        if (step < 1) throw new IllegalArgumentException(op + ": step counts from 1, got " + step + " (param " + param.shape() + ")");
        CpuLoops.chunked(cpu, param.size(), (from, to) -> update(pb, gb, mb, vb, from, to, step, cfg));
    }

    void perSampleStep(Tensor z, Tensor grad, Tensor m, Tensor v, Tensor steps, Tensor active, AdamConfig cfg) {
        String op = "adamPerSampleStep";
        FloatBuffer zb = cpu.buf(op, "z", z);
        FloatBuffer gb = cpu.buf(op, "grad", grad);
        FloatBuffer mb = cpu.buf(op, "m", m);
        FloatBuffer vb = cpu.buf(op, "v", v);
        FloatBuffer sb = cpu.buf(op, "steps", steps);
        FloatBuffer ab = active == null ? null : cpu.buf(op, "active", active);
        Checks.sameShape(op, z, grad);
        Checks.sameShape(op, z, m);
        Checks.sameShape(op, z, v);
        int n = z.shape().n(), per = z.shape().perSample();
        perRow(op, "steps", steps, z);
        if (active != null) perRow(op, "active", active, z);
        if (cfg == null) throw new IllegalArgumentException(op + ": config is null (z " + z.shape() + ")");
        // Validate every count before touching any row, so a bad count leaves the state as it was.
        for (int r = 0; r < n; r++) {
            float s = sb.get(r);
            if (!(s >= 0 && s < (1 << 24) && s == Math.rint(s))) {
                throw new IllegalArgumentException(op + ": steps[" + r + "] = " + s + " is not a whole number in [0, 2^24) (steps "
                        + steps.shape() + ", z " + z.shape() + ")");
            }
        }
        CpuLoops.items(cpu, n, per, r -> {
            if (ab != null && ab.get(r) == 0f) return; // frozen: z, m, v and the count stay as they are
            int t = (int) sb.get(r) + 1;
            sb.put(r, t);
            update(zb, gb, mb, vb, r * per, (r + 1) * per, t, cfg);
        });
    }

    void keepBest(Tensor loss, Tensor bestLoss, Tensor z, Tensor bestZ) {
        String op = "keepBest";
        FloatBuffer lb = cpu.buf(op, "loss", loss);
        FloatBuffer blb = cpu.buf(op, "bestLoss", bestLoss);
        FloatBuffer zb = cpu.buf(op, "z", z);
        FloatBuffer bzb = cpu.buf(op, "bestZ", bestZ);
        Checks.sameShape(op, loss, bestLoss);
        Checks.sameShape(op, z, bestZ);
        perRow(op, "loss", loss, z);
        int n = z.shape().n(), per = z.shape().perSample();
        for (int r = 0; r < n; r++) {
            float l = lb.get(r);
            if (l < blb.get(r)) { // a NaN loss never replaces the best
                blb.put(r, l);
                bzb.put(r * per, zb, r * per, per);
            }
        }
    }

    /** The textbook Adam update of elements [from, to), bias-corrected for step t, in double. */
    private static void update(FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v, int from, int to, int t, AdamConfig cfg) {
        double b1 = cfg.beta1(), b2 = cfg.beta2(), lr = cfg.lr(), eps = cfg.eps();
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        double clamp = cfg.clamp();
        for (int i = from; i < to; i++) {
            double gi = g.get(i);
            double mi = b1 * m.get(i) + (1 - b1) * gi;
            double vi = b2 * v.get(i) + (1 - b2) * gi * gi;
            double pi = p.get(i) - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
            if (clamp > 0) pi = Math.max(-clamp, Math.min(clamp, pi));
            m.put(i, (float) mi);
            v.put(i, (float) vi);
            p.put(i, (float) pi);
        }
    }

    /** A per-row vector: one element per row (first dimension) of z. */
    private static void perRow(String op, String name, Tensor t, Tensor z) {
        int n = z.shape().n();
        if (t.size() != n) {
            throw new IllegalArgumentException(op + ": " + name + " must have one element per row of z " + z.shape() + " (" + n
                    + "), got " + t.shape());
        }
    }
}
