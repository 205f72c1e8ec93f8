package org.anoscan.backend.cuda;

import static org.anoscan.backend.cuda.DevicePointers.doubles;
import static org.anoscan.backend.cuda.DevicePointers.floats;

import org.anoscan.backend.FoldedConv;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.Checks;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The non-convolution ops of the CUDA backend: argument checks (as the CPU reference makes them), then
 * one or a few kernels on the backend's stream. Outputs and scratch live in an {@link OpScope}; scratch
 * comes from the pool too, so it is reused from one iteration to the next like everything else.
 */
final class CudaOps {
    private final CudaBackend cuda;
    private final CudaKernels k;

    CudaOps(CudaBackend cuda, CudaKernels kernels) {
        this.cuda = cuda;
        this.k = kernels;
    }

    // ---- element-wise ----

    Tensor activation(Activation a, Tensor x) {
        FloatPointer xa = addr("activation", "x", x);
        if (a == null) throw new IllegalArgumentException("activation: activation is null");
        try (OpScope op = cuda.scope()) {
            CudaTensor y = op.out(x.shape());
            k.activation(CudaKernels.code(a), xa, addr(y), x.size());
            return op.done(y);
        }
    }

    Tensor activationBackward(Activation a, Tensor x, Tensor y, Tensor dy) {
        String name = "activationBackward";
        if (a == null) throw new IllegalArgumentException(name + ": activation is null");
        FloatPointer dya = addr(name, "dy", dy);
        boolean readsX = a == Activation.RELU || a == Activation.LEAKY_RELU;
        Tensor needed = readsX ? x : y;
        if (needed == null) throw new IllegalArgumentException(name + ": " + a + " needs " + (readsX ? "x" : "y") + ", got null");
        FloatPointer na = addr(name, readsX ? "x" : "y", needed);
        Checks.sameShape(name, needed, dy);
        try (OpScope op = cuda.scope()) {
            CudaTensor dx = op.out(dy.shape());
            k.activationBackward(CudaKernels.code(a), readsX ? na : null, readsX ? null : na, dya, addr(dx), dy.size());
            return op.done(dx);
        }
    }

    Tensor add(Tensor a, Tensor b) {
        FloatPointer aa = addr("add", "a", a), ba = addr("add", "b", b);
        Checks.sameShape("add", a, b);
        try (OpScope op = cuda.scope()) {
            CudaTensor out = op.out(a.shape());
            k.add(aa, ba, addr(out), a.size());
            return op.done(out);
        }
    }

    Tensor absDiff(Tensor a, Tensor b) {
        FloatPointer aa = addr("absDiff", "a", a), ba = addr("absDiff", "b", b);
        Checks.sameShape("absDiff", a, b);
        try (OpScope op = cuda.scope()) {
            CudaTensor out = op.out(a.shape());
            k.absDiff(aa, ba, addr(out), a.size());
            return op.done(out);
        }
    }

    void fill(Tensor t, float value) {
        k.fill(addr("fill", "t", t), value, t.size());
    }

    /** y = act(y + bias[c]) in place: the epilogue of a convolution whose batch norm was folded into it. */
    void biasActivation(Tensor y, Tensor bias, Activation a) {
        String name = "biasActivation";
        FloatPointer ya = addr(name, "y", y);
        Checks.rank4(name, "y", y.shape());
        Shape s = y.shape();
        FloatPointer ba = bias == null ? null : channel(name, "bias", bias, s.c());
        k.channelAffineAct(ya, null, ba, CudaKernels.code(a), ya, s.size(), s.c(), s.h() * s.w());
    }

    // ---- losses and reductions ----

    Tensor l1PerSample(Tensor a, Tensor b) {
        FloatPointer aa = addr("l1PerSample", "a", a), ba = addr("l1PerSample", "b", b);
        Checks.sameShape("l1PerSample", a, b);
        Shape s = a.shape();
        try (OpScope op = cuda.scope()) {
            CudaTensor loss = op.out(Shape.of(s.n()));
            k.l1LossGrad(aa, ba, addr(loss), null, 1f, s.n(), s.perSample());
            return op.done(loss);
        }
    }

