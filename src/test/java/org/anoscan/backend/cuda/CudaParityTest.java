package org.anoscan.backend.cuda;

import org.anoscan.backend.FoldedConv;
import static org.anoscan.backend.cuda.CudaTestDevice.randn;
import static org.anoscan.backend.cuda.CudaTestDevice.reference;
import static org.anoscan.backend.cuda.CudaTestDevice.relativeError;
import static org.anoscan.backend.cuda.CudaTestDevice.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every op of the CUDA backend against the CPU reference on fresh random inputs. Tolerance on
 * ||gpu - cpu|| / ||cpu||: 1e-4 in fp32 (the house rule); 5e-3 for TF32 convolutions (inputs rounded to
 * a 10-bit mantissa, unit roundoff 2^-11 = 4.9e-4 per operand; measured errors on random data are
 * around 1e-3 at worst); 1e-2 for BF16 convolutions (inputs and output rounded to bf16, 8 significant bits,
 * unit roundoff 2^-9 = 2.0e-3 each; fp32 accumulation). The fused search ops: 1e-6, the same fp32 operations
 * as the compositions they replace per element (an FMA contraction may change a last bit) and per-sample sums
 * in double on both sides. Skips where no CUDA device is found, and per op where the CPU reference is still a
 * stub.
 */
@Tag("gpu")
class CudaParityTest {
    static final double FP32 = 1e-4;
    static final double TF32 = 5e-3;
    static final double BF16 = 1e-2;
    static final double FUSED = 1e-6;

    static double convTolerance(Precision p) {
        return switch (p) {
            case FP32 -> FP32;
            case TF32 -> TF32;
            case BF16 -> BF16;
        };
    }

    private static CudaBackend gpu;
    private static CpuBackend cpu;
    private final Random rnd = new Random(System.nanoTime()); // fresh inputs each run: the seed is in failure messages
    private final long seed = rnd.nextLong();
    private final List<Tensor> open = new ArrayList<>();

    @BeforeAll
    static void open() {
        // opened once for the class; each test skips on its own (visibly, with the reason) without a device
        if (new CudaBackendProvider().deviceCount() > 0) {
            gpu = CudaTestDevice.open();
            cpu = new CpuBackend(Runtime.getRuntime().availableProcessors(), org.anoscan.backend.cpu.ConvBatching.PER_SAMPLE); // the exact reference
        }
    }

    @BeforeEach
    void needsDevice() {
        if (gpu == null) CudaTestDevice.open(); // skips with the reason
    }

    @AfterAll
    static void close() {
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
    }

    @AfterEach
    void closeTensors() {
        for (Tensor t : open) t.close();
        open.clear();
        if (gpu != null) gpu.setPrecision(Precision.FP32);
    }

    /** The same values on both backends. */
    private record Pair(Tensor g, Tensor c) {}

    private Pair pair(float[] data, Shape s) {
        return new Pair(keep(gpu.fromHost(data, s)), keep(cpu.fromHost(data, s)));
    }

    private Pair randomPair(Shape s) {
        rnd.setSeed(seed ^ open.size());
        return pair(randn(s, rnd), s);
    }

    private Tensor keep(Tensor t) {
        if (t != null) open.add(t);
        return t;
    }

    private void check(String what, Tensor g, Tensor c, double tol) {
        keep(g);
        keep(c);
        assertTrue(g.shape().equals(c.shape()), what + ": shapes " + g.shape() + " vs " + c.shape());
        double err = relativeError(gpu.toHost(g), cpu.toHost(c));
        assertTrue(err < tol, what + ": relative error " + err + " >= " + tol + " (seed " + seed + ")");
    }

    // ---- convolutions ----

    /** Cases: (x shape, weight shape as conv2d [Cout,Cin,k,k], spec). */
    private static final Object[][] CONVS = {
        {Shape.of(3, 16, 16, 16), Shape.of(32, 16, 4, 4), ConvSpec.of(2, 1)},  // DCGAN block
        {Shape.of(2, 1, 64, 64), Shape.of(8, 1, 4, 4), ConvSpec.of(2, 1)},     // f's first layer, 1 channel
        {Shape.of(2, 5, 9, 7), Shape.of(6, 5, 3, 3), ConvSpec.of(1, 1)},       // odd sizes
        {Shape.of(4, 3, 11, 11), Shape.of(4, 3, 3, 3), ConvSpec.of(2, 0)},
    };

