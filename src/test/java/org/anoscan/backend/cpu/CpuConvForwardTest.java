package org.anoscan.backend.cpu;

import static org.anoscan.backend.cpu.ConvCase.assertNear;
import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** conv2d and conv-transpose2d forward against the naive double-precision loops of RefConv. */
class CpuConvForwardTest {
    /** fp32 GEMM sums of at most a few hundred products of N(0,1) values: errors near 1e-6 of the scale. */
    private static final double TOL = 1e-5;

    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void randomSmallCasesMatchTheNaiveLoop(boolean transposed) {
        Random rnd = new Random(transposed ? 11 : 7);
        // 1, 2 and 3 threads: a worker may get one sample (GEMM straight into the output) or several (a batch tile)
        for (ConvBatching batching : ConvBatching.values()) {
            for (int threads = 1; threads <= 3; threads++) {
                try (CpuBackend cpu = new CpuBackend(threads, batching)) {
                    for (int i = 0; i < 40; i++) checkForward(cpu, ConvCase.random(transposed, rnd), rnd.nextBoolean(), rnd);
                }
            }
        }
    }

    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void dcganShapedCasesMatchTheNaiveLoop(boolean transposed) {
        Random rnd = new Random(3);
        for (ConvBatching batching : ConvBatching.values()) {
            dcganShapedCases(transposed, new CpuBackend(2, batching), rnd);
        }
    }

    private static void dcganShapedCases(boolean transposed, CpuBackend backend, Random rnd) {
        try (CpuBackend cpu = backend) {
            // the DCGAN layer kinds, small channel counts: k4 s2 p1 (halving / doubling) and k4 s1 p0 (to / from 1x1)
            checkForward(cpu, new ConvCase(transposed, 5, 6, 7, transposed ? 8 : 16, transposed ? 8 : 16, 4, 4, 2, 1), true, rnd);
            // kernel = whole image (1x1 side): the dense path, one GEMM per worker with no copies
            checkForward(cpu, new ConvCase(transposed, 4, 9, 5, transposed ? 1 : 4, transposed ? 1 : 4, 4, 4, 1, 0), false, rnd);
            checkForward(cpu, new ConvCase(transposed, 5, 3, 6, transposed ? 1 : 3, transposed ? 1 : 3, 3, 3, 2, 0), true, rnd);
            checkForward(cpu, new ConvCase(transposed, 3, 4, 3, 5, 5, 1, 1, 1, 0), true, rnd); // 1x1: no im2col copy
        }
    }

    /**
     * Samples big enough (about 80 x 1024 floats of columns and outputs each, against a tile budget of
     * 2^18 floats) that one worker splits its 7 samples into tiles of 3, 3 and 1 (in the wide mode).
     */
    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void largeSamplesSplitIntoSeveralTiles(boolean transposed) {
        Random rnd = new Random(5);
        for (ConvBatching batching : ConvBatching.values()) {
            try (CpuBackend cpu = new CpuBackend(1, batching)) {
                ConvCase c = transposed ? new ConvCase(true, 7, 8, 8, 32, 32, 3, 3, 2, 1) : new ConvCase(false, 7, 8, 8, 32, 32, 3, 3, 1, 1);
                checkForward(cpu, c, true, rnd);
            }
        }
    }

    static void checkForward(CpuBackend cpu, ConvCase c, boolean withBias, Random rnd) {
        float[] x = randomFloats(c.xShape().size(), rnd, 1), w = randomFloats(c.wShape().size(), rnd, 1);
        float[] b = withBias ? randomFloats(c.cout(), rnd, 1) : null;
        double[] ref = c.refForward(toDouble(x), toDouble(w), b == null ? null : toDouble(b));
        try (Tensor xt = cpu.fromHost(x, c.xShape()); Tensor wt = cpu.fromHost(w, c.wShape());
             Tensor bt = b == null ? null : cpu.fromHost(b, Shape.of(c.cout()));
             Tensor y = c.forward(cpu, xt, wt, bt)) {
            assertEquals(c.yShape(), y.shape(), c + ": output shape");
            assertNear(c + (withBias ? " with bias" : "") + ", " + cpu.threads() + " threads, " + cpu.batching(), ref, y.toHost(), TOL);
        }
    }
}
