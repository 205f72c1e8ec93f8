package org.anoscan.backend.cpu;

import static org.anoscan.testutil.GradCheck.assertGradClose;
import static org.anoscan.testutil.GradCheck.coords;
import static org.anoscan.testutil.GradCheck.dot;
import static org.anoscan.testutil.GradCheck.numericGrad;
import static org.anoscan.testutil.GradCheck.pick;
import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.anoscan.testutil.GradCheck.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backward-data and backward-filter of conv2d and conv-transpose2d against central finite
 * differences of the double-precision naive forward: L = sum(r * y) with a fixed random r, so
 * dL/dy = r is what the backend's backward ops get.
 */
class CpuConvGradientTest {
    /** |analytic - numeric| <= 1e-4 * max(1, |numeric|): L is linear, so the differences are exact to double rounding. */
    private static final double TOL = 1e-4;
    private static final double H = 1e-2;
    private static final int COORDS = 24;

    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void backwardMatchesFiniteDifferences(boolean transposed) {
        Random rnd = new Random(transposed ? 23 : 19);
        for (int t = 0; t < 4; t++) { // 1 and 2 threads, in both batching modes
            try (CpuBackend cpu = new CpuBackend(1 + t % 2, ConvBatching.values()[t / 2])) {
                for (int i = 0; i < 25; i++) checkGradients(cpu, ConvCase.random(transposed, rnd), rnd);
                checkGradients(cpu, new ConvCase(transposed, 4, 5, 3, transposed ? 4 : 8, transposed ? 4 : 8, 4, 4, 2, 1), rnd);
                checkGradients(cpu, new ConvCase(transposed, 3, 4, 5, transposed ? 1 : 4, transposed ? 1 : 4, 4, 4, 1, 0), rnd); // dense
                checkGradients(cpu, new ConvCase(transposed, 3, 2, 3, 5, 5, 1, 1, 1, 0), rnd); // 1x1 kernel
            }
        }
    }

    private static void checkGradients(CpuBackend cpu, ConvCase c, Random rnd) {
        float[] x = randomFloats(c.xShape().size(), rnd, 1), w = randomFloats(c.wShape().size(), rnd, 1);
        double[] r = toDouble(randomFloats(c.yShape().size(), rnd, 1));
        double[] xd = toDouble(x), wd = toDouble(w);
        try (Tensor xt = cpu.fromHost(x, c.xShape()); Tensor wt = cpu.fromHost(w, c.wShape());
             Tensor dy = cpu.fromHost(toFloat(r), c.yShape());
             Tensor dx = c.backwardData(cpu, dy, wt); Tensor dw = c.backwardFilter(cpu, dy, xt)) {
            assertEquals(c.xShape(), dx.shape(), c + ": dx shape");
            assertEquals(c.wShape(), dw.shape(), c + ": dw shape");

            int[] xi = coords(x.length, COORDS, rnd);
            double[] numX = numericGrad(v -> dot(r, c.refForward(v, wd, null)), xd, xi, H);
            assertGradClose(c + " backward-data, " + cpu.threads() + " threads, " + cpu.batching(), numX, pick(dx.toHost(), xi), TOL);

            int[] wi = coords(w.length, COORDS, rnd);
            double[] numW = numericGrad(v -> dot(r, c.refForward(xd, v, null)), wd, wi, H);
            assertGradClose(c + " backward-filter, " + cpu.threads() + " threads, " + cpu.batching(), numW, pick(dw.toHost(), wi), TOL);
        }
    }

    /**
     * Large samples (several batch tiles per worker): finite differences would cost a full forward per
     * coordinate, so this checks the identities that define the gradients of a linear map instead,
     * <dx, v> = <dy, y(v, w)> and <dw, v> = <dy, y(x, v)>, for random v, against the naive forward.
     */
    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void backwardOfLargeTiledSamplesSatisfiesTheGradientIdentities(boolean transposed) {
        Random rnd = new Random(29);
        ConvCase c = transposed ? new ConvCase(true, 7, 8, 8, 32, 32, 3, 3, 2, 1) : new ConvCase(false, 7, 8, 8, 32, 32, 3, 3, 1, 1);
        float[] x = randomFloats(c.xShape().size(), rnd, 1), w = randomFloats(c.wShape().size(), rnd, 1);
        float[] dyv = randomFloats(c.yShape().size(), rnd, 1);
        double[] vx = toDouble(randomFloats(x.length, rnd, 1)), vw = toDouble(randomFloats(w.length, rnd, 1));
        double[] r = toDouble(dyv);
        try (CpuBackend cpu = new CpuBackend(2); Tensor xt = cpu.fromHost(x, c.xShape()); Tensor wt = cpu.fromHost(w, c.wShape());
             Tensor dy = cpu.fromHost(dyv, c.yShape());
             Tensor dx = c.backwardData(cpu, dy, wt); Tensor dw = c.backwardFilter(cpu, dy, xt)) {
            double[] dxv = toDouble(dx.toHost()), dwv = toDouble(dw.toHost());
            assertInnerProduct(c + ": <dx, v> vs <dy, y(v, w)>", dot(r, c.refForward(vx, toDouble(w), null)), dxv, vx);
            assertInnerProduct(c + ": <dw, v> vs <dy, y(x, v)>", dot(r, c.refForward(toDouble(x), vw, null)), dwv, vw);
        }
    }

    /** want == <a, v> within 1e-5 of |a| |v| (the size of the terms, not of their cancelling sum). */
    static void assertInnerProduct(String what, double want, double[] a, double[] v) {
        assertEquals(want, dot(a, v), 1e-5 * Math.sqrt(dot(a, a) * dot(v, v)), what);
    }

    /** The weight gradient sums per-worker partials in a fixed order: the same inputs give the same bits. */
    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void weightGradientIsDeterministic(boolean transposed) {
        Random rnd = new Random(31);
        ConvCase c = new ConvCase(transposed, 9, 6, 5, 8, 8, 4, 4, 2, 1);
        try (CpuBackend cpu = new CpuBackend(2);
             Tensor xt = cpu.fromHost(randomFloats(c.xShape().size(), rnd, 1), c.xShape());
             Tensor dy = cpu.fromHost(randomFloats(c.yShape().size(), rnd, 1), c.yShape())) {
            float[] first;
            try (Tensor dw = c.backwardFilter(cpu, dy, xt)) {
                first = dw.toHost();
            }
            for (int i = 0; i < 5; i++) {
                try (Tensor dw = c.backwardFilter(cpu, dy, xt)) {
                    assertArrayEquals(first, dw.toHost(), c + ": run " + i);
                }
            }
        }
    }
}
