package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.anoscan.backend.Checks;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * The per-sample squared-error loss of the CPU backend (the encoder's training loss). Sums run in double
 * in index order per sample, as {@link CpuReductions}' losses, so a sample's loss does not depend on the batch.
 */
final class CpuSquaredError {
    private final CpuBackend cpu;

    CpuSquaredError(CpuBackend cpu) {
        this.cpu = cpu;
    }

    LossAndGrad l2LossWithGrad(Tensor pred, Tensor target, float weight) {
        String op = "l2LossWithGrad";
        FloatBuffer pb = cpu.buf(op, "pred", pred);
        FloatBuffer tb = cpu.buf(op, "target", target);
        Checks.sameShape(op, pred, target);
        if (!Float.isFinite(weight)) {
            throw new IllegalArgumentException(op + ": weight must be finite, got " + weight + " (pred " + pred.shape() + ")");
        }
        int n = pred.shape().n(), per = pred.shape().perSample();
        CpuTensor loss = null, grad = null;
        try {
            loss = cpu.alloc(Shape.of(n));
            grad = cpu.allocUninitialised(pred.shape()); // every element written below
        } catch (RuntimeException | Error e) {
            CpuLoops.closeAll(loss, grad);
            throw e;
        }
        FloatBuffer lb = loss.buffer, gb = grad.buffer;
        float twice = 2f * weight;
        CpuLoops.items(cpu, n, per, i -> {
            double sum = 0;
            for (int j = i * per, end = j + per; j < end; j++) {
                float d = pb.get(j) - tb.get(j);
                sum += (double) d * d;
                gb.put(j, twice * d);
            }
            lb.put(i, (float) (weight * sum));
        });
        return new LossAndGrad(loss, grad);
    }
}