    @Test
    void conv2dForwardAndGradientsInEveryPrecision() {
        for (Precision p : Precision.values()) {
            gpu.setPrecision(p);
            double tol = convTolerance(p);
            for (Object[] c : CONVS) {
                Shape xs = (Shape) c[0], ws = (Shape) c[1];
                ConvSpec spec = (ConvSpec) c[2];
                String what = p + " conv2d x " + xs + " w " + ws + " " + spec;
                Pair x = randomPair(xs), w = randomPair(ws), b = randomPair(Shape.of(ws.dim(0)));
                Tensor yc = reference("conv2d", () -> cpu.conv2d(x.c(), w.c(), b.c(), spec));
                check(what, gpu.conv2d(x.g(), w.g(), b.g(), spec), yc, tol);
                Pair dy = randomPair(yc.shape());
                check(what + " backward-data", gpu.conv2dBackwardData(dy.g(), w.g(), xs, spec),
                        reference("conv2dBackwardData", () -> cpu.conv2dBackwardData(dy.c(), w.c(), xs, spec)), tol);
                check(what + " backward-filter", gpu.conv2dBackwardFilter(dy.g(), x.g(), ws, spec),
                        reference("conv2dBackwardFilter", () -> cpu.conv2dBackwardFilter(dy.c(), x.c(), ws, spec)), tol);
            }
        }
    }

    /** Cases: (x shape, weight shape as conv-transpose2d [Cin,Cout,k,k], spec). */
    private static final Object[][] TRANSPOSED = {
        {Shape.of(3, 20, 1, 1), Shape.of(20, 32, 4, 4), ConvSpec.of(1, 0)},    // G's first layer (z -> 4x4)
        {Shape.of(3, 32, 4, 4), Shape.of(32, 16, 4, 4), ConvSpec.of(2, 1)},    // G block
        {Shape.of(2, 8, 16, 16), Shape.of(8, 1, 4, 4), ConvSpec.of(2, 1)},     // G's last layer, 1 channel
        {Shape.of(2, 5, 7, 6), Shape.of(5, 3, 3, 3), ConvSpec.of(2, 1)},       // odd sizes
    };

    @Test
    void convTranspose2dForwardAndGradientsInEveryPrecision() {
        for (Precision p : Precision.values()) {
            gpu.setPrecision(p);
            double tol = convTolerance(p);
            for (Object[] c : TRANSPOSED) {
                Shape xs = (Shape) c[0], ws = (Shape) c[1];
                ConvSpec spec = (ConvSpec) c[2];
                String what = p + " convTranspose2d x " + xs + " w " + ws + " " + spec;
                Pair x = randomPair(xs), w = randomPair(ws), b = randomPair(Shape.of(ws.dim(1)));
                Tensor yc = reference("convTranspose2d", () -> cpu.convTranspose2d(x.c(), w.c(), b.c(), spec));
                check(what, gpu.convTranspose2d(x.g(), w.g(), b.g(), spec), yc, tol);
                Pair dy = randomPair(yc.shape());
                check(what + " backward-data", gpu.convTranspose2dBackwardData(dy.g(), w.g(), xs, spec),
                        reference("convTranspose2dBackwardData", () -> cpu.convTranspose2dBackwardData(dy.c(), w.c(), xs, spec)), tol);
                check(what + " backward-filter", gpu.convTranspose2dBackwardFilter(dy.g(), x.g(), ws, spec),
                        reference("convTranspose2dBackwardFilter", () -> cpu.convTranspose2dBackwardFilter(dy.c(), x.c(), ws, spec)), tol);
            }
        }
    }

    @Test
    void convolutionWithoutBias() {
        Pair x = randomPair(Shape.of(2, 4, 8, 8)), w = randomPair(Shape.of(6, 4, 4, 4));
        check("conv2d no bias", gpu.conv2d(x.g(), w.g(), null, ConvSpec.of(2, 1)),
                reference("conv2d", () -> cpu.conv2d(x.c(), w.c(), null, ConvSpec.of(2, 1))), FP32);
    }

    @Test
    void biasBackward() {
        for (Shape s : List.of(Shape.of(4, 8, 5, 5), Shape.of(64, 3, 16, 16), Shape.of(1, 512, 4, 4))) {
            Pair dy = randomPair(s);
            check("biasBackward " + s, gpu.biasBackward(dy.g()), reference("biasBackward", () -> cpu.biasBackward(dy.c())), FP32);
        }
    }

