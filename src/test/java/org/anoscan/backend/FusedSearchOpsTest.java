package org.anoscan.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fused search steps of {@link Backend} as the CPU backend runs them (the default compositions, the
 * reference the CUDA kernels are held to) against naive loops in double that follow their documented
 * formulas. Ties (gz == x, fg == fx) and non-positive feature values are placed on purpose: they are where a
 * sign or a LeakyReLU slope goes wrong.
 */
class FusedSearchOpsTest {
    private static CpuBackend cpu;
    private final Random rnd = new Random(11);

    @BeforeAll
    static void open() {
        cpu = new CpuBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    private float[] uniform(int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rnd.nextFloat();
        return a;
    }

    private static float sign(float d) {
        return d > 0 ? 1f : d < 0 ? -1f : 0f;
    }

    private static void near(double expected, float actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.max(1e-6, Math.abs(expected)), what);
    }

    @Test
    void residualTanhBackwardIsTheResidualGradientPlusDgzThroughTanh() {
        Shape s = Shape.of(5, 1, 8, 8);
        int per = s.perSample();
        float w = 0.9f;
        float[] gz = uniform(s.size(), -0.99f, 0.99f), x = uniform(s.size(), -1f, 1f), dgz = uniform(s.size(), -0.3f, 0.3f);
        for (int i = 0; i < s.size(); i += 7) x[i] = gz[i]; // ties: sign 0
        try (Tensor tg = cpu.fromHost(gz, s); Tensor tx = cpu.fromHost(x, s); Tensor td = cpu.fromHost(dgz, s);
             LossAndGrad r = cpu.residualTanhBackward(tg, tx, td, w)) {
            float[] loss = r.loss().toHost(), dpre = r.grad().toHost();
            assertEquals(Shape.of(5), r.loss().shape());
            assertEquals(s, r.grad().shape());
            for (int n = 0; n < s.n(); n++) {
                double sum = 0;
                for (int j = n * per; j < (n + 1) * per; j++) {
                    sum += Math.abs((double) gz[j] - x[j]);
                    double expected = (dgz[j] + (double) w * sign(gz[j] - x[j])) * (1 - (double) gz[j] * gz[j]);
                    near(expected, dpre[j], 1e-6, "dpre[" + j + "]");
                }
                near(w * sum, loss[n], 1e-6, "loss[" + n + "]");
            }
        }
    }

    @Test
    void featureLeakyBackwardIsTheFeatureGradientThroughLeakyRelu() {
        Shape s = Shape.of(4, 16, 2, 2);
        int per = s.perSample();
        float w = 0.1f;
        float[] fg = uniform(s.size(), -1f, 1f), fx = uniform(s.size(), -1f, 1f);
        for (int i = 0; i < s.size(); i += 9) fx[i] = fg[i];
        for (int i = 3; i < s.size(); i += 11) fg[i] = 0f; // LeakyReLU's output 0: the slope side
        try (Tensor tf = cpu.fromHost(fg, s); Tensor tx = cpu.fromHost(fx, s); LossAndGrad r = cpu.featureLeakyBackward(tf, tx, w)) {
            float[] loss = r.loss().toHost(), dpre = r.grad().toHost();
            for (int n = 0; n < s.n(); n++) {
                double sum = 0;
                for (int j = n * per; j < (n + 1) * per; j++) {
                    sum += Math.abs((double) fg[j] - fx[j]);
                    double g = (double) w * sign(fg[j] - fx[j]);
                    near(fg[j] > 0 ? g : Activation.LEAKY_SLOPE * g, dpre[j], 1e-6, "dpre[" + j + "]");
                }
                near(w * sum, loss[n], 1e-6, "loss[" + n + "]");
            }
        }
    }

    @Test
    void searchUpdateAddsKeepsTheBestAndTakesEachActiveRowsAdamStep() {
        int rows = 6, dim = 5;
        Shape zs = Shape.of(rows, dim), rs = Shape.of(rows);
        AdamConfig cfg = new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 1.2f);
        float[] a = {1f, 2f, 3f, Float.NaN, 0.5f, 4f}, b = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
        float[] best = {2f, 2f, 10f, 10f, Float.POSITIVE_INFINITY, 1f};  // rows 0, 2, 4 improve; 1 ties; 3 is NaN
        float[] steps = {0f, 3f, 7f, 1f, 0f, 2f}, active = {1f, 1f, 0f, 1f, 1f, 1f};
        float[] z = uniform(zs.size(), -1.1f, 1.1f), bestZ = uniform(zs.size(), -1f, 1f), g = uniform(zs.size(), -2f, 2f);
        float[] m = uniform(zs.size(), -0.1f, 0.1f), v = uniform(zs.size(), 0f, 0.1f);
        try (Tensor ta = cpu.fromHost(a, rs); Tensor tb = cpu.fromHost(b, rs); Tensor tbest = cpu.fromHost(best, rs);
             Tensor tz = cpu.fromHost(z, zs); Tensor tbz = cpu.fromHost(bestZ, zs); Tensor tg = cpu.fromHost(g, zs);
             Tensor tm = cpu.fromHost(m, zs); Tensor tv = cpu.fromHost(v, zs); Tensor ts = cpu.fromHost(steps, rs);
             Tensor tact = cpu.fromHost(active, rs);
             Tensor loss = cpu.searchUpdate(ta, tb, tbest, tz, tbz, tg, tm, tv, ts, tact, cfg)) {
            float[] l = loss.toHost(), bl = tbest.toHost(), bz = tbz.toHost(), z2 = tz.toHost(), m2 = tm.toHost(), v2 = tv.toHost();
            float[] s2 = ts.toHost();
            for (int r = 0; r < rows; r++) {
                float expectedLoss = a[r] + b[r];
                assertEquals(expectedLoss, l[r], 0f, "loss[" + r + "]");
                boolean better = expectedLoss < best[r];
                assertEquals(better ? expectedLoss : best[r], bl[r], 0f, "bestLoss[" + r + "]");
                boolean moves = active[r] != 0f;
                assertEquals(moves ? steps[r] + 1 : steps[r], s2[r], 0f, "steps[" + r + "]");
                int t = (int) steps[r] + 1;
                double bc1 = 1 - Math.pow(cfg.beta1(), t), bc2 = 1 - Math.pow(cfg.beta2(), t);
                for (int j = r * dim; j < (r + 1) * dim; j++) {
                    assertEquals(better ? z[j] : bestZ[j], bz[j], 0f, "bestZ[" + j + "] is the z the loss was measured at");
                    if (!moves) {
                        assertArrayEquals(new float[] {z[j], m[j], v[j]}, new float[] {z2[j], m2[j], v2[j]}, "frozen row " + r);
                        continue;
                    }
                    double mj = cfg.beta1() * m[j] + (1 - cfg.beta1()) * (double) g[j];
                    double vj = cfg.beta2() * v[j] + (1 - cfg.beta2()) * (double) g[j] * g[j];
                    double zj = z[j] - cfg.lr() * (mj / bc1) / (Math.sqrt(vj / bc2) + cfg.eps());
                    zj = Math.max(-cfg.clamp(), Math.min(cfg.clamp(), zj));
                    near(mj, m2[j], 1e-6, "m[" + j + "]");
                    near(vj, v2[j], 1e-6, "v[" + j + "]");
                    near(zj, z2[j], 1e-6, "z[" + j + "]");
                }
            }
            assertTrue(Float.isNaN(l[3]), "a NaN loss is reported as NaN");
        }
    }
}
