package org.anoscan.backend.cpu;

import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.anoscan.testutil.RefOps.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.anoscan.backend.Activation;
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

/** Forward values against the double-precision references in {@link RefOps} and hand formulas. */
class CpuOpsForwardTest {
    /** Float outputs of double-accumulated ops: a few float roundings (~6e-8 each) of O(1) values. */
    private static final double RTOL = 1e-6, ATOL = 1e-6;

    private CpuBackend cpu;
    private Random rnd;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend(2);
        rnd = new Random(7);
    }

    @AfterEach
    void tearDown() {
        cpu.close();
    }

    @Test
    void batchNormTrainOutputStatisticsAndRunningUpdate() {
        int n = 4, c = 3, h = 5, w = 3, hw = h * w, count = n * hw;
        Shape s = Shape.of(n, c, h, w);
        float[] xv = randomFloats(s.size(), rnd, 2.0);
        for (int i = 0; i < xv.length; i++) xv[i] += 10f; // |mean| >> std: a one-pass variance would lose digits
        float[] gv = randomFloats(c, rnd, 1.0), bv = randomFloats(c, rnd, 1.0);
        float[] rm0 = randomFloats(c, rnd, 1.0), rv0 = new float[c];
        for (int i = 0; i < c; i++) rv0[i] = 0.5f + rnd.nextFloat();
        float momentum = 0.1f, eps = 1e-5f;
        double[] x = toDouble(xv);
        double[] mean = RefOps.channelMean(x, n, c, hw), var = RefOps.channelVar(x, n, c, hw);
        try (Tensor xt = cpu.fromHost(xv, s); Tensor gt = cpu.fromHost(gv, Shape.of(c)); Tensor bt = cpu.fromHost(bv, Shape.of(c));
             Tensor rm = cpu.fromHost(rm0, Shape.of(c)); Tensor rvar = cpu.fromHost(rv0, Shape.of(c));
             BatchNormState st = cpu.batchNormTrain(xt, gt, bt, rm, rvar, momentum, eps)) {
            assertClose("bn y", RefOps.batchNormTrain(x, n, c, hw, toDouble(gv), toDouble(bv), eps), st.y().toHost(), 1e-5, 1e-5);
            assertClose("bn saveMean", mean, st.saveMean().toHost(), RTOL, 0);
            double[] invStd = new double[c], expMean = new double[c], expVar = new double[c];
            for (int i = 0; i < c; i++) {
                invStd[i] = 1 / Math.sqrt(var[i] + eps);
                // PyTorch: r = (1 - m) r + m * batch, with the unbiased variance for the running one.
                expMean[i] = (1 - momentum) * rm0[i] + momentum * mean[i];
                expVar[i] = (1 - momentum) * rv0[i] + momentum * var[i] * count / (count - 1);
            }
            assertClose("bn saveInvStd", invStd, st.saveInvStd().toHost(), 1e-5, 0);
            assertClose("bn runningMean", expMean, rm.toHost(), RTOL, 0);
            assertClose("bn runningVar", expVar, rvar.toHost(), 1e-5, 0);
        }
    }

    @Test
    void batchNormEvalUsesRunningStatistics() {
        int n = 2, c = 4, h = 3, w = 3, hw = h * w;
        Shape s = Shape.of(n, c, h, w);
        float[] xv = randomFloats(s.size(), rnd, 1.0), gv = randomFloats(c, rnd, 1.0), bv = randomFloats(c, rnd, 1.0);
        float[] mv = randomFloats(c, rnd, 1.0), vv = new float[c];
        for (int i = 0; i < c; i++) vv[i] = 0.2f + 2 * rnd.nextFloat();
        float eps = 1e-5f;
        try (Tensor xt = cpu.fromHost(xv, s); Tensor gt = cpu.fromHost(gv, Shape.of(c)); Tensor bt = cpu.fromHost(bv, Shape.of(c));
             Tensor mt = cpu.fromHost(mv, Shape.of(c)); Tensor vt = cpu.fromHost(vv, Shape.of(c));
             Tensor y = cpu.batchNormEval(xt, gt, bt, mt, vt, eps)) {
            double[] ref = RefOps.batchNormEval(toDouble(xv), n, c, hw, toDouble(gv), toDouble(bv), toDouble(mv), toDouble(vv), eps);
            assertClose("bnEval y", ref, y.toHost(), RTOL, ATOL);
            // Eval mode leaves the running statistics alone.
            assertArrayEquals(mv, mt.toHost());
            assertArrayEquals(vv, vt.toHost());
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationValues(Activation a) {
        Shape s = Shape.of(3, 2, 4, 4);
        float[] xv = randomFloats(s.size(), rnd, 3.0);
        xv[0] = 0f;
        xv[1] = 40f;  // saturated tanh / sigmoid
        xv[2] = -40f; // sigmoid of a large negative value must not overflow to NaN
        try (Tensor xt = cpu.fromHost(xv, s); Tensor y = cpu.activation(a, xt)) {
            double[] ref = new double[xv.length];
            for (int i = 0; i < xv.length; i++) ref[i] = RefOps.activation(a, xv[i]);
            assertClose(a.toString(), ref, y.toHost(), RTOL, 1e-7);
        }
    }

    @Test
    void addAxpyAbsDiff() {
        Shape s = Shape.of(2, 3, 5, 7);
        float[] av = randomFloats(s.size(), rnd, 1.0), bv = randomFloats(s.size(), rnd, 1.0);
        float alpha = -0.37f;
        try (Tensor a = cpu.fromHost(av, s); Tensor b = cpu.fromHost(bv, s); Tensor sum = cpu.add(a, b); Tensor diff = cpu.absDiff(a, b)) {
            float[] expSum = new float[av.length], expDiff = new float[av.length];
            double[] expAxpy = new double[av.length];
            for (int i = 0; i < av.length; i++) {
                // One correctly rounded float operation each: the results must be exact.
                expSum[i] = av[i] + bv[i];
                expDiff[i] = Math.abs(av[i] - bv[i]);
                expAxpy[i] = bv[i] + (double) alpha * av[i];
            }
            assertArrayEquals(expSum, sum.toHost());
            assertArrayEquals(expDiff, diff.toHost());
            cpu.axpy(alpha, a, b);
            assertClose("axpy", expAxpy, b.toHost(), RTOL, 1e-7);
            assertArrayEquals(av, a.toHost()); // x is not touched
        }
    }

    @Test
    void l1Losses() {
        int n = 5;
        Shape s = Shape.of(n, 2, 3, 3);
        float[] pv = randomFloats(s.size(), rnd, 1.0), tv = randomFloats(s.size(), rnd, 1.0);
        tv[3] = pv[3]; // an exact match: zero gradient
        float weight = 0.9f;
        try (Tensor p = cpu.fromHost(pv, s); Tensor t = cpu.fromHost(tv, s); Tensor l1 = cpu.l1PerSample(p, t);
             LossAndGrad lg = cpu.l1LossWithGrad(p, t, weight)) {
            assertEquals(Shape.of(n), l1.shape());
            assertClose("l1PerSample", RefOps.l1PerSample(toDouble(pv), toDouble(tv), n, 1), l1.toHost(), RTOL, 0);
            assertEquals(Shape.of(n), lg.loss().shape());
            assertClose("l1LossWithGrad loss", RefOps.l1PerSample(toDouble(pv), toDouble(tv), n, weight), lg.loss().toHost(), RTOL, 0);
            float[] g = lg.grad().toHost();
            for (int i = 0; i < g.length; i++) {
                assertEquals(weight * Math.signum(pv[i] - tv[i]), g[i], "grad element " + i);
            }
            assertEquals(0f, g[3]);
        }
    }

    @Test
    void bceWithLogitsValue() {
        Shape s = Shape.of(4, 1, 4, 4);
        float[] xv = randomFloats(s.size(), rnd, 3.0);
        for (float target : new float[] {0f, 1f, 0.9f}) {
            try (Tensor x = cpu.fromHost(xv, s); LossAndGrad lg = cpu.bceWithLogits(x, target)) {
                assertEquals(Shape.of(1), lg.loss().shape());
                assertClose("bce target " + target, new double[] {RefOps.bceWithLogits(toDouble(xv), target)}, lg.loss().toHost(), RTOL, 0);
            }
        }
    }

    @Test
    void bceWithLogitsIsStableForLargeLogits() {
        float[] xv = {100f, -100f, 1000f, -1000f};
        try (Tensor x = cpu.fromHost(xv, Shape.of(4)); LossAndGrad lg = cpu.bceWithLogits(x, 1f)) {
            // target 1: the loss per element is log(1 + e^-x), ~0 for x >> 0 and ~-x for x << 0.
            double expected = (Math.log1p(Math.exp(-100)) + 100 + Math.log1p(Math.exp(-1000)) + 1000) / 4;
            assertClose("bce large logits", new double[] {expected}, lg.loss().toHost(), RTOL, 0);
            // grad = (sigmoid(x) - 1) / 4: 0 for the large positive logits, -1/4 for the large negative ones.
            assertClose("bce large logits grad", new double[] {0, -0.25, 0, -0.25}, lg.grad().toHost(), 0, 1e-7);
        }
    }

    /** A sample's per-sample results must not depend on the other samples of the batch. */
    @Test
    void perSampleLossesDoNotDependOnTheBatch() {
        int n = 6, per = 3 * 8 * 8;
        Shape s = Shape.of(n, 3, 8, 8);
        float[] pv = randomFloats(s.size(), rnd, 1.0), tv = randomFloats(s.size(), rnd, 1.0);
        try (Tensor p = cpu.fromHost(pv, s); Tensor t = cpu.fromHost(tv, s); Tensor l1 = cpu.l1PerSample(p, t);
             LossAndGrad lg = cpu.l1LossWithGrad(p, t, 0.3f)) {
            float[] batchL1 = l1.toHost(), batchLoss = lg.loss().toHost(), batchGrad = lg.grad().toHost();
            for (int i = 0; i < n; i++) {
                Shape one = s.withN(1);
                float[] pi = Arrays.copyOfRange(pv, i * per, (i + 1) * per), ti = Arrays.copyOfRange(tv, i * per, (i + 1) * per);
                try (Tensor p1 = cpu.fromHost(pi, one); Tensor t1 = cpu.fromHost(ti, one); Tensor l1one = cpu.l1PerSample(p1, t1);
                     LossAndGrad lgOne = cpu.l1LossWithGrad(p1, t1, 0.3f)) {
                    // assertEquals on floats compares Float.floatToIntBits: bit-identical or fail.
                    assertEquals(batchL1[i], l1one.toHost()[0], "l1PerSample of sample " + i);
                    assertEquals(batchLoss[i], lgOne.loss().toHost()[0], "l1 loss of sample " + i);
                    float[] gradRows = Arrays.copyOfRange(batchGrad, i * per, (i + 1) * per);
                    assertArrayEquals(gradRows, lgOne.grad().toHost(), "l1 grad of sample " + i);
                }
            }
        }
    }

    /** Large tensors are split over threads: the result must equal the single-threaded one exactly. */
    @Test
    void threadCountDoesNotChangeResults() {
        Shape s = Shape.of(8, 16, 24, 24); // several GRAIN-sized chunks and channels worth parallelising
        float[] xv = randomFloats(s.size(), rnd, 1.0), gv = randomFloats(16, rnd, 1.0), bv = randomFloats(16, rnd, 1.0);
        assertTrue(s.size() > 2 * CpuLoops.GRAIN);
        float[][] multi = bigWorkload(cpu, xv, gv, bv, s);
        try (CpuBackend single = new CpuBackend(1)) {
            float[][] one = bigWorkload(single, xv, gv, bv, s);
            for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], multi[k], "output " + k);
        }
    }

    private static float[][] bigWorkload(CpuBackend b, float[] xv, float[] gv, float[] bv, Shape s) {
        Shape c = Shape.of(s.c());
        try (Tensor x = b.fromHost(xv, s); Tensor g = b.fromHost(gv, c); Tensor be = b.fromHost(bv, c); Tensor rm = b.zeros(c);
             Tensor rv = b.zeros(c); BatchNormState st = b.batchNormTrain(x, g, be, rm, rv, 0.1f, 1e-5f);
             Tensor act = b.activation(Activation.TANH, st.y()); LossAndGrad bce = b.bceWithLogits(act, 0.9f);
             Tensor bias = b.biasBackward(act)) {
            return new float[][] {st.y().toHost(), rv.toHost(), act.toHost(), bce.loss().toHost(), bce.grad().toHost(), bias.toHost()};
        }
    }
}
