package org.anoscan.backend.cpu;

import static org.anoscan.testutil.GradCheck.assertGradClose;
import static org.anoscan.testutil.GradCheck.coords;
import static org.anoscan.testutil.GradCheck.dot;
import static org.anoscan.testutil.GradCheck.numericGrad;
import static org.anoscan.testutil.GradCheck.pick;
import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.anoscan.backend.Activation;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.RefOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backward passes against central differences of the double-precision references in {@link RefOps}:
 * L = sum(r * y) with a fixed random r, the backend's float backward seeded with dy = r. Gradients are
 * kept of order 1 so that the GradCheck error, |analytic - numeric| / max(1, |numeric|), is effectively
 * relative.
 */
class CpuOpsGradTest {
    /** Central-difference step on a double reference: truncation error ~h^2, far under the tolerances. */
    private static final double H = 1e-4;
    /**
     * Float backward vs double numeric gradient: the worst error seen is ~1.3e-7 (tanh, whose derivative
     * is read from the float y); a wrong formula is off by ~1e-1.
     */
    private static final double TOL = 1e-5;
    private static final int MAX_COORDS = 80;

    private CpuBackend cpu;
    private Random rnd;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend(2);
        rnd = new Random(20261130);
    }

    @AfterEach
    void tearDown() {
        cpu.close();
    }

    private void check(String what, double[] at, ToDoubleFunction<double[]> loss, float[] analytic, double tol) {
        int[] cs = coords(at.length, MAX_COORDS, rnd);
        double[] numeric = numericGrad(loss, at.clone(), cs, H);
        assertGradClose(what, numeric, pick(analytic, cs), tol);
    }

    /** Random values of scale 1 with |v| >= margin (away from kinks at 0). */
    private float[] awayFromZero(int n, double margin) {
        float[] f = randomFloats(n, rnd, 1.0);
        for (int i = 0; i < n; i++) {
            if (Math.abs(f[i]) < margin) f[i] = (float) (f[i] >= 0 ? margin + f[i] : -margin + f[i]);
        }
        return f;
    }

    @Test
    void batchNormTrainGradients() {
        int n = 3, c = 4, h = 3, w = 2, hw = h * w;
        Shape s = Shape.of(n, c, h, w);
        float[] xv = randomFloats(s.size(), rnd, 2.0);
        for (int i = 0; i < xv.length; i++) xv[i] += 1.5f; // a non-zero mean exercises the centring
        float[] gv = randomFloats(c, rnd, 1.0), bv = randomFloats(c, rnd, 1.0), rv = randomFloats(s.size(), rnd, 1.0);
        float eps = 1e-5f;
        double[] x = toDouble(xv), g = toDouble(gv), b = toDouble(bv), r = toDouble(rv);
        try (Tensor xt = cpu.fromHost(xv, s); Tensor gt = cpu.fromHost(gv, Shape.of(c)); Tensor bt = cpu.fromHost(bv, Shape.of(c));
             Tensor rm = cpu.zeros(Shape.of(c)); Tensor rvar = cpu.zeros(Shape.of(c)); Tensor dy = cpu.fromHost(rv, s);
             BatchNormState st = cpu.batchNormTrain(xt, gt, bt, rm, rvar, 0.1f, eps);
             BatchNormGrads grads = cpu.batchNormBackward(dy, xt, gt, st.saveMean(), st.saveInvStd(), true);
             BatchNormGrads dxOnly = cpu.batchNormBackward(dy, xt, gt, st.saveMean(), st.saveInvStd(), false)) {
            check("batchNorm dx", x, xs -> dot(r, RefOps.batchNormTrain(xs, n, c, hw, g, b, eps)), grads.dx().toHost(), TOL);
            check("batchNorm dgamma", g, gs -> dot(r, RefOps.batchNormTrain(x, n, c, hw, gs, b, eps)), grads.dgamma().toHost(), TOL);
            check("batchNorm dbeta", b, bs -> dot(r, RefOps.batchNormTrain(x, n, c, hw, g, bs, eps)), grads.dbeta().toHost(), TOL);
            // Skipping the weight gradients changes nothing in dx.
            assertNull(dxOnly.dgamma());
            assertNull(dxOnly.dbeta());
            assertArrayEquals(grads.dx().toHost(), dxOnly.dx().toHost());
        }
    }

    @Test
    void batchNormEvalGradient() {
        int n = 2, c = 3, h = 2, w = 3, hw = h * w;
        Shape s = Shape.of(n, c, h, w);
        float[] xv = randomFloats(s.size(), rnd, 1.0), gv = randomFloats(c, rnd, 1.0), bv = randomFloats(c, rnd, 1.0);
        float[] mv = randomFloats(c, rnd, 0.5), vv = new float[c], rv = randomFloats(s.size(), rnd, 1.0);
        for (int i = 0; i < c; i++) vv[i] = 0.5f + rnd.nextFloat();
        float eps = 1e-3f;
        double[] x = toDouble(xv), g = toDouble(gv), b = toDouble(bv), mean = toDouble(mv), var = toDouble(vv), r = toDouble(rv);
        try (Tensor gt = cpu.fromHost(gv, Shape.of(c)); Tensor vt = cpu.fromHost(vv, Shape.of(c)); Tensor dy = cpu.fromHost(rv, s);
             Tensor dx = cpu.batchNormEvalBackward(dy, gt, vt, eps)) {
            check("batchNormEval dx", x, xs -> dot(r, RefOps.batchNormEval(xs, n, c, hw, g, b, mean, var, eps)), dx.toHost(), TOL);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationGradient(Activation a) {
        Shape s = Shape.of(2, 3, 4, 5);
        float[] xv = awayFromZero(s.size(), 0.05), rv = randomFloats(s.size(), rnd, 1.0);
        double[] x = toDouble(xv), r = toDouble(rv);
        boolean readsX = a == Activation.RELU || a == Activation.LEAKY_RELU;
        try (Tensor xt = cpu.fromHost(xv, s); Tensor y = cpu.activation(a, xt); Tensor dy = cpu.fromHost(rv, s);
             // Pass only the tensor the op is documented to read: the other may be null.
             Tensor dx = cpu.activationBackward(a, readsX ? xt : null, readsX ? null : y, dy)) {
            check(a + " dx", x, xs -> dot(r, RefOps.activation(a, xs)), dx.toHost(), TOL);
        }
    }

    @Test
    void biasBackwardGradient() {
        int n = 3, c = 5, h = 2, w = 2, hw = h * w;
        Shape s = Shape.of(n, c, h, w);
        double[] x = toDouble(randomFloats(s.size(), rnd, 1.0));
        float[] rv = randomFloats(s.size(), rnd, 1.0);
        double[] r = toDouble(rv), bias = toDouble(randomFloats(c, rnd, 1.0));
        try (Tensor dy = cpu.fromHost(rv, s); Tensor db = cpu.biasBackward(dy)) {
            check("biasBackward", bias, bs -> dot(r, RefOps.addBias(x, n, c, hw, bs)), db.toHost(), TOL);
        }
    }

    @Test
    void l1LossGradient() {
        Shape s = Shape.of(4, 1, 3, 3);
        float[] tv = randomFloats(s.size(), rnd, 1.0), d = awayFromZero(s.size(), 0.05), pv = new float[s.size()];
        for (int i = 0; i < pv.length; i++) pv[i] = tv[i] + d[i]; // pred - target stays away from the kink
        float weight = 0.9f;
        double[] p = toDouble(pv), t = toDouble(tv);
        try (Tensor pt = cpu.fromHost(pv, s); Tensor tt = cpu.fromHost(tv, s); LossAndGrad lg = cpu.l1LossWithGrad(pt, tt, weight)) {
            // grad[n] is d loss[n] / d pred over sample n, so it is the gradient of the sum of the losses.
            check("l1LossWithGrad", p, ps -> sum(RefOps.l1PerSample(ps, t, 4, weight)), lg.grad().toHost(), TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, 1f, 0.9f})
    void bceWithLogitsGradient(float target) {
        Shape s = Shape.of(6, 1, 2, 3);
        float[] xv = randomFloats(s.size(), rnd, 3.0);
        double[] x = toDouble(xv);
        int count = s.size();
        try (Tensor xt = cpu.fromHost(xv, s); LossAndGrad lg = cpu.bceWithLogits(xt, target)) {
            float[] g = lg.grad().toHost();
            // The mean makes each gradient ~1/count: compare count * gradient to keep the check relative.
            for (int i = 0; i < g.length; i++) g[i] *= count;
            check("bceWithLogits target " + target, x, xs -> count * RefOps.bceWithLogits(xs, target), g, TOL);
        }
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s;
    }
}
