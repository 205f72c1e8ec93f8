package org.anoscan.backend.cuda;

import static org.anoscan.backend.cuda.DevicePointers.floats;

import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Checks;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The fused steps of a latent-search iteration ({@link org.anoscan.backend.Backend#residualTanhBackward},
 * {@link org.anoscan.backend.Backend#featureLeakyBackward}, {@link org.anoscan.backend.Backend#searchUpdate})
 * as one kernel each (cuda-kernels/search.cu and optim.cu), launched through {@link NativeKernels}. Argument
 * checks are those of the compositions they replace.
 */
final class CudaSearchOps {
    private final CudaBackend cuda;

    CudaSearchOps(CudaBackend cuda) {
        this.cuda = cuda;
    }

    LossAndGrad residualTanhBackward(Tensor gz, Tensor x, Tensor dgz, float weight) {
        String op = "residualTanhBackward";
        FloatPointer g = in(op, "gz", gz), xp = in(op, "x", x), d = in(op, "dgz", dgz);
        Checks.sameShape(op, gz, x);
        Checks.sameShape(op, gz, dgz);
        Shape s = gz.shape();
        try (OpScope scope = cuda.scope()) {
            CudaTensor loss = scope.out(Shape.of(s.n())), dpre = scope.out(s);
            check(NativeKernels.launch_residual_tanh_bwd_f32(g, xp, d, weight, out(loss), out(dpre), s.n(), s.perSample(), stream()),
                    "launch_residual_tanh_bwd_f32", s);
            return scope.done(new LossAndGrad(loss, dpre));
        }
    }

    LossAndGrad featureLeakyBackward(Tensor fg, Tensor fx, float weight) {
        String op = "featureLeakyBackward";
        FloatPointer f = in(op, "fg", fg), t = in(op, "fx", fx);
        Checks.sameShape(op, fg, fx);
        Shape s = fg.shape();
        try (OpScope scope = cuda.scope()) {
            CudaTensor loss = scope.out(Shape.of(s.n())), dpre = scope.out(s);
            check(NativeKernels.launch_feature_leaky_bwd_f32(f, t, weight, Activation.LEAKY_SLOPE, out(loss), out(dpre), s.n(),
                    s.perSample(), stream()), "launch_feature_leaky_bwd_f32", s);
            return scope.done(new LossAndGrad(loss, dpre));
        }
    }

    Tensor searchUpdate(Tensor lossA, Tensor lossB, Tensor bestLoss, Tensor z, Tensor bestZ, Tensor grad, Tensor m, Tensor v,
                        Tensor steps, Tensor active, AdamConfig cfg) {
        String op = "searchUpdate";
        FloatPointer zp = in(op, "z", z), bz = in(op, "bestZ", bestZ), g = in(op, "grad", grad), mp = in(op, "m", m), vp = in(op, "v", v);
        for (Tensor t : new Tensor[] {bestZ, grad, m, v}) Checks.sameShape(op, z, t);
        int rows = z.shape().n();
        FloatPointer la = row(op, "lossA", lossA, rows), lb = row(op, "lossB", lossB, rows), best = row(op, "bestLoss", bestLoss, rows);
        FloatPointer st = row(op, "steps", steps, rows), ac = active == null ? null : row(op, "active", active, rows);
        if (cfg == null) throw new IllegalArgumentException(op + ": config is null");
        try (OpScope scope = cuda.scope()) {
            CudaTensor loss = scope.out(Shape.of(rows));
            check(NativeKernels.launch_search_update_f32(la, lb, out(loss), best, zp, bz, g, mp, vp, st, ac, rows, z.shape().perSample(),
                    cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.clamp(), stream()), "launch_search_update_f32", z.shape());
            return scope.done(loss);
        }
    }

    private FloatPointer in(String op, String name, Tensor t) {
        return floats(cuda.buffer(op, name, t).address());
    }

    private FloatPointer row(String op, String name, Tensor t, int rows) {
        FloatPointer p = in(op, name, t);
        if (t.size() != rows) throw new IllegalArgumentException(op + ": " + name + " must have " + rows + " elements (one per row), got " + t.shape());
        return p;
    }

    private static FloatPointer out(CudaTensor t) {
        return floats(t.buffer().address());
    }

    private Pointer stream() {
        return cuda.stream().handle();
    }

    private static void check(int status, String launcher, Shape shape) {
        CudaCheck.cuda(status, launcher + "(" + shape + ")");
    }
}