    // ---- batch norm ----

    private Pair positivePair(int n) {
        return pair(uniform(n, rnd, 0.5f, 2f), Shape.of(n));
    }

    @Test
    void batchNormTrainingForwardUpdatesRunningStatsAndBackward() {
        for (Shape s : List.of(Shape.of(8, 4, 6, 6), Shape.of(64, 16, 8, 8), Shape.of(2, 3, 1, 1))) {
            int c = s.c();
            rnd.setSeed(seed);
            Pair x = pair(add(randn(s, rnd), 3f), s); // an offset mean: the variance must not cancel
            Pair gamma = positivePair(c), beta = randomPair(Shape.of(c)), rm = randomPair(Shape.of(c)), rv = positivePair(c);
            BatchNormState sc = reference("batchNormTrain", () -> cpu.batchNormTrain(x.c(), gamma.c(), beta.c(), rm.c(), rv.c(), 0.1f, 1e-5f));
            BatchNormState sg = gpu.batchNormTrain(x.g(), gamma.g(), beta.g(), rm.g(), rv.g(), 0.1f, 1e-5f);
            check("batchNormTrain y " + s, sg.y(), sc.y(), FP32);
            check("batchNormTrain saveMean " + s, sg.saveMean(), sc.saveMean(), FP32);
            check("batchNormTrain saveInvStd " + s, sg.saveInvStd(), sc.saveInvStd(), FP32);
            check("batchNormTrain runningMean " + s, keep(rm.g()), rm.c(), FP32);
            check("batchNormTrain runningVar " + s, keep(rv.g()), rv.c(), FP32);
            Pair dy = randomPair(s);
            for (boolean weights : new boolean[] {true, false}) {
                BatchNormGrads gc = reference("batchNormBackward",
                        () -> cpu.batchNormBackward(dy.c(), x.c(), gamma.c(), sc.saveMean(), sc.saveInvStd(), weights));
                BatchNormGrads gg = gpu.batchNormBackward(dy.g(), x.g(), gamma.g(), sg.saveMean(), sg.saveInvStd(), weights);
                check("batchNormBackward dx " + s, gg.dx(), gc.dx(), FP32);
                if (weights) {
                    check("batchNormBackward dgamma " + s, gg.dgamma(), gc.dgamma(), FP32);
                    check("batchNormBackward dbeta " + s, gg.dbeta(), gc.dbeta(), FP32);
                } else {
                    assertNull(gg.dgamma());
                    assertNull(gg.dbeta());
                }
            }
        }
    }

    private static float[] add(float[] a, float v) {
        for (int i = 0; i < a.length; i++) a[i] += v;
        return a;
    }

    @Test
    void batchNormEvalAndItsBackward() {
        Shape s = Shape.of(5, 6, 7, 7);
        Pair x = randomPair(s), gamma = positivePair(6), beta = randomPair(Shape.of(6)), rm = randomPair(Shape.of(6)), rv = positivePair(6);
        check("batchNormEval", gpu.batchNormEval(x.g(), gamma.g(), beta.g(), rm.g(), rv.g(), 1e-5f),
                reference("batchNormEval", () -> cpu.batchNormEval(x.c(), gamma.c(), beta.c(), rm.c(), rv.c(), 1e-5f)), FP32);
        Pair dy = randomPair(s);
        check("batchNormEvalBackward", gpu.batchNormEvalBackward(dy.g(), gamma.g(), rv.g(), 1e-5f),
                reference("batchNormEvalBackward", () -> cpu.batchNormEvalBackward(dy.c(), gamma.c(), rv.c(), 1e-5f)), FP32);
    }

    // ---- element-wise ----

    @Test
    void activationsAndTheirBackward() {
        Shape s = Shape.of(3, 4, 9, 9);
        for (Activation a : Activation.values()) {
            Pair x = randomPair(s), dy = randomPair(s);
            Tensor yc = reference("activation", () -> cpu.activation(a, x.c()));
            Tensor yg = gpu.activation(a, x.g());
            check("activation " + a, yg, yc, FP32);
            check("activationBackward " + a, gpu.activationBackward(a, x.g(), yg, dy.g()),
                    reference("activationBackward", () -> cpu.activationBackward(a, x.c(), yc, dy.c())), FP32);
        }
    }

