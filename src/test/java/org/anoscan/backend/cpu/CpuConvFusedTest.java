package org.anoscan.backend.cpu;

import static org.anoscan.backend.cpu.ConvCase.assertNear;
import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.anoscan.backend.Activation;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.RefOps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused convolution passes of the search (bias + activation in the output pass, the activation's
 * backward in backward-data's input pass): bit for bit the composition of the separate ops, and
 * against double-precision references (the naive loops, and for backward-data the adjoint identity
 * {@code <dx, v> = <dy * a'(y), conv(v)>}).
 */
class CpuConvFusedTest {
    private static final double TOL = 1e-5;

    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void randomCasesAgreeWithTheSeparateOps(boolean transposed) {
        Random rnd = new Random(transposed ? 23 : 29);
        for (ConvBatching batching : ConvBatching.values()) {
            for (int threads = 1; threads <= 3; threads++) {
                try (CpuBackend cpu = new CpuBackend(threads, batching)) {
                    for (int i = 0; i < 24; i++) check(cpu, ConvCase.random(transposed, rnd), rnd);
                }
            }
        }
    }

    @ParameterizedTest(name = "transposed={0}")
    @ValueSource(booleans = {false, true})
    void dcganShapedCasesAgreeWithTheSeparateOps(boolean transposed) {
        Random rnd = new Random(31);
        for (ConvBatching batching : ConvBatching.values()) {
            for (int threads = 1; threads <= 2; threads++) {
                try (CpuBackend cpu = new CpuBackend(threads, batching)) {
                    // k4 s2 p1, the dense kind (kernel = whole image), 1x1 (identity columns), several tiles per worker
                    check(cpu, new ConvCase(transposed, 5, 6, 7, transposed ? 8 : 16, transposed ? 8 : 16, 4, 4, 2, 1), rnd);
                    check(cpu, new ConvCase(transposed, 4, 9, 5, transposed ? 1 : 4, transposed ? 1 : 4, 4, 4, 1, 0), rnd);
                    check(cpu, new ConvCase(transposed, 3, 4, 3, 5, 5, 1, 1, 1, 0), rnd);
                    check(cpu, transposed ? new ConvCase(true, 7, 8, 8, 32, 32, 3, 3, 2, 1) : new ConvCase(false, 7, 8, 8, 32, 32, 3, 3, 1, 1), rnd);
                }
            }
        }
    }

    @Test
    void backwardDataRejectsAMissingActivationAndAWrongOutputShape() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            ConvCase c = new ConvCase(false, 2, 3, 4, 8, 8, 4, 4, 2, 1);
            try (Tensor dy = cpu.zeros(c.yShape()); Tensor w = cpu.zeros(c.wShape()); Tensor small = cpu.zeros(Shape.of(2, 4, 3, 3))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> cpu.convActivationBackwardData(false, dy, dy, null, w, c.xShape(), c.spec()));
                assertEquals("conv2dActivationBackwardData: activation is null", e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> cpu.convActivationBackwardData(false, dy, small, Activation.RELU, w, c.xShape(), c.spec()));
                assertEquals(true, e.getMessage().startsWith("conv2dActivationBackwardData: y must be [2, 4, 4, 4]"), e.getMessage());
            }
        }
    }

    private static void check(CpuBackend cpu, ConvCase c, Random rnd) {
        Activation a = Activation.values()[rnd.nextInt(Activation.values().length)];
        boolean withBias = rnd.nextBoolean();
        String what = c + " " + a + (withBias ? " with bias" : "") + ", " + cpu.threads() + " threads, " + cpu.batching();
        float[] x = randomFloats(c.xShape().size(), rnd, 1), w = randomFloats(c.wShape().size(), rnd, 1);
        float[] b = withBias ? randomFloats(c.cout(), rnd, 1) : null;
        float[] dy = randomFloats(c.yShape().size(), rnd, 1), v = randomFloats(c.xShape().size(), rnd, 1);
        try (Tensor xt = cpu.fromHost(x, c.xShape()); Tensor wt = cpu.fromHost(w, c.wShape());
             Tensor bt = b == null ? null : cpu.fromHost(b, Shape.of(c.cout()));
             Tensor dyt = cpu.fromHost(dy, c.yShape());
             Tensor fused = cpu.convBiasActivation(c.transposed(), xt, wt, bt, a, c.spec());
             Tensor separate = c.forward(cpu, xt, wt, null)) {
            cpu.biasActivation(separate, bt, a);
            float[] y = fused.toHost();
            assertArrayEquals(separate.toHost(), y, what + ": forward");
            double[] pre = c.refForward(toDouble(x), toDouble(w), b == null ? null : toDouble(b));
            assertNear(what + ": forward against the naive loop", RefOps.activation(a, pre), y, TOL);

            try (Tensor dx = cpu.convActivationBackwardData(c.transposed(), dyt, fused, a, wt, c.xShape(), c.spec());
                 Tensor g = cpu.activationBackward(a, fused, fused, dyt);
                 Tensor dxSeparate = c.backwardData(cpu, g, wt)) {
                float[] got = dx.toHost();
                assertArrayEquals(dxSeparate.toHost(), got, what + ": backward-data");
                double[] conv = c.refForward(toDouble(v), toDouble(w), null);
                ConvCase.assertAdjoint(what + ": backward-data", got, v, dy, a, y, conv, TOL);
            }
        }
    }
}