    LossAndGrad l1LossWithGrad(Tensor pred, Tensor target, float weight) {
        FloatPointer pa = addr("l1LossWithGrad", "pred", pred), ta = addr("l1LossWithGrad", "target", target);
        Checks.sameShape("l1LossWithGrad", pred, target);
        Shape s = pred.shape();
        try (OpScope op = cuda.scope()) {
            CudaTensor loss = op.out(Shape.of(s.n())), grad = op.out(s);
            k.l1LossGrad(pa, ta, addr(loss), addr(grad), weight, s.n(), s.perSample());
            return op.done(new LossAndGrad(loss, grad));
        }
    }

    LossAndGrad l2LossWithGrad(Tensor pred, Tensor target, float weight) {
        FloatPointer pa = addr("l2LossWithGrad", "pred", pred), ta = addr("l2LossWithGrad", "target", target);
        Checks.sameShape("l2LossWithGrad", pred, target);
        if (!Float.isFinite(weight)) throw new IllegalArgumentException("l2LossWithGrad: weight must be finite, got " + weight);
        Shape s = pred.shape();
        try (OpScope op = cuda.scope()) {
            CudaTensor loss = op.out(Shape.of(s.n())), grad = op.out(s);
            k.l2LossGrad(pa, ta, addr(loss), addr(grad), weight, s.n(), s.perSample());
            return op.done(new LossAndGrad(loss, grad));
        }
    }

    LossAndGrad bceWithLogits(Tensor logits, float target) {
        FloatPointer xa = addr("bceWithLogits", "logits", logits);
        long n = logits.size();
        try (OpScope op = cuda.scope()) {
            CudaTensor loss = op.out(Shape.of(1)), grad = op.out(logits.shape());
            DeviceBuffer partial = op.scratch(8L * CudaKernels.bceParts(n));
            k.bceLogits(xa, target, addr(grad), doubles(partial.address()), addr(loss), n);
            return op.done(new LossAndGrad(loss, grad));
        }
    }

    Tensor biasBackward(Tensor dy) {
        FloatPointer dya = addr("biasBackward", "dy", dy);
        Checks.rank4("biasBackward", "dy", dy.shape());
        Shape s = dy.shape();
        int splits = CudaKernels.splitsFor(s.n(), s.c());
        try (OpScope op = cuda.scope()) {
            CudaTensor out = op.out(Shape.of(s.c()));
            DeviceBuffer partial = op.scratch(16L * s.c() * splits);
            k.channelPartials(CudaKernels.MODE_SUM, dya, null, null, null, s.n(), s.c(), (long) s.h() * s.w(), splits, doubles(partial.address()));
            k.channelSum(doubles(partial.address()), splits, s.c(), addr(out));
            return op.done(out);
        }
    }

    // ---- batch norm ----

