package org.anoscan.nn;

import static org.anoscan.testutil.GradCheck.assertGradClose;
import static org.anoscan.testutil.GradCheck.coords;
import static org.anoscan.testutil.GradCheck.dot;
import static org.anoscan.testutil.GradCheck.numericGrad;
import static org.anoscan.testutil.GradCheck.pick;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.bench.Flops;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.GradCheck;
import org.anoscan.testutil.RefNetwork;
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole-network gradient checks: the float backward pass of G and of D (input gradients, and weight
 * gradients of every conv and batch norm) against central finite differences of an independent
 * double-precision forward pass (naive convolutions, textbook batch norm) built from the same weights.
 * Tolerance: |analytic - numeric| <= 5e-4 * max(1, |numeric|); float rounding through a dozen layers
 * stays under 1e-4 (the checks pass at 1e-4), a wrong gradient is off by O(0.1) or more.
 */
class DcganGradientTest {
    private static final double TOL = 5e-4;
    // small enough that few ReLU kinks fall inside [x - h, x + h] (weights are ~0.02); the forward is double
    private static final double H = 1e-6;
    private CpuBackend cpu;
    private Dcgan model;
    private final Random rnd = new Random(2024);
    private boolean kinks; // skip coordinates whose one-sided differences disagree (at most 2 of each check)

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
        model = new Dcgan(cpu, new DcganSpec(32, 1, 6, 4, 4), 99L);
        TestModels.randomizeBatchNorms(model, rnd); // so that eval-mode batch norm is not an identity
    }

    @AfterEach
    void tearDown() {
        model.close();
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    @Test
    void generatorInTrainingMode() {
        check("G train", model.generator(), model.latentShape(3), true, true);
    }

    @Test
    void discriminatorInTrainingMode() {
        check("D train", model.discriminator(), model.imageShape(3), true, true);
    }

    @Test
    void searchPathInEvalMode() {
        check("G eval", model.generator(), model.latentShape(2), false, false);
        check("f eval", model.features(), model.imageShape(2), false, false);
    }

    /** The compound-scaled family's extra stride-1 3x3 blocks (conv + batch norm + activation) in every stage of G and D. */
    @Test
    void extraBlocksOfTheScaledFamily() {
        try (Dcgan deep = new Dcgan(cpu, new DcganSpec(32, 1, 6, 4, 4, 3, CompoundScaling.NONE), 98L)) {
            TestModels.randomizeBatchNorms(deep, rnd);
            kinks = true; // deeper: more LeakyReLU crossings inside ±h (see GradCheck.numericGradSkippingKinks)
            check("G+blocks train", deep.generator(), deep.latentShape(3), true, true);
            check("D+blocks train", deep.discriminator(), deep.imageShape(3), true, true);
            check("G+blocks eval", deep.generator(), deep.latentShape(2), false, false);
            check("f+blocks eval", deep.features(), deep.imageShape(2), false, false);
        }
    }

    @Test
    void buildersGiveTheDcganShapesFor32And64PixelsAndOneOrThreeChannels() {
        for (int size : new int[] {32, 64}) {
            for (int c : new int[] {1, 3}) {
                try (Dcgan m = new Dcgan(cpu, new DcganSpec(size, c, 7, 4, 4), 1L)) {
                    assertEquals(Shape.of(2, c, size, size), m.generator().outputShape(m.latentShape(2)));
                    assertEquals(Shape.of(2, m.spec().featureChannels(), 4, 4), m.features().outputShape(m.imageShape(2)));
                    assertEquals(Shape.of(2, 1, 1, 1), m.discriminator().outputShape(m.imageShape(2)));
                    // generator: a ConvTranspose + BN + ReLU per stage, then the output ConvTranspose + Tanh
                    assertEquals(3 * m.spec().stages() + 2, m.generator().layers().size());
                    for (Parameter p : m.state()) {
                        if (p.name().endsWith(".weight") && p.value().shape().rank() == 4) { // conv weights ~ N(0, 0.02)
                            double sd = std(p.value().toHost());
                            assertTrue(sd > 0.015 && sd < 0.025, p.name() + " std " + sd);
                        }
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new DcganSpec(48, 1, 10, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> new DcganSpec(32, 2, 10, 8, 8));
    }

    private static double std(float[] a) {
        double s = 0;
        double s2 = 0;
        for (float v : a) {
            s += v;
            s2 += v * (double) v;
        }
        double mean = s / a.length;
        return Math.sqrt(s2 / a.length - mean * mean);
    }

    @Test
    void flopCountOfTheReferenceModelMatchesTheDesign() {
        try (Dcgan ref = new Dcgan(cpu, DcganSpec.dcgan64(), 1L)) {
            // DESIGN.md: about 817 MFLOP per patch and search iteration for DCGAN-64
            assertEquals(817e6, Flops.searchIteration(ref), 2e6);
        }
    }

    /** Checks d(sum r * net(x))/dx and, when weightGrads, d/dw of every parameter. */
    private void check(String what, Sequential net, Shape inShape, boolean train, boolean weightGrads) {
        double[] x = toDouble(GradCheck.randomFloats(inShape.size(), rnd, 1.0));
        Shape outShape = net.outputShape(inShape);
        double[] r = toDouble(GradCheck.randomFloats(outShape.size(), rnd, 1.0));
        List<Layer> layers = RefNetwork.flatten(net);
        Map<Parameter, double[]> weights = new IdentityHashMap<>();
        for (Layer l : layers) {
            for (Parameter p : l.parameters()) weights.put(p, toDouble(p.value().toHost()));
            for (Parameter p : l.buffers()) weights.put(p, toDouble(p.value().toHost()));
        }
        float[] dx;
        try (Tensor xt = cpu.fromHost(GradCheck.toFloat(x), inShape); Tensor dy = cpu.fromHost(GradCheck.toFloat(r), outShape)) {
            for (Parameter p : net.parameters()) p.zeroGrad();
            net.forward(xt, train);
            try (Tensor g = net.backward(dy, weightGrads)) {
                dx = g.toHost();
            }
            net.releaseActivations();
        }
        int[] cx = coords(x.length, 40, rnd);
        assertNumeric(what + " d/dinput", v -> dot(r, RefNetwork.forward(layers, weights, v, inShape, train)), x, cx, pick(dx, cx));
        if (!weightGrads) return;
        for (Parameter p : net.parameters()) {
            double[] w = weights.get(p);
            int[] cw = coords(w.length, 12, rnd);
            assertNumeric(what + " d/d" + p.name(), v -> dot(r, RefNetwork.forward(layers, weights, x, inShape, train)), w, cw,
                    pick(p.grad().toHost(), cw));
            p.zeroGrad();
        }
    }

    private void assertNumeric(String what, java.util.function.ToDoubleFunction<double[]> f, double[] at, int[] coords, double[] analytic) {
        if (kinks) {
            GradCheck.assertGradCloseSkippingKinks(what, GradCheck.numericGradSkippingKinks(f, at, coords, H, 10 * TOL), analytic, TOL, 2);
        } else {
            assertGradClose(what, numericGrad(f, at, coords, H), analytic, TOL);
        }
    }
}
