package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.Checks;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * Batch norm of the CPU backend, one channel per task. Channel statistics are summed in double, sample
 * by sample in index order, so they do not depend on the thread count.
 */
final class CpuBatchNorm {
    private final CpuBackend cpu;

    CpuBatchNorm(CpuBackend cpu) {
        this.cpu = cpu;
    }

    BatchNormState train(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                         float momentum, float eps) {
        String op = "batchNormTrain";
        FloatBuffer xb = cpu.buf(op, "x", x);
        FloatBuffer gb = cpu.buf(op, "gamma", gamma);
        FloatBuffer bb = cpu.buf(op, "beta", beta);
        FloatBuffer rmb = cpu.buf(op, "runningMean", runningMean);
        FloatBuffer rvb = cpu.buf(op, "runningVar", runningVar);
        Shape s = x.shape();
        Checks.rank4(op, "x", s);
        int n = s.n(), c = s.c(), hw = s.h() * s.w();
        Checks.channels(op, "gamma", gamma, c);
        Checks.channels(op, "beta", beta, c);
        Checks.channels(op, "runningMean", runningMean, c);
        Checks.channels(op, "runningVar", runningVar, c);
        long count = (long) n * hw;
        if (count < 2) {
            // The unbiased variance of the running statistics needs two values (PyTorch refuses too).
            throw new IllegalArgumentException(op + ": need more than one value per channel in training mode, got x " + s);
        }
        checkParams(op, s, momentum, eps);

        CpuTensor y = null, mean = null, invStd = null;
        try {
            y = cpu.alloc(s);
            mean = cpu.alloc(Shape.of(c));
            invStd = cpu.alloc(Shape.of(c));
        } catch (RuntimeException | Error e) {
            CpuLoops.closeAll(y, mean, invStd);
            throw e;
        }
        FloatBuffer yb = y.buffer, mb = mean.buffer, ib = invStd.buffer;
        double unbias = (double) count / (count - 1);
        CpuLoops.items(cpu, c, count, ch -> {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) sum += xb.get(j);
            }
            double mu = sum / count;
            // Two passes: the variance from sum(x^2) - mu^2 cancels badly when |mean| >> std.
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) {
                    double d = xb.get(j) - mu;
                    sq += d * d;
                }
            }
            double var = sq / count;
            double inv = 1.0 / Math.sqrt(var + eps);
            double scale = gb.get(ch) * inv, shift = bb.get(ch);
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) yb.put(j, (float) ((xb.get(j) - mu) * scale + shift));
            }
            mb.put(ch, (float) mu);
            ib.put(ch, (float) inv);
            rmb.put(ch, (float) ((1 - momentum) * rmb.get(ch) + momentum * mu));
            rvb.put(ch, (float) ((1 - momentum) * rvb.get(ch) + momentum * var * unbias));
        });
        return new BatchNormState(y, mean, invStd);
    }

    Tensor eval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps) {
        String op = "batchNormEval";
        FloatBuffer xb = cpu.buf(op, "x", x);
        FloatBuffer gb = cpu.buf(op, "gamma", gamma);
        FloatBuffer bb = cpu.buf(op, "beta", beta);
        FloatBuffer rmb = cpu.buf(op, "runningMean", runningMean);
        FloatBuffer rvb = cpu.buf(op, "runningVar", runningVar);
        Shape s = x.shape();
        Checks.rank4(op, "x", s);
        int n = s.n(), c = s.c(), hw = s.h() * s.w();
        Checks.channels(op, "gamma", gamma, c);
        Checks.channels(op, "beta", beta, c);
        Checks.channels(op, "runningMean", runningMean, c);
        Checks.channels(op, "runningVar", runningVar, c);
        checkParams(op, s, 0f, eps);
        CpuTensor y = cpu.alloc(s);
        FloatBuffer yb = y.buffer;
        CpuLoops.items(cpu, c, (long) n * hw, ch -> {
            double mu = rmb.get(ch);
            double scale = gb.get(ch) / Math.sqrt(rvb.get(ch) + (double) eps), shift = bb.get(ch);
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) yb.put(j, (float) ((xb.get(j) - mu) * scale + shift));
            }
        });
        return y;
    }

    BatchNormGrads backward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, boolean weightGrads) {
        String op = "batchNormBackward";
        FloatBuffer db = cpu.buf(op, "dy", dy);
        FloatBuffer xb = cpu.buf(op, "x", x);
        FloatBuffer gb = cpu.buf(op, "gamma", gamma);
        FloatBuffer mb = cpu.buf(op, "saveMean", saveMean);
        FloatBuffer ib = cpu.buf(op, "saveInvStd", saveInvStd);
        Shape s = x.shape();
        Checks.rank4(op, "x", s);
        Checks.sameShape(op, dy, x);
        int n = s.n(), c = s.c(), hw = s.h() * s.w();
        Checks.channels(op, "gamma", gamma, c);
        Checks.channels(op, "saveMean", saveMean, c);
        Checks.channels(op, "saveInvStd", saveInvStd, c);
        long count = (long) n * hw;

        CpuTensor dx = null, dgamma = null, dbeta = null;
        try {
            dx = cpu.alloc(s);
            if (weightGrads) {
                dgamma = cpu.alloc(Shape.of(c));
                dbeta = cpu.alloc(Shape.of(c));
            }
        } catch (RuntimeException | Error e) {
            CpuLoops.closeAll(dx, dgamma, dbeta);
            throw e;
        }
        FloatBuffer dxb = dx.buffer;
        FloatBuffer dgb = weightGrads ? dgamma.buffer : null, dbb = weightGrads ? dbeta.buffer : null;
        CpuLoops.items(cpu, c, count, ch -> {
            double mu = mb.get(ch), inv = ib.get(ch);
            // dx needs both channel sums whether or not the weight gradients are returned.
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) {
                    double g = db.get(j);
                    sumDy += g;
                    sumDyXhat += g * (xb.get(j) - mu) * inv;
                }
            }
            double meanDy = sumDy / count, meanDyXhat = sumDyXhat / count;
            double k = gb.get(ch) * inv;
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) {
                    double xhat = (xb.get(j) - mu) * inv;
                    dxb.put(j, (float) (k * (db.get(j) - meanDy - xhat * meanDyXhat)));
                }
            }
            if (dgb != null) {
                dgb.put(ch, (float) sumDyXhat);
                dbb.put(ch, (float) sumDy);
            }
        });
        return new BatchNormGrads(dx, dgamma, dbeta);
    }

    Tensor evalBackward(Tensor dy, Tensor gamma, Tensor runningVar, float eps) {
        String op = "batchNormEvalBackward";
        FloatBuffer db = cpu.buf(op, "dy", dy);
        FloatBuffer gb = cpu.buf(op, "gamma", gamma);
        FloatBuffer rvb = cpu.buf(op, "runningVar", runningVar);
        Shape s = dy.shape();
        Checks.rank4(op, "dy", s);
        int n = s.n(), c = s.c(), hw = s.h() * s.w();
        Checks.channels(op, "gamma", gamma, c);
        Checks.channels(op, "runningVar", runningVar, c);
        checkParams(op, s, 0f, eps);
        CpuTensor dx = cpu.alloc(s);
        FloatBuffer out = dx.buffer;
        CpuLoops.items(cpu, c, (long) n * hw, ch -> {
            double scale = gb.get(ch) / Math.sqrt(rvb.get(ch) + (double) eps);
            for (int i = 0; i < n; i++) {
                for (int j = (i * c + ch) * hw, end = j + hw; j < end; j++) out.put(j, (float) (db.get(j) * scale));
            }
        });
        return dx;
    }

    private static void checkParams(String op, Shape s, float momentum, float eps) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(op + ": momentum must lie in [0, 1], got " + momentum + " (x " + s + ")");
        }
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and >= 0, got " + eps + " (x " + s + ")");
        }
    }
}