    BatchNormState batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float momentum, float eps) {
        String name = "batchNormTrain";
        FloatPointer xa = addr(name, "x", x);
        Checks.rank4(name, "x", x.shape());
        Shape s = x.shape();
        int c = s.c(), hw = s.h() * s.w();
        FloatPointer ga = channel(name, "gamma", gamma, c), ba = channel(name, "beta", beta, c);
        FloatPointer rma = channel(name, "runningMean", runningMean, c), rva = channel(name, "runningVar", runningVar, c);
        int splits = CudaKernels.splitsFor(s.n(), c);
        try (OpScope op = cuda.scope()) {
            CudaTensor y = op.out(s), mean = op.out(Shape.of(c)), invstd = op.out(Shape.of(c));
            DeviceBuffer partial = op.scratch(16L * c * splits), coeffs = op.scratch(8L * c);
            FloatPointer scale = floats(coeffs.address()), shift = floats(coeffs.address() + 4L * c);
            k.channelPartials(CudaKernels.MODE_STATS, xa, null, null, null, s.n(), c, hw, splits, doubles(partial.address()));
            k.bnTrainFinalize(doubles(partial.address()), splits, c, (long) s.n() * hw, ga, ba, eps, momentum, rma, rva, addr(mean), addr(invstd),
                    scale, shift);
            k.channelAffineAct(xa, scale, shift, CudaKernels.ACT_NONE, addr(y), s.size(), c, hw);
            return op.done(new BatchNormState(y, mean, invstd));
        }
    }

    Tensor batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps) {
        String name = "batchNormEval";
        FloatPointer xa = addr(name, "x", x);
        Checks.rank4(name, "x", x.shape());
        Shape s = x.shape();
        int c = s.c();
        FloatPointer ga = channel(name, "gamma", gamma, c), ba = channel(name, "beta", beta, c);
        FloatPointer rma = channel(name, "runningMean", runningMean, c), rva = channel(name, "runningVar", runningVar, c);
        try (OpScope op = cuda.scope()) {
            CudaTensor y = op.out(s);
            DeviceBuffer coeffs = op.scratch(8L * c);
            FloatPointer scale = floats(coeffs.address()), shift = floats(coeffs.address() + 4L * c);
            k.bnEvalCoeffs(ga, ba, rma, rva, eps, c, scale, shift);
            k.channelAffineAct(xa, scale, shift, CudaKernels.ACT_NONE, addr(y), s.size(), c, s.h() * s.w());
            return op.done(y);
        }
    }

    BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, boolean weightGrads) {
        String name = "batchNormBackward";
        FloatPointer dya = addr(name, "dy", dy), xa = addr(name, "x", x);
        Checks.rank4(name, "x", x.shape());
        Checks.sameShape(name, dy, x);
        Shape s = x.shape();
        int c = s.c(), hw = s.h() * s.w();
        FloatPointer ga = channel(name, "gamma", gamma, c), ma = channel(name, "saveMean", saveMean, c);
        FloatPointer isa = channel(name, "saveInvStd", saveInvStd, c);
        int splits = CudaKernels.splitsFor(s.n(), c);
        try (OpScope op = cuda.scope()) {
            CudaTensor dx = op.out(s);
            CudaTensor dgamma = weightGrads ? op.out(Shape.of(c)) : null, dbeta = weightGrads ? op.out(Shape.of(c)) : null;
            DeviceBuffer partial = op.scratch(16L * c * splits), coef = op.scratch(12L * c);
            k.channelPartials(CudaKernels.MODE_BN_BWD, dya, xa, ma, isa, s.n(), c, hw, splits, doubles(partial.address()));
            k.bnBackwardFinalize(doubles(partial.address()), splits, c, (long) s.n() * hw, ga, isa, addr(dgamma), addr(dbeta), floats(coef.address()));
            k.bnBackwardDx(dya, xa, ma, isa, floats(coef.address()), addr(dx), s.size(), c, hw);
            return op.done(new BatchNormGrads(dx, dgamma, dbeta));
        }
    }

    Tensor batchNormEvalBackward(Tensor dy, Tensor gamma, Tensor runningVar, float eps) {
        String name = "batchNormEvalBackward";
        FloatPointer dya = addr(name, "dy", dy);
        Checks.rank4(name, "dy", dy.shape());
        Shape s = dy.shape();
        int c = s.c();
        FloatPointer ga = channel(name, "gamma", gamma, c), rva = channel(name, "runningVar", runningVar, c);
        try (OpScope op = cuda.scope()) {
            CudaTensor dx = op.out(s);
            DeviceBuffer scale = op.scratch(4L * c);
            k.bnEvalCoeffs(ga, null, null, rva, eps, c, floats(scale.address()), null);
            k.channelAffineAct(dya, floats(scale.address()), null, CudaKernels.ACT_NONE, addr(dx), s.size(), c, s.h() * s.w());
            return op.done(dx);
        }
    }

    /**
     * Folds an eval-mode batch norm that follows a convolution into the convolution: weight' = w scale
     * per output channel, bias' = bias scale + shift, with scale = gamma / sqrt(var + eps) and
     * shift = beta - mean scale. Output channels are w's dim 0 for conv2d, dim 1 for conv-transpose2d.
     */
    FoldedConv foldBatchNorm(Tensor w, boolean transposed, Tensor bias, Tensor gamma, Tensor beta, Tensor mean, Tensor var, float eps) {
        String name = "foldBatchNorm";
        FloatPointer wa = addr(name, "w", w);
        Checks.rank4(name, "w", w.shape());
        Shape ws = w.shape();
        int c = transposed ? ws.dim(1) : ws.dim(0);
        int inner = transposed ? ws.dim(2) * ws.dim(3) : ws.dim(1) * ws.dim(2) * ws.dim(3);
        FloatPointer ga = channel(name, "gamma", gamma, c), ba = channel(name, "beta", beta, c);
        FloatPointer ma = channel(name, "runningMean", mean, c), va = channel(name, "runningVar", var, c);
        FloatPointer biasA = bias == null ? null : channel(name, "bias", bias, c);
        try (OpScope op = cuda.scope()) {
            CudaTensor w2 = op.out(ws), b2 = op.out(Shape.of(c));
            DeviceBuffer coeffs = op.scratch(8L * c);
            FloatPointer scale = floats(coeffs.address()), shift = floats(coeffs.address() + 4L * c);
            k.bnEvalCoeffs(ga, ba, ma, va, eps, c, scale, shift);
            k.scaleAlong(wa, scale, addr(w2), ws.size(), c, inner);
            // bias' = bias scale + shift; without a bias, a zero "bias" scaled is 0, so shift alone
            if (biasA != null) k.channelAffineAct(biasA, scale, shift, CudaKernels.ACT_NONE, addr(b2), c, c, 1);
            else k.channelAffineAct(shift, null, null, CudaKernels.ACT_NONE, addr(b2), c, c, 1);
            return op.done(new FoldedConv(w2, b2));
        }
    }

    // ---- optimisers ----

    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, AdamConfig cfg) {
        String name = "adamStep";
        FloatPointer pa = addr(name, "param", param), ga = addr(name, "grad", grad), ma = addr(name, "m", m), va = addr(name, "v", v);
        Checks.sameShape(name, param, grad);
        Checks.sameShape(name, param, m);
        Checks.sameShape(name, param, v);
        if (step < 1) throw new IllegalArgumentException(name + ": step counts from 1, got " + step);
        if (cfg == null) throw new IllegalArgumentException(name + ": config is null");
        float bc1 = (float) (1 - Math.pow(cfg.beta1(), step)), bc2 = (float) (1 - Math.pow(cfg.beta2(), step));
        k.adam(pa, ga, ma, va, param.size(), cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.clamp(), bc1, bc2);
    }

    void adamPerSampleStep(Tensor z, Tensor grad, Tensor m, Tensor v, Tensor steps, Tensor active, AdamConfig cfg) {
        String name = "adamPerSampleStep";
        FloatPointer za = addr(name, "z", z), ga = addr(name, "grad", grad), ma = addr(name, "m", m), va = addr(name, "v", v);
        Checks.sameShape(name, z, grad);
        Checks.sameShape(name, z, m);
        Checks.sameShape(name, z, v);
        int rows = z.shape().n();
        FloatPointer sa = rows(name, "steps", steps, rows);
        FloatPointer aa = active == null ? null : rows(name, "active", active, rows);
        if (cfg == null) throw new IllegalArgumentException(name + ": config is null");
        k.adamPerSample(za, ga, ma, va, sa, aa, rows, z.shape().perSample(), cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.clamp());
    }

    void keepBest(Tensor loss, Tensor bestLoss, Tensor z, Tensor bestZ) {
        String name = "keepBest";
        FloatPointer za = addr(name, "z", z), ba = addr(name, "bestZ", bestZ);
        Checks.sameShape(name, z, bestZ);
        int rows = z.shape().n();
        FloatPointer la = rows(name, "loss", loss, rows), bla = rows(name, "bestLoss", bestLoss, rows);
        k.keepBest(la, bla, za, ba, rows, z.shape().perSample());
    }

    // ---- fused steps of the latent search (argument checks as the compositions they replace) ----

    LossAndGrad residualTanhBackward(Tensor gz, Tensor x, Tensor dgz, float weight) {
        String name = "residualTanhBackward";
        FloatPointer ga = addr(name, "gz", gz), xa = addr(name, "x", x), da = addr(name, "dgz", dgz);
        Checks.sameShape(name, gz, x);
        Checks.sameShape(name, gz, dgz);
        Shape s = gz.shape();
        try (OpScope op = cuda.scope()) {
            CudaTensor loss = op.out(Shape.of(s.n())), dpre = op.out(s);
            k.residualTanhBackward(ga, xa, da, weight, addr(loss), addr(dpre), s.n(), s.perSample());
            return op.done(new LossAndGrad(loss, dpre));
        }
    }

    LossAndGrad featureLeakyBackward(Tensor fg, Tensor fx, float weight) {
        String name = "featureLeakyBackward";
        FloatPointer fa = addr(name, "fg", fg), xa = addr(name, "fx", fx);
        Checks.sameShape(name, fg, fx);
        Shape s = fg.shape();
        try (OpScope op = cuda.scope()) {
            CudaTensor loss = op.out(Shape.of(s.n())), dpre = op.out(s);
            k.featureLeakyBackward(fa, xa, weight, addr(loss), addr(dpre), s.n(), s.perSample());
            return op.done(new LossAndGrad(loss, dpre));
        }
    }

    Tensor searchUpdate(Tensor lossA, Tensor lossB, Tensor bestLoss, Tensor z, Tensor bestZ, Tensor grad, Tensor m, Tensor v,
                        Tensor steps, Tensor active, AdamConfig cfg) {
        String name = "searchUpdate";
        FloatPointer za = addr(name, "z", z), bza = addr(name, "bestZ", bestZ), ga = addr(name, "grad", grad);
        FloatPointer ma = addr(name, "m", m), va = addr(name, "v", v);
        for (Tensor t : new Tensor[] {bestZ, grad, m, v}) Checks.sameShape(name, z, t);
        int n = z.shape().n();
        FloatPointer la = rows(name, "lossA", lossA, n), lb = rows(name, "lossB", lossB, n), bla = rows(name, "bestLoss", bestLoss, n);
        FloatPointer sa = rows(name, "steps", steps, n), aa = active == null ? null : rows(name, "active", active, n);
        if (cfg == null) throw new IllegalArgumentException(name + ": config is null");
        try (OpScope op = cuda.scope()) {
            CudaTensor loss = op.out(Shape.of(n));
            k.searchUpdate(la, lb, addr(loss), bla, za, bza, ga, ma, va, sa, aa, n, z.shape().perSample(), cfg.lr(), cfg.beta1(),
                    cfg.beta2(), cfg.eps(), cfg.clamp());
            return op.done(loss);
        }
    }

    // ---- helpers ----

    private FloatPointer addr(String op, String name, Tensor t) {
        return floats(cuda.buffer(op, name, t).address());
    }

    private static FloatPointer addr(CudaTensor t) {
        return t == null ? null : floats(t.buffer().address());
    }

    private FloatPointer channel(String op, String name, Tensor t, int channels) {
        FloatPointer a = addr(op, name, t);
        Checks.channels(op, name, t, channels);
        return a;
    }

    private FloatPointer rows(String op, String name, Tensor t, int rows) {
        FloatPointer a = addr(op, name, t);
        if (t.size() != rows) {
            throw new IllegalArgumentException(op + ": " + name + " must have " + rows + " elements (one per row), got " + t.shape());
        }
        return a;
    }
}
