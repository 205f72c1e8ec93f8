package org.anoscan.backend.cpu;

import static org.anoscan.testutil.GradCheck.assertGradClose;
import static org.anoscan.testutil.GradCheck.coords;
import static org.anoscan.testutil.GradCheck.numericGrad;
import static org.anoscan.testutil.GradCheck.pick;
import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * l2LossWithGrad against a double-precision reference: the per-sample loss, and its gradient against central
 * differences of L = sum_n r_n loss_n (the op's gradient is of the plain sum, so r weighs it per sample here).
 */
class CpuSquaredErrorTest {
    private static final double H = 1e-4;
    /** Float vs double: a right formula stays under 1e-6; a wrong one (a missing factor 2) is off by ~1. */
    private static final double TOL = 1e-5;
    private CpuBackend cpu;
    private final Random rnd = new Random(15);

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend(2);
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    private static double reference(double[] p, double[] t, int n, double weight, double[] r) {
        int per = p.length / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = i * per; j < (i + 1) * per; j++) s += (p[j] - t[j]) * (p[j] - t[j]);
            total += r[i] * weight * s;
        }
        return total;
    }

    @Test
    void lossAndGradientMatchADoubleReference() {
        for (Shape s : new Shape[] {Shape.of(3, 2, 5, 5), Shape.of(4, 7), Shape.of(1, 1, 1, 1)}) {
            float weight = 0.37f;
            float[] pf = randomFloats(s.size(), rnd, 1.0), tf = randomFloats(s.size(), rnd, 1.0);
            double[] p = toDouble(pf), t = toDouble(tf);
            int n = s.n();
            double[] ones = new double[n];
            java.util.Arrays.fill(ones, 1.0);
            try (Tensor pt = cpu.fromHost(pf, s); Tensor tt = cpu.fromHost(tf, s); LossAndGrad l = cpu.l2LossWithGrad(pt, tt, weight)) {
                float[] loss = l.loss().toHost();
                for (int i = 0; i < n; i++) {
                    double[] onlyI = new double[n];
                    onlyI[i] = 1;
                    double expected = reference(p, t, n, weight, onlyI);
                    assertEquals(expected, loss[i], 1e-5 * Math.max(1, expected), "loss of sample " + i + " of " + s);
                }
                int[] cs = coords(p.length, 60, rnd);
                double[] numeric = numericGrad(v -> reference(v, t, n, weight, ones), p, cs, H);
                assertGradClose("l2LossWithGrad " + s, numeric, pick(l.grad().toHost(), cs), TOL);
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheOpName() {
        try (Tensor a = cpu.zeros(Shape.of(2, 3)); Tensor b = cpu.zeros(Shape.of(2, 4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.l2LossWithGrad(a, b, 1f));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("l2LossWithGrad"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cpu.l2LossWithGrad(a, a, Float.NaN));
        }
    }
}
