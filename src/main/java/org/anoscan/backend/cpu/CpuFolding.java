package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.anoscan.backend.Activation;
import org.anoscan.backend.Checks;
import org.anoscan.backend.FoldedConv;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** Batch-norm folding and the fused bias + activation epilogue of folded convolutions. */
final class CpuFolding {
    private final CpuBackend cpu;

    CpuFolding(CpuBackend cpu) {
        this.cpu = cpu;
    }

    FoldedConv foldBatchNorm(Tensor w, boolean transposed, Tensor bias, Tensor gamma, Tensor beta, Tensor mean, Tensor var,
                             float eps) {
        String op = "foldBatchNorm";
        FloatBuffer wb = cpu.buf(op, "w", w);
        Checks.rank4(op, "w", w.shape());
        Shape ws = w.shape();
        int c = transposed ? ws.dim(1) : ws.dim(0);
        for (Tensor t : new Tensor[] {gamma, beta, mean, var}) Checks.channels(op, "batch-norm vector", t, c);
        if (bias != null) Checks.channels(op, "bias", bias, c);
        FloatBuffer g = cpu.buf(op, "gamma", gamma);
        FloatBuffer b = cpu.buf(op, "beta", beta);
        FloatBuffer m = cpu.buf(op, "runningMean", mean);
        FloatBuffer v = cpu.buf(op, "runningVar", var);
        FloatBuffer ob = bias == null ? null : cpu.buf(op, "bias", bias);
        float[] scale = new float[c];
        CpuTensor w2 = cpu.alloc(ws);
        CpuTensor b2 = cpu.alloc(Shape.of(c));
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = (float) (g.get(ch) / Math.sqrt(v.get(ch) + (double) eps));
            float old = ob == null ? 0f : ob.get(ch);
            b2.buffer.put(ch, (old - m.get(ch)) * scale[ch] + b.get(ch));
        }
        int inner = transposed ? ws.dim(2) * ws.dim(3) : ws.dim(1) * ws.dim(2) * ws.dim(3);
        for (int i = 0, n = ws.size(); i < n; i++) {
            int ch = transposed ? (i / inner) % c : i / inner;
            w2.buffer.put(i, wb.get(i) * scale[ch]);
        }
        return new FoldedConv(w2, b2);
    }

    void biasActivation(Tensor y, Tensor bias, Activation a) {
        String op = "biasActivation";
        FloatBuffer yb = cpu.buf(op, "y", y);
        Checks.rank4(op, "y", y.shape());
        Shape s = y.shape();
        FloatBuffer bb = bias == null ? null : cpu.buf(op, "bias", bias);
        if (bias != null) Checks.channels(op, "bias", bias, s.c());
        int plane = s.h() * s.w();
        CpuLoops.items(cpu, s.n() * s.c(), plane, nc -> {
            float add = bb == null ? 0f : bb.get(nc % s.c());
            float[] v = CpuLoops.chunkArray(0);
            for (int from = nc * plane, end = from + plane; from < end; from += CpuLoops.GRAIN) {
                int n = Math.min(CpuLoops.GRAIN, end - from);
                yb.get(from, v, 0, n);
                ActivationMath.biasActivation(a, add, v, 0, n);
                yb.put(from, v, 0, n);
            }
        });
    }
}
