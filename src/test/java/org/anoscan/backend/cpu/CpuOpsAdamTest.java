package org.anoscan.backend.cpu;

import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.anoscan.testutil.RefOps.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.anoscan.backend.AdamConfig;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.RefOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Adam (whole tensor and per search row), its clamp, and keepBest. */
class CpuOpsAdamTest {
    private CpuBackend cpu;
    private Random rnd;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend(2);
        rnd = new Random(42);
    }

    @AfterEach
    void tearDown() {
        cpu.close();
    }

    @Test
    void adamStepsMatchTheTextbookLoop() {
        Shape s = Shape.of(3, 7);
        AdamConfig cfg = new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 0f);
        float[] p0 = randomFloats(s.size(), rnd, 1.0);
        double[] p = toDouble(p0), m = new double[s.size()], v = new double[s.size()];
        try (Tensor pt = cpu.fromHost(p0, s); Tensor mt = cpu.zeros(s); Tensor vt = cpu.zeros(s)) {
            for (int t = 1; t <= 6; t++) {
                float[] g = randomFloats(s.size(), rnd, 1.0);
                try (Tensor gt = cpu.fromHost(g, s)) {
                    cpu.adamStep(pt, gt, mt, vt, t, cfg);
                }
                RefOps.adam(p, toDouble(g), m, v, t, cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), 0);
                // Float state vs a double loop: the updates are ~lr, their rounding ~1e-7 relative.
                assertClose("adam param at step " + t, p, pt.toHost(), 1e-6, 1e-6);
                assertClose("adam m at step " + t, m, mt.toHost(), 1e-6, 1e-7);
                assertClose("adam v at step " + t, v, vt.toHost(), 1e-6, 1e-8);
            }
        }
    }

    @Test
    void adamClampsTheResult() {
        Shape s = Shape.of(64);
        float clamp = 0.5f;
        AdamConfig cfg = new AdamConfig(0.3f, 0.9f, 0.999f, 1e-8f, clamp);
        float[] p0 = randomFloats(s.size(), rnd, 0.4), g = randomFloats(s.size(), rnd, 1.0);
        double[] p = toDouble(p0);
        RefOps.adam(p, toDouble(g), new double[s.size()], new double[s.size()], 1, cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), clamp);
        try (Tensor pt = cpu.fromHost(p0, s); Tensor gt = cpu.fromHost(g, s); Tensor mt = cpu.zeros(s); Tensor vt = cpu.zeros(s)) {
            cpu.adamStep(pt, gt, mt, vt, 1, cfg);
            float[] out = pt.toHost();
            int clamped = 0;
            for (float x : out) {
                assertTrue(Math.abs(x) <= clamp, "value " + x + " outside [-" + clamp + ", " + clamp + "]");
                if (Math.abs(x) == clamp) clamped++;
            }
            assertTrue(clamped > 0 && clamped < out.length, "the test needs clamped and free values, got " + clamped + " clamped");
            assertClose("clamped adam", p, out, 1e-6, 1e-6);
        }
    }

    /**
     * Rows with different step counts, one frozen: each active row must equal, bit for bit, a whole-tensor
     * Adam step on that row alone at its own step; the frozen row keeps z, m, v and its count.
     */
    @Test
    void perSampleStepEqualsSingleRowAdam() {
        int n = 4, d = 10;
        Shape s = Shape.of(n, d, 1, 1);
        AdamConfig cfg = new AdamConfig(0.02f, 0.5f, 0.999f, 1e-8f, 0f);
        float[] z = randomFloats(n * d, rnd, 1.0), m = randomFloats(n * d, rnd, 0.1), v = new float[n * d];
        for (int i = 0; i < v.length; i++) v[i] = 0.01f * rnd.nextFloat();
        Arrays.fill(m, 0, d, 0f); // row 0 is a fresh search: step 0, zero moments
        Arrays.fill(v, 0, d, 0f);
        float[] steps = {0, 3, 7, 20};
        float[] active = {1, 1, 0, 1};
        try (Tensor zt = cpu.fromHost(z, s); Tensor mt = cpu.fromHost(m, s); Tensor vt = cpu.fromHost(v, s);
             Tensor st = cpu.fromHost(steps, Shape.of(n)); Tensor at = cpu.fromHost(active, Shape.of(n))) {
            float[] zr = z.clone(), mr = m.clone(), vr = v.clone();
            for (int iter = 0; iter < 3; iter++) {
                float[] g = randomFloats(n * d, rnd, 1.0);
                try (Tensor gt = cpu.fromHost(g, s)) {
                    cpu.adamPerSampleStep(zt, gt, mt, vt, st, at, cfg);
                }
                for (int r = 0; r < n; r++) {
                    if (active[r] == 0) continue;
                    singleRowAdam(zr, mr, vr, g, r, d, (int) steps[r] + iter + 1, cfg);
                }
                float[] expSteps = new float[n];
                for (int r = 0; r < n; r++) expSteps[r] = steps[r] + (active[r] != 0 ? iter + 1 : 0);
                assertArrayEquals(expSteps, st.toHost(), "steps after iteration " + iter);
                assertArrayEquals(zr, zt.toHost(), "z after iteration " + iter);
                assertArrayEquals(mr, mt.toHost(), "m after iteration " + iter);
                assertArrayEquals(vr, vt.toHost(), "v after iteration " + iter);
            }
            float[] zNow = zt.toHost();
            assertArrayEquals(Arrays.copyOfRange(z, 2 * d, 3 * d), Arrays.copyOfRange(zNow, 2 * d, 3 * d), "frozen row moved");
            assertFalse(Arrays.equals(Arrays.copyOfRange(z, 0, d), Arrays.copyOfRange(zNow, 0, d)), "row 0 did not move");
        }
    }

    /** adamStep on row r alone, in a [1, d] tensor, at step t; writes the result back into the arrays. */
    private void singleRowAdam(float[] z, float[] m, float[] v, float[] g, int r, int d, int t, AdamConfig cfg) {
        Shape one = Shape.of(1, d);
        try (Tensor zt = cpu.fromHost(Arrays.copyOfRange(z, r * d, (r + 1) * d), one);
             Tensor gt = cpu.fromHost(Arrays.copyOfRange(g, r * d, (r + 1) * d), one);
             Tensor mt = cpu.fromHost(Arrays.copyOfRange(m, r * d, (r + 1) * d), one);
             Tensor vt = cpu.fromHost(Arrays.copyOfRange(v, r * d, (r + 1) * d), one)) {
            cpu.adamStep(zt, gt, mt, vt, t, cfg);
            System.arraycopy(zt.toHost(), 0, z, r * d, d);
            System.arraycopy(mt.toHost(), 0, m, r * d, d);
            System.arraycopy(vt.toHost(), 0, v, r * d, d);
        }
    }

    @Test
    void perSampleStepWithoutMaskUpdatesAllRowsAndClamps() {
        int n = 3, d = 16;
        Shape s = Shape.of(n, d);
        float clamp = 1f;
        AdamConfig cfg = new AdamConfig(0.5f, 0.9f, 0.999f, 1e-8f, clamp);
        float[] z = randomFloats(n * d, rnd, 0.8), g = randomFloats(n * d, rnd, 1.0);
        double[] ref = toDouble(z);
        RefOps.adam(ref, toDouble(g), new double[n * d], new double[n * d], 1, cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), clamp);
        try (Tensor zt = cpu.fromHost(z, s); Tensor gt = cpu.fromHost(g, s); Tensor mt = cpu.zeros(s); Tensor vt = cpu.zeros(s);
             Tensor st = cpu.zeros(Shape.of(n))) {
            cpu.adamPerSampleStep(zt, gt, mt, vt, st, null, cfg);
            assertArrayEquals(new float[] {1, 1, 1}, st.toHost());
            float[] out = zt.toHost();
            int clamped = 0;
            for (float x : out) {
                assertTrue(Math.abs(x) <= clamp, "value " + x + " outside the clamp");
                if (Math.abs(x) == clamp) clamped++;
            }
            assertTrue(clamped > 0, "the test needs clamped values");
            assertClose("per-sample adam, clamped", ref, out, 1e-6, 1e-6);
        }
    }

    @Test
    void perSampleStepRejectsBadCountsWithoutTouchingState() {
        Shape s = Shape.of(2, 4);
        AdamConfig cfg = AdamConfig.dcgan();
        float[] z = randomFloats(8, rnd, 1.0);
        try (Tensor zt = cpu.fromHost(z, s); Tensor gt = cpu.fromHost(randomFloats(8, rnd, 1.0), s); Tensor mt = cpu.zeros(s);
             Tensor vt = cpu.zeros(s); Tensor st = cpu.fromHost(new float[] {2, 1.5f}, Shape.of(2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cpu.adamPerSampleStep(zt, gt, mt, vt, st, null, cfg));
            assertTrue(e.getMessage().contains("adamPerSampleStep") && e.getMessage().contains("1.5"), e.getMessage());
            assertArrayEquals(z, zt.toHost());
            assertArrayEquals(new float[] {2, 1.5f}, st.toHost());
        }
    }

    @Test
    void keepBestCopiesOnlyStrictlyBetterRows() {
        int n = 5, d = 3;
        Shape s = Shape.of(n, d);
        float[] loss = {1f, 5f, 2f, Float.NaN, 0.5f};
        float[] best = {2f, 4f, 2f, 3f, Float.POSITIVE_INFINITY};
        float[] z = randomFloats(n * d, rnd, 1.0), bestZ = randomFloats(n * d, rnd, 1.0);
        try (Tensor lt = cpu.fromHost(loss, Shape.of(n)); Tensor bt = cpu.fromHost(best, Shape.of(n)); Tensor zt = cpu.fromHost(z, s);
             Tensor bzt = cpu.fromHost(bestZ, s)) {
            cpu.keepBest(lt, bt, zt, bzt);
            float[] gotBest = bt.toHost(), gotZ = bzt.toHost();
            for (int r = 0; r < n; r++) {
                boolean better = loss[r] < best[r]; // equal keeps the old one, NaN never wins
                assertEquals(better ? loss[r] : best[r], gotBest[r], "bestLoss[" + r + "]");
                float[] expRow = Arrays.copyOfRange(better ? z : bestZ, r * d, (r + 1) * d);
                assertArrayEquals(expRow, Arrays.copyOfRange(gotZ, r * d, (r + 1) * d), "bestZ row " + r);
            }
            assertArrayEquals(z, zt.toHost()); // z and loss are read only
            assertArrayEquals(loss, lt.toHost());
        }
    }
}
