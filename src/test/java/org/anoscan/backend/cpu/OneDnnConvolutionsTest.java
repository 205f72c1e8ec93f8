package org.anoscan.backend.cpu;

import static org.anoscan.backend.cpu.ConvCase.assertNear;
import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.anoscan.backend.Activation;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.RefOps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The oneDNN convolutions ({@link ConvLibrary#ONEDNN}: every exact layer) against the double-precision naive
 * loops: forward with bias and each activation as a post-op, backward-data alone and with the activation's
 * derivative (adjoint identity), on DCGAN-shaped layers; the same call twice gives the same bits; the
 * per-layer rule sends thin and 1x1 layers to the GEMM path.
 */
class OneDnnConvolutionsTest {
    private static final double TOL = 1e-5;

    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void dcganLayersAgreeWithTheNaiveLoops(boolean transposed) {
        Random rnd = new Random(transposed ? 41 : 43);
        try (CpuBackend cpu = new CpuBackend(2, ConvBatching.WIDE, ConvLibrary.ONEDNN)) {
            check(cpu, new ConvCase(transposed, 5, 32, 48, transposed ? 4 : 8, transposed ? 4 : 8, 4, 4, 2, 1), rnd);
            check(cpu, new ConvCase(transposed, 3, 40, 33, 8, 8, 3, 3, 1, 1), rnd);
            check(cpu, new ConvCase(transposed, 4, 3, 64, transposed ? 8 : 16, transposed ? 8 : 16, 4, 4, 2, 1), rnd); // thin side
            check(cpu, new ConvCase(transposed, 2, 36, 32, transposed ? 1 : 4, transposed ? 1 : 4, 4, 4, 1, 0), rnd); // dense
        }
    }

    @Test
    void theSameCallTwiceGivesTheSameBits() {
        Random rnd = new Random(5);
        ConvCase c = new ConvCase(false, 16, 64, 128, 16, 16, 4, 4, 2, 1);
        try (CpuBackend cpu = new CpuBackend(2, ConvBatching.WIDE, ConvLibrary.PER_LAYER);
             Tensor x = cpu.fromHost(randomFloats(c.xShape().size(), rnd, 1), c.xShape());
             Tensor w = cpu.fromHost(randomFloats(c.wShape().size(), rnd, 0.1), c.wShape());
             Tensor y1 = cpu.convBiasActivation(false, x, w, null, Activation.LEAKY_RELU, c.spec());
             Tensor y2 = cpu.convBiasActivation(false, x, w, null, Activation.LEAKY_RELU, c.spec());
             Tensor d1 = cpu.conv2dBackwardData(y1, w, c.xShape(), c.spec());
             Tensor d2 = cpu.conv2dBackwardData(y1, w, c.xShape(), c.spec())) {
            assertArrayEquals(y1.toHost(), y2.toHost());
            assertArrayEquals(d1.toHost(), d2.toHost());
        }
    }

    /**
     * The blocked weights are cached by address and checked against the weight's bytes: a weight written in place
     * between calls (as training does) is reordered again, in both directions, and the result equals a fresh
     * backend's (no cache) bit for bit; an unchanged weight gives the same bits as its first call.
     */
    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void aWeightWrittenBetweenCallsIsReorderedAgain(boolean transposed) {
        Random rnd = new Random(transposed ? 17 : 19);
        ConvCase c = new ConvCase(transposed, 4, 64, 128, transposed ? 4 : 8, transposed ? 4 : 8, 4, 4, 2, 1);
        float[] x = randomFloats(c.xShape().size(), rnd, 1), dy = randomFloats(c.yShape().size(), rnd, 1);
        float[] w1 = randomFloats(c.wShape().size(), rnd, 0.2), w2 = w1.clone();
        w2[w2.length / 2] += 0.5f; // one weight changed: the first bytes still match
        try (CpuBackend cpu = new CpuBackend(2, ConvBatching.WIDE, ConvLibrary.ONEDNN);
             Tensor xt = cpu.fromHost(x, c.xShape()); Tensor dyt = cpu.fromHost(dy, c.yShape());
             Tensor wt = cpu.fromHost(w1, c.wShape()); Tensor w2t = cpu.fromHost(w2, c.wShape())) {
            float[][] first = forwardAndBackward(cpu, c, xt, dyt, wt);
            float[][] again = forwardAndBackward(cpu, c, xt, dyt, wt);
            cpu.copyInto(w2t, wt);
            float[][] written = forwardAndBackward(cpu, c, xt, dyt, wt);
            float[][] fresh;
            try (CpuBackend other = new CpuBackend(2, ConvBatching.WIDE, ConvLibrary.ONEDNN);
                 Tensor x2 = other.fromHost(x, c.xShape()); Tensor dy2 = other.fromHost(dy, c.yShape());
                 Tensor w2o = other.fromHost(w2, c.wShape())) {
                fresh = forwardAndBackward(other, c, x2, dy2, w2o);
            }
            for (int i = 0; i < 2; i++) {
                String op = i == 0 ? "forward" : "backward-data";
                assertArrayEquals(first[i], again[i], op + ": unchanged weight, second call");
                assertArrayEquals(fresh[i], written[i], op + ": weight written in place");
                assertTrue(!java.util.Arrays.equals(first[i], written[i]), op + ": the written weight changes the result");
            }
        }
    }

    /**
     * Outputs that oneDNN leaves in NHWC order for the next oneDNN layer (the search's forward and backward chains)
     * give the same bits as the same chain with every output converted to NCHW before its next use: wide layers
     * passing NHWC on, a GEMM layer (1 channel) reading one, the derivative pass with dy in NCHW and y in NHWC and
     * with both in NHWC, and the elements read back in NCHW order.
     */
    @ParameterizedTest(name = "library={0}")
    @ValueSource(strings = {"PER_LAYER", "ONEDNN"})
    void activationsLeftInNhwcBetweenLayersGiveTheSameBits(String library) {
        Random rnd = new Random(23);
        int n = 2;
        Shape[] xs = {Shape.of(n, 128, 4, 4), Shape.of(n, 64, 8, 8), Shape.of(n, 64, 16, 16), Shape.of(n, 1, 32, 32)};
        Activation[] acts = {Activation.RELU, Activation.LEAKY_RELU, Activation.TANH};
        float[][] ws = new float[3][], bs = new float[3][];
        for (int i = 0; i < 3; i++) {
            ws[i] = randomFloats(xs[i].c() * xs[i + 1].c() * 16, rnd, 0.1);
            bs[i] = randomFloats(xs[i + 1].c(), rnd, 0.5);
        }
        float[] x = randomFloats(xs[0].size(), rnd, 1), dy = randomFloats(xs[3].size(), rnd, 1), dyMid = randomFloats(xs[2].size(), rnd, 1);
        try (CpuBackend cpu = new CpuBackend(2, ConvBatching.WIDE, ConvLibrary.valueOf(library))) {
            float[][] kept = chain(cpu, xs, ws, bs, acts, x, dy, dyMid, false);
            float[][] plain = chain(cpu, xs, ws, bs, acts, x, dy, dyMid, true);
            int leftNhwc = 0;
            for (int i = 0; i < kept.length; i++) {
                int last = kept[i].length - 1;
                assertArrayEquals(java.util.Arrays.copyOf(plain[i], last), java.util.Arrays.copyOf(kept[i], last), "output " + i);
                assertEquals(0f, plain[i][last], "output " + i + " read back before");
                leftNhwc += (int) kept[i][last];
            }
            assertTrue(leftNhwc >= 1, "some outputs were left in NHWC order");
        }
    }

    /**
     * Forward through three transposed layers, backward through them (from dy), and the middle layer's backward
     * from a plain dyMid; forcePlain reads every output back (NCHW) before its next use. The last float of each
     * returned row is 1 when the tensor lay in NHWC order before it was read.
     */
    private static float[][] chain(CpuBackend cpu, Shape[] xs, float[][] ws, float[][] bs, Activation[] acts, float[] x, float[] dy,
                                   float[] dyMid, boolean forcePlain) {
        org.anoscan.backend.ConvSpec s2 = new org.anoscan.backend.ConvSpec(2, 1);
        java.util.List<Tensor> owned = new java.util.ArrayList<>();
        java.util.List<float[]> out = new java.util.ArrayList<>();
        try {
            Tensor[] w = new Tensor[3], b = new Tensor[3], y = new Tensor[4];
            for (int i = 0; i < 3; i++) {
                owned.add(w[i] = cpu.fromHost(ws[i], Shape.of(xs[i].c(), xs[i + 1].c(), 4, 4)));
                owned.add(b[i] = cpu.fromHost(bs[i], Shape.of(xs[i + 1].c())));
            }
            owned.add(y[0] = cpu.fromHost(x, xs[0]));
            for (int i = 0; i < 3; i++) {
                owned.add(y[i + 1] = cpu.convBiasActivation(true, y[i], w[i], b[i], acts[i], s2));
                if (forcePlain) y[i + 1].toHost();
            }
            Tensor g;
            owned.add(g = cpu.fromHost(dy, xs[3]));
            for (int i = 2; i >= 0; i--) {
                owned.add(g = cpu.convActivationBackwardData(true, g, y[i + 1], acts[i], w[i], xs[i], s2));
                if (forcePlain) g.toHost();
                out.add(read(g));
            }
            for (int i = 1; i <= 3; i++) out.add(read(y[i]));
            Tensor gMid;
            owned.add(gMid = cpu.fromHost(dyMid, xs[2]));
            Tensor dMid;
            owned.add(dMid = cpu.convActivationBackwardData(true, gMid, y[2], acts[1], w[1], xs[1], s2));
            if (forcePlain) dMid.toHost();
            out.add(read(dMid));
            return out.toArray(new float[0][]);
        } finally {
            for (Tensor t : owned) t.close();
        }
    }

    private static float[] read(Tensor t) {
        boolean nhwc = ((CpuTensor) t).channelsLast() != null;
        float[] v = t.toHost(), row = java.util.Arrays.copyOf(v, v.length + 1);
        assertTrue(((CpuTensor) t).channelsLast() == null, "read back in NCHW order");
        row[v.length] = nhwc ? 1 : 0;
        return row;
    }

    @Test
    void theWeightCacheReordersOnlyChangedBytesAndEvictsTheOldest() {
        assertEquals(null, OneDnnLibrary.unavailableReason());
        try (OneDnnWeightCache cache = new OneDnnWeightCache();
             org.bytedeco.dnnl.memory.desc layout = new org.bytedeco.dnnl.memory.desc(new long[] {8, 8, 4, 4},
                     org.bytedeco.dnnl.memory.data_type.f32, org.bytedeco.dnnl.memory.format_tag.Acdb8a);
             org.bytedeco.javacpp.FloatPointer w = new org.bytedeco.javacpp.FloatPointer(randomFloats(1024, new Random(3), 1))) {
            OneDnnWeightCache.Entry e = cache.lookup(w, false, 1024, layout, 1024);
            assertTrue(!e.current(), "a new weight needs its reorder");
            e.markCurrent();
            assertTrue(cache.lookup(w, false, 1024, layout, 1024).current(), "unchanged bytes: reused");
            assertTrue(!cache.lookup(w, true, 1024, layout, 1024).current(), "the other direction is another entry");
            w.put(1023, w.get(1023) + 1f);
            OneDnnWeightCache.Entry changed = cache.lookup(w, false, 1024, layout, 1024);
            assertTrue(changed == e && !e.current(), "a changed last float: reordered again");
            e.markCurrent();
            org.bytedeco.javacpp.FloatPointer[] others = new org.bytedeco.javacpp.FloatPointer[OneDnnWeightCache.MAX_ENTRIES];
            try {
                for (int i = 0; i < others.length; i++) {
                    others[i] = new org.bytedeco.javacpp.FloatPointer(1024);
                    cache.lookup(others[i], false, 1024, layout, 1024).markCurrent();
                }
                assertEquals(OneDnnWeightCache.MAX_ENTRIES, cache.size());
                assertTrue(cache.lookup(others[others.length - 1], false, 1024, layout, 1024).current(), "the newest is kept");
                assertTrue(!cache.lookup(w, false, 1024, layout, 1024).current(), "the oldest was evicted");
            } finally {
                for (org.bytedeco.javacpp.FloatPointer p : others) if (p != null) p.close();
            }
        }
    }

    private static float[][] forwardAndBackward(CpuBackend cpu, ConvCase c, Tensor x, Tensor dy, Tensor w) {
        try (Tensor y = cpu.convBiasActivation(c.transposed(), x, w, null, Activation.LEAKY_RELU, c.spec());
             Tensor dx = c.backwardData(cpu, dy, w)) {
            return new float[][] {y.toHost(), dx.toHost()};
        }
    }

    @Test
    void thePerLayerRuleKeepsThinAndOneByOneLayersOnTheGemmPath() {
        OneDnnConvolutions.Key wide = new OneDnnConvolutions.Key(true, 64, 256, 4, 4, 128, 8, 8, 4, 2, 1, true, Activation.RELU);
        assertTrue(OneDnnConvolutions.suits(wide));
        assertTrue(!OneDnnConvolutions.suits(new OneDnnConvolutions.Key(true, 64, 64, 16, 16, 1, 32, 32, 4, 2, 1, false, Activation.TANH)));
        assertTrue(!OneDnnConvolutions.suits(new OneDnnConvolutions.Key(false, 64, 1, 32, 32, 64, 16, 16, 4, 2, 1, false, null)));
        assertTrue(!OneDnnConvolutions.suits(new OneDnnConvolutions.Key(true, 64, 100, 1, 1, 256, 4, 4, 4, 1, 0, true, Activation.RELU)));
        assertTrue(!OneDnnConvolutions.suits(new OneDnnConvolutions.Key(false, 64, 32, 8, 8, 64, 4, 4, 4, 2, 1, false, null))); // widths 16
    }

    @Test
    void thePerSampleReferenceRefusesOneDnn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CpuBackend(1, ConvBatching.PER_SAMPLE, ConvLibrary.ONEDNN));
        assertEquals("cpu: the per-sample mode runs GEMMs only, not ONEDNN", e.getMessage());
    }

    private static void check(CpuBackend cpu, ConvCase c, Random rnd) {
        for (Activation a : Activation.values()) {
            boolean withBias = a.ordinal() % 2 == 0;
            String what = c + " " + a + (withBias ? " with bias" : "");
            float[] x = randomFloats(c.xShape().size(), rnd, 1), w = randomFloats(c.wShape().size(), rnd, 0.2);
            float[] b = withBias ? randomFloats(c.cout(), rnd, 1) : null;
            float[] dy = randomFloats(c.yShape().size(), rnd, 1), v = randomFloats(c.xShape().size(), rnd, 1);
            try (Tensor xt = cpu.fromHost(x, c.xShape()); Tensor wt = cpu.fromHost(w, c.wShape());
                 Tensor bt = b == null ? null : cpu.fromHost(b, Shape.of(c.cout()));
                 Tensor dyt = cpu.fromHost(dy, c.yShape());
                 Tensor fused = cpu.convBiasActivation(c.transposed(), xt, wt, bt, a, c.spec());
                 Tensor plain = c.forward(cpu, xt, wt, bt);
                 Tensor dxPlain = c.backwardData(cpu, dyt, wt);
                 Tensor dx = cpu.convActivationBackwardData(c.transposed(), dyt, fused, a, wt, c.xShape(), c.spec())) {
                double[] pre = c.refForward(toDouble(x), toDouble(w), b == null ? null : toDouble(b));
                float[] y = fused.toHost();
                assertNear(what + ": forward", RefOps.activation(a, pre), y, TOL);
                assertNear(what + ": forward without activation", pre, plain.toHost(), TOL);
                double[] conv = c.refForward(toDouble(v), toDouble(w), null);
                ConvCase.assertAdjoint(what + ": backward-data", dxPlain.toHost(), v, dy, null, y, conv, TOL);
                ConvCase.assertAdjoint(what + ": backward-data through the activation", dx.toHost(), v, dy, a, y, conv, TOL);
            }
        }
    }
}