    @Test
    void addAxpyAbsDiffFillCopyZeros() {
        Shape s = Shape.of(7, 3, 5, 5);
        Pair a = randomPair(s), b = randomPair(s);
        check("add", gpu.add(a.g(), b.g()), reference("add", () -> cpu.add(a.c(), b.c())), FP32);
        check("absDiff", gpu.absDiff(a.g(), b.g()), reference("absDiff", () -> cpu.absDiff(a.c(), b.c())), FP32);
        reference("axpy", () -> {
            cpu.axpy(-0.37f, a.c(), b.c());
            return null;
        });
        gpu.axpy(-0.37f, a.g(), b.g());
        check("axpy", keep(b.g()), b.c(), FP32);
        gpu.fill(a.g(), 2.5f);
        float[] filled = gpu.toHost(a.g());
        for (float v : filled) assertTrue(v == 2.5f, "fill");
        Tensor copy = keep(gpu.zeros(s));
        for (float v : gpu.toHost(copy)) assertTrue(v == 0f, "zeros");
        gpu.copyInto(b.g(), copy);
        assertArrayEquals(gpu.toHost(b.g()), gpu.toHost(copy), "copyInto");
    }

    // ---- losses ----

    @Test
    void l1LossesPerSample() {
        for (Shape s : List.of(Shape.of(5, 1, 64, 64), Shape.of(3, 512, 4, 4), Shape.of(2, 7))) {
            Pair p = randomPair(s), t = randomPair(s);
            check("l1PerSample " + s, gpu.l1PerSample(p.g(), t.g()), reference("l1PerSample", () -> cpu.l1PerSample(p.c(), t.c())), FP32);
            LossAndGrad lc = reference("l1LossWithGrad", () -> cpu.l1LossWithGrad(p.c(), t.c(), 0.9f));
            LossAndGrad lg = gpu.l1LossWithGrad(p.g(), t.g(), 0.9f);
            check("l1LossWithGrad loss " + s, lg.loss(), lc.loss(), FP32);
            check("l1LossWithGrad grad " + s, lg.grad(), lc.grad(), FP32);
        }
    }

    @Test
    void l2LossPerSample() {
        for (Shape s : List.of(Shape.of(5, 1, 64, 64), Shape.of(3, 512, 4, 4), Shape.of(2, 7))) {
            Pair p = randomPair(s), t = randomPair(s);
            LossAndGrad lc = reference("l2LossWithGrad", () -> cpu.l2LossWithGrad(p.c(), t.c(), 0.3f));
            LossAndGrad lg = gpu.l2LossWithGrad(p.g(), t.g(), 0.3f);
            check("l2LossWithGrad loss " + s, lg.loss(), lc.loss(), FP32);
            check("l2LossWithGrad grad " + s, lg.grad(), lc.grad(), FP32);
        }
    }

    @Test
    void bceWithLogits() {
        for (float target : new float[] {1f, 0f, 0.9f}) {
            Pair x = pair(randn(5000, rnd, 3f), Shape.of(50, 1, 10, 10));
            LossAndGrad lc = reference("bceWithLogits", () -> cpu.bceWithLogits(x.c(), target));
            LossAndGrad lg = gpu.bceWithLogits(x.g(), target);
            check("bceWithLogits loss, target " + target, lg.loss(), lc.loss(), FP32);
            check("bceWithLogits grad, target " + target, lg.grad(), lc.grad(), FP32);
        }
    }

    // ---- optimisers ----

    @Test
    void adamOnParameters() {
        Shape s = Shape.of(64, 32, 4, 4);
        Pair p = randomPair(s), m = pair(new float[s.size()], s), v = pair(new float[s.size()], s);
        AdamConfig cfg = AdamConfig.dcgan();
        for (int step = 1; step <= 5; step++) {
            Pair g = randomPair(s);
            final int t = step;
            reference("adamStep", () -> {
                cpu.adamStep(p.c(), g.c(), m.c(), v.c(), t, cfg);
                return null;
            });
            gpu.adamStep(p.g(), g.g(), m.g(), v.g(), step, cfg);
        }
        check("adamStep param", keep(p.g()), p.c(), FP32);
        check("adamStep m", keep(m.g()), m.c(), FP32);
        check("adamStep v", keep(v.g()), v.c(), FP32);
    }

