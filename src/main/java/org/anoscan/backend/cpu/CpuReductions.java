package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.anoscan.backend.Checks;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * Reductions of the CPU backend: the bias gradient and the losses. Sums run in double in a fixed order:
 * a per-sample sum reads only its own sample in index order, so a sample's loss is bit-identical whatever
 * else is in the batch (the batched latent search relies on it).
 */
final class CpuReductions {
    private final CpuBackend cpu;

    CpuReductions(CpuBackend cpu) {
        this.cpu = cpu;
    }

    Tensor biasBackward(Tensor dy) {
        String op = "biasBackward";
        FloatBuffer db = cpu.buf(op, "dy", dy);
        Shape s = dy.shape();
        Checks.rank4(op, "dy", s);
        int n = s.n(), c = s.c(), hw = s.h() * s.w();
        CpuTensor out = cpu.alloc(Shape.of(c));
        FloatBuffer ob = out.buffer;
        CpuLoops.items(cpu, c, (long) n * hw, ch -> {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) sum += db.get(j);
            }
            ob.put(ch, (float) sum);
        });
        return out;
    }

    Tensor l1PerSample(Tensor a, Tensor b) {
        String op = "l1PerSample";
        FloatBuffer ab = cpu.buf(op, "a", a);
        FloatBuffer bb = cpu.buf(op, "b", b);
        Checks.sameShape(op, a, b);
        int n = a.shape().n(), per = a.shape().perSample();
        CpuTensor loss = cpu.alloc(Shape.of(n));
        FloatBuffer lb = loss.buffer;
        CpuLoops.items(cpu, n, per, i -> {
            double sum = 0;
            for (int j = i * per, end = j + per; j < end; j++) sum += Math.abs(ab.get(j) - bb.get(j));
            lb.put(i, (float) sum);
        });
        return loss;
    }

    LossAndGrad l1LossWithGrad(Tensor pred, Tensor target, float weight) {
        PerSampleLoss l = PerSampleLoss.open(cpu, "l1LossWithGrad", pred, target, weight);
        CpuLoops.items(cpu, l.n, l.per, i -> {
            double sum = 0;
            for (int j = i * l.per, end = j + l.per; j < end; j++) {
                float d = l.pb.get(j) - l.tb.get(j);
                sum += Math.abs(d);
                l.gb.put(j, d > 0 ? weight : d < 0 ? -weight : d == 0 ? 0f : Float.NaN);
            }
            l.lb.put(i, (float) (weight * sum));
        });
        return l.result();
    }

    /** weight * sum((pred - target)^2) per sample and its gradient 2 * weight * (pred - target) (the encoder's training loss). */
    LossAndGrad l2LossWithGrad(Tensor pred, Tensor target, float weight) {
        PerSampleLoss l = PerSampleLoss.open(cpu, "l2LossWithGrad", pred, target, weight);
        float twice = 2f * weight;
        CpuLoops.items(cpu, l.n, l.per, i -> {
            double sum = 0;
            for (int j = i * l.per, end = j + l.per; j < end; j++) {
                float d = l.pb.get(j) - l.tb.get(j);
                sum += (double) d * d;
                l.gb.put(j, twice * d);
            }
            l.lb.put(i, (float) (weight * sum));
        });
        return l.result();
    }

    /** The checked inputs and freshly allocated outputs (loss [N], gradient like pred) of a weighted per-sample loss. */
    private static final class PerSampleLoss {
        final FloatBuffer pb, tb, lb, gb;
        final int n, per;
        final CpuTensor loss, grad;

        private PerSampleLoss(FloatBuffer pb, FloatBuffer tb, CpuTensor loss, CpuTensor grad, int n, int per) {
            this.pb = pb;
            this.tb = tb;
            this.loss = loss;
            this.grad = grad;
            this.lb = loss.buffer;
            this.gb = grad.buffer;
            this.n = n;
            this.per = per;
        }

        static PerSampleLoss open(CpuBackend cpu, String op, Tensor pred, Tensor target, float weight) {
            FloatBuffer pb = cpu.buf(op, "pred", pred);
            FloatBuffer tb = cpu.buf(op, "target", target);
            Checks.sameShape(op, pred, target);
            if (!Float.isFinite(weight)) {
                throw new IllegalArgumentException(op + ": weight must be finite, got " + weight + " (pred " + pred.shape() + ")");
            }
            CpuTensor loss = null, grad = null;
            try {
                loss = cpu.alloc(Shape.of(pred.shape().n()));
                grad = cpu.allocUninitialised(pred.shape()); // every element written by the loss
            } catch (RuntimeException | Error e) {
                CpuLoops.closeAll(loss, grad);
                throw e;
            }
            return new PerSampleLoss(pb, tb, loss, grad, pred.shape().n(), pred.shape().perSample());
        }

        LossAndGrad result() {
            return new LossAndGrad(loss, grad);
        }
    }

    LossAndGrad bceWithLogits(Tensor logits, float target) {
        String op = "bceWithLogits";
        FloatBuffer xb = cpu.buf(op, "logits", logits);
        if (!Float.isFinite(target)) {
            throw new IllegalArgumentException(op + ": target must be finite, got " + target + " (logits " + logits.shape() + ")");
        }
        int count = logits.size();
        CpuTensor loss = null, grad = null;
        try {
            loss = cpu.alloc(Shape.of(1));
            grad = cpu.alloc(logits.shape());
        } catch (RuntimeException | Error e) {
            CpuLoops.closeAll(loss, grad);
            throw e;
        }
        FloatBuffer gb = grad.buffer;
        double t = target;
        // One partial sum per fixed-size chunk, added in chunk order: the mean does not depend on threads.
        double[] partial = new double[CpuLoops.chunks(count)];
        CpuLoops.chunked(cpu, count, (from, to) -> {
            double sum = 0;
            for (int i = from; i < to; i++) {
                double x = xb.get(i);
                // max(x, 0) - x t + log(1 + e^-|x|): equal to the textbook form, never overflows.
                sum += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
                gb.put(i, (float) ((CpuElementwise.sigmoid(x) - t) / count));
            }
            partial[from / CpuLoops.GRAIN] = sum;
        });
        double total = 0;
        for (double p : partial) total += p;
        loss.buffer.put(0, (float) (total / count));
        return new LossAndGrad(loss, grad);
    }
}
