package org.anoscan.backend.cuda;

import static org.anoscan.backend.cuda.CudaTestDevice.relativeError;
import static org.anoscan.backend.cuda.CudaTestDevice.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fused search kernels (cuda-kernels/search.cu, search_update_f32 in optim.cu) against the CPU
 * backend's compositions of the ops they replace, at DCGAN-64 sizes (gz [B, 1, 64, 64], f's last feature
 * map [B, 512, 4, 4], z [B, 100]). Tolerance 1e-6 on ||gpu - cpu|| / ||cpu|| for the losses and gradients:
 * the same fp32 operations in the same order per element (nvcc may contract a multiply-add into an FMA, a
 * last-bit difference) and per-sample sums in double on both sides. Adam's z, m, v: 1e-4 (the CPU updates in
 * double, the kernel in float), as CudaParityTest.
 */
@Tag("gpu")
class CudaFusedKernelsTest {
    static final double EXACT = 1e-6;
    static final double ADAM = 1e-4;

    private static CudaBackend gpu;
    private static CpuBackend cpu;
    private final Random rnd = new Random(System.nanoTime());
    private final long seed = rnd.nextLong();
    private final List<Tensor> open = new ArrayList<>();

    @BeforeAll
    static void openBackends() {
        if (new CudaBackendProvider().deviceCount() > 0) {
            gpu = CudaTestDevice.open();
            cpu = new CpuBackend();
        }
    }

    @BeforeEach
    void needsDevice() {
        if (gpu == null) CudaTestDevice.open(); // skips with the reason
        rnd.setSeed(seed);
    }

    @AfterEach
    void closeTensors() {
        for (Tensor t : open) t.close();
        open.clear();
    }

    @AfterAll
    static void closeBackends() {
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
    }

    private record Pair(Tensor g, Tensor c) {}

    private Pair pair(float[] data, Shape s) {
        Pair p = new Pair(gpu.fromHost(data, s), cpu.fromHost(data, s));
        open.add(p.g());
        open.add(p.c());
        return p;
    }

    private void check(String what, Tensor g, Tensor c, double tol) {
        double err = relativeError(gpu.toHost(g), cpu.toHost(c));
        assertTrue(err <= tol, what + ": relative error " + err + " > " + tol + " (seed " + seed + ")");
    }

    @Test
    void residualTanhBackwardMatchesTheComposition() {
        Shape s = Shape.of(256, 1, 64, 64);
        float[] x = uniform(s.size(), rnd, -1f, 1f), gz = uniform(s.size(), rnd, -0.999f, 0.999f);
        for (int i = 0; i < s.size(); i += 97) gz[i] = x[i]; // ties
        Pair pg = pair(gz, s), px = pair(x, s), pd = pair(uniform(s.size(), rnd, -0.01f, 0.01f), s);
        try (LossAndGrad g = gpu.residualTanhBackward(pg.g(), px.g(), pd.g(), 0.9f);
             LossAndGrad c = cpu.residualTanhBackward(pg.c(), px.c(), pd.c(), 0.9f)) {
            check("residual loss", g.loss(), c.loss(), EXACT);
            check("gradient at tanh's input", g.grad(), c.grad(), EXACT);
        }
    }

    @Test
    void featureLeakyBackwardMatchesTheComposition() {
        Shape s = Shape.of(256, 512, 4, 4);
        float[] fg = uniform(s.size(), rnd, -1f, 3f), fx = uniform(s.size(), rnd, -1f, 3f);
        for (int i = 0; i < s.size(); i += 89) fx[i] = fg[i];
        for (int i = 5; i < s.size(); i += 101) fg[i] = 0f;
        Pair pf = pair(fg, s), px = pair(fx, s);
        try (LossAndGrad g = gpu.featureLeakyBackward(pf.g(), px.g(), 0.1f);
             LossAndGrad c = cpu.featureLeakyBackward(pf.c(), px.c(), 0.1f)) {
            check("feature loss", g.loss(), c.loss(), EXACT);
            check("gradient at the LeakyReLU's input", g.grad(), c.grad(), EXACT);
        }
    }

    @Test
    void searchUpdateMatchesAddKeepBestAndAdamOverSeveralIterations() {
        int rows = 1000, dim = 100;
        Shape zs = Shape.of(rows, dim), rs = Shape.of(rows);
        float[] active = new float[rows], steps = new float[rows];
        for (int r = 0; r < rows; r++) {
            active[r] = r % 5 == 0 ? 0f : 1f;
            steps[r] = r % 7;
        }
        Pair z = pair(uniform(zs.size(), rnd, -1f, 1f), zs), bestZ = pair(new float[zs.size()], zs);
        Pair m = pair(new float[zs.size()], zs), v = pair(new float[zs.size()], zs);
        float[] inf = new float[rows];
        Arrays.fill(inf, Float.POSITIVE_INFINITY);
        Pair best = pair(inf, rs), st = pair(steps, rs), ac = pair(active, rs);
        AdamConfig cfg = new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 1f);
        for (int it = 0; it < 5; it++) {
            float[] a = uniform(rows, rnd, 0f, 10f);
            if (it == 2) a[3] = Float.NaN; // never becomes the best
            Pair la = pair(a, rs), lb = pair(uniform(rows, rnd, 0f, 1f), rs), g = pair(uniform(zs.size(), rnd, -1f, 1f), zs);
            Tensor lg = gpu.searchUpdate(la.g(), lb.g(), best.g(), z.g(), bestZ.g(), g.g(), m.g(), v.g(), st.g(), it % 2 == 0 ? null : ac.g(), cfg);
            Tensor lc = cpu.searchUpdate(la.c(), lb.c(), best.c(), z.c(), bestZ.c(), g.c(), m.c(), v.c(), st.c(), it % 2 == 0 ? null : ac.c(), cfg);
            open.add(lg);
            open.add(lc);
            assertArrayEquals(cpu.toHost(lc), gpu.toHost(lg), "loss = lossA + lossB, iteration " + it);
        }
        assertArrayEquals(cpu.toHost(st.c()), gpu.toHost(st.g()), "per-row step counts");
        assertArrayEquals(cpu.toHost(best.c()), gpu.toHost(best.g()), "best loss (sums of the same inputs)");
        check("best z", bestZ.g(), bestZ.c(), ADAM);
        check("z", z.g(), z.c(), ADAM);
        check("m", m.g(), m.c(), ADAM);
        check("v", v.g(), v.c(), ADAM);
    }
}