    @Test
    void adamPerSampleWithOwnStepCountsActiveMaskAndClamp() {
        int rows = 300, dim = 100;
        Shape s = Shape.of(rows, dim);
        Pair z = randomPair(s), m = pair(new float[s.size()], s), v = pair(new float[s.size()], s);
        float[] steps = new float[rows];
        float[] active = new float[rows];
        for (int i = 0; i < rows; i++) {
            steps[i] = i % 7;          // rows at different points of their search
            active[i] = i % 3 == 0 ? 0f : 1f;
        }
        Pair st = pair(steps, Shape.of(rows)), ac = pair(active, Shape.of(rows));
        AdamConfig cfg = new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 1.5f);
        for (int it = 0; it < 4; it++) {
            Pair g = randomPair(s);
            Tensor mask = it % 2 == 0 ? null : ac.c();
            reference("adamPerSampleStep", () -> {
                cpu.adamPerSampleStep(z.c(), g.c(), m.c(), v.c(), st.c(), mask, cfg);
                return null;
            });
            gpu.adamPerSampleStep(z.g(), g.g(), m.g(), v.g(), st.g(), mask == null ? null : ac.g(), cfg);
        }
        check("adamPerSampleStep z", keep(z.g()), z.c(), FP32);
        check("adamPerSampleStep m", keep(m.g()), m.c(), FP32);
        check("adamPerSampleStep v", keep(v.g()), v.c(), FP32);
        assertArrayEquals(cpu.toHost(st.c()), gpu.toHost(st.g()), "per-row step counts");
        for (float f : gpu.toHost(z.g())) assertTrue(Math.abs(f) <= 1.5f, "clamped");
    }

    @Test
    void keepBest() {
        int rows = 200, dim = 100;
        Pair loss = randomPair(Shape.of(rows)), best = randomPair(Shape.of(rows));
        Pair z = randomPair(Shape.of(rows, dim)), bestZ = randomPair(Shape.of(rows, dim));
        reference("keepBest", () -> {
            cpu.keepBest(loss.c(), best.c(), z.c(), bestZ.c());
            return null;
        });
        gpu.keepBest(loss.g(), best.g(), z.g(), bestZ.g());
        assertArrayEquals(cpu.toHost(best.c()), gpu.toHost(best.g()), "bestLoss");
        assertArrayEquals(cpu.toHost(bestZ.c()), gpu.toHost(bestZ.g()), "bestZ");
    }

    // ---- fused inference ops: the folded conv equals conv -> BN eval -> activation on the CPU ----

    @Test
    void foldedBatchNormPlusBiasActivationEqualsTheUnfusedChain() {
        for (boolean transposed : new boolean[] {false, true}) {
            Shape xs = transposed ? Shape.of(3, 16, 4, 4) : Shape.of(3, 8, 16, 16);
            Shape ws = Shape.of(transposed ? 16 : 12, transposed ? 12 : 8, 4, 4);
            ConvSpec spec = ConvSpec.of(2, 1);
            int c = 12;
            Pair x = randomPair(xs), w = randomPair(ws), gamma = positivePair(c), beta = randomPair(Shape.of(c));
            Pair rm = randomPair(Shape.of(c)), rv = positivePair(c);
            for (Activation a : List.of(Activation.RELU, Activation.LEAKY_RELU)) {
                Tensor yc = keep(reference("conv", () -> transposed ? cpu.convTranspose2d(x.c(), w.c(), null, spec)
                        : cpu.conv2d(x.c(), w.c(), null, spec)));
                Tensor bnc = keep(reference("batchNormEval", () -> cpu.batchNormEval(yc, gamma.c(), beta.c(), rm.c(), rv.c(), 1e-5f)));
                Tensor expected = reference("activation", () -> cpu.activation(a, bnc));
                try (FoldedConv f = gpu.foldBatchNorm(w.g(), transposed, null, gamma.g(), beta.g(), rm.g(), rv.g(), 1e-5f)) {
                    Tensor yg = transposed ? gpu.convTranspose2d(x.g(), f.weight(), null, spec) : gpu.conv2d(x.g(), f.weight(), null, spec);
                    gpu.biasActivation(yg, f.bias(), a);
                    check((transposed ? "convTranspose2d" : "conv2d") + " + folded BN + " + a, yg, expected, FP32);
                }
            }
        }
    }

    // ---- the fused search ops against the CPU's compositions, at DCGAN-64 sizes ----

    @Test
    void residualTanhBackwardMatchesTheComposition() {
        Shape s = Shape.of(256, 1, 64, 64);
        rnd.setSeed(seed);
        float[] x = uniform(s.size(), rnd, -1f, 1f), gz = uniform(s.size(), rnd, -0.999f, 0.999f);
        for (int i = 0; i < s.size(); i += 97) gz[i] = x[i]; // ties: sign 0
        Pair pg = pair(gz, s), px = pair(x, s), pd = pair(uniform(s.size(), rnd, -0.01f, 0.01f), s);
        LossAndGrad g = gpu.residualTanhBackward(pg.g(), px.g(), pd.g(), 0.9f);
        LossAndGrad c = reference("residualTanhBackward", () -> cpu.residualTanhBackward(pg.c(), px.c(), pd.c(), 0.9f));
        check("residual loss", g.loss(), c.loss(), FUSED);
        check("gradient at tanh's input", g.grad(), c.grad(), FUSED);
    }

    @Test
    void featureLeakyBackwardMatchesTheComposition() {
        Shape s = Shape.of(256, 512, 4, 4);
        rnd.setSeed(seed);
        float[] fg = uniform(s.size(), rnd, -1f, 3f), fx = uniform(s.size(), rnd, -1f, 3f);
        for (int i = 0; i < s.size(); i += 89) fx[i] = fg[i];
        for (int i = 5; i < s.size(); i += 101) fg[i] = 0f; // the slope side
        Pair pf = pair(fg, s), px = pair(fx, s);
        LossAndGrad g = gpu.featureLeakyBackward(pf.g(), px.g(), 0.1f);
        LossAndGrad c = reference("featureLeakyBackward", () -> cpu.featureLeakyBackward(pf.c(), px.c(), 0.1f));
        check("feature loss", g.loss(), c.loss(), FUSED);
        check("gradient at the LeakyReLU's input", g.grad(), c.grad(), FUSED);
    }

    @Test
    void searchUpdateMatchesAddKeepBestAndAdamOverSeveralIterations() {
        int rows = 1000, dim = 100;
        Shape zs = Shape.of(rows, dim), rs = Shape.of(rows);
        float[] active = new float[rows], steps = new float[rows], inf = new float[rows];
        for (int r = 0; r < rows; r++) {
            active[r] = r % 5 == 0 ? 0f : 1f;
            steps[r] = r % 7;
            inf[r] = Float.POSITIVE_INFINITY;
        }
        Pair z = randomPair(zs), bestZ = pair(new float[zs.size()], zs), m = pair(new float[zs.size()], zs), v = pair(new float[zs.size()], zs);
        Pair best = pair(inf, rs), st = pair(steps, rs), ac = pair(active, rs);
        AdamConfig cfg = new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 1f);
        for (int it = 0; it < 5; it++) {
            rnd.setSeed(seed + it);
            float[] a = uniform(rows, rnd, 0f, 10f);
            if (it == 2) a[3] = Float.NaN; // never becomes the best
            Pair la = pair(a, rs), lb = pair(uniform(rows, rnd, 0f, 1f), rs), g = randomPair(zs);
            Tensor mask = it % 2 == 0 ? null : ac.c();
            Tensor lc = keep(reference("searchUpdate", () -> cpu.searchUpdate(la.c(), lb.c(), best.c(), z.c(), bestZ.c(), g.c(), m.c(), v.c(),
                    st.c(), mask, cfg)));
            Tensor lg = keep(gpu.searchUpdate(la.g(), lb.g(), best.g(), z.g(), bestZ.g(), g.g(), m.g(), v.g(), st.g(), mask == null ? null : ac.g(),
                    cfg));
            assertArrayEquals(cpu.toHost(lc), gpu.toHost(lg), "loss = lossA + lossB, iteration " + it);
        }
        assertArrayEquals(cpu.toHost(st.c()), gpu.toHost(st.g()), "per-row step counts");
        assertArrayEquals(cpu.toHost(best.c()), gpu.toHost(best.g()), "best loss (sums of the same inputs)");
        check("searchUpdate best z", keep(bestZ.g()), bestZ.c(), FP32);
        check("searchUpdate z", keep(z.g()), z.c(), FP32);
        check("searchUpdate m", keep(m.g()), m.c(), FP32);
        check("searchUpdate v", keep(v.g()), v.c(), FP32);
    }
}
