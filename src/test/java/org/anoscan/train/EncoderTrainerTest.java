package org.anoscan.train;

import static org.anoscan.testutil.GradCheck.assertGradClose;
import static org.anoscan.testutil.GradCheck.coords;
import static org.anoscan.testutil.GradCheck.numericGrad;
import static org.anoscan.testutil.GradCheck.pick;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Encoder;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Parameter;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.GradCheck;
import org.anoscan.testutil.RefNetwork;
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderTrainerTest {
    /** As DcganGradientTest: float rounding through E, G and f stays far under it; a wrong gradient is off by O(0.1). */
    private static final double TOL = 5e-4;
    private static final double H = 1e-6;
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 6, 4, 4);
    @TempDir
    Path dir;
    private CpuBackend cpu;
    private final Random rnd = new Random(1515);

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    private Dcgan modelWithEncoder(long seed) {
        Dcgan m = new Dcgan(cpu, SPEC, seed);
        TestModels.randomizeBatchNorms(m, new Random(seed)); // eval-mode batch norms that do something
        m.setEncoder(new Encoder(cpu, SPEC, 4, seed + 7));
        return m;
    }

    /**
     * The izi_f loss, its gradient with respect to every encoder parameter, against central differences of the
     * loss computed in double by naive reference layers: E in training mode (batch statistics), G and f in
     * eval mode, loss = sum_n |x - G(E(x))|^2 / (pixels B) + kappa |f(x) - f(G(E(x)))|^2 / (features B).
     */
    @Test
    void izifLossGradientMatchesFiniteDifferencesInDouble() {
        float kappa = 0.7f;
        try (Dcgan m = modelWithEncoder(3L);
             EncoderTrainer t = new EncoderTrainer(m, new EncoderTrainConfig(1, 3, 1e-3f, 0.9f, kappa, 1L, 0))) {
            Shape in = m.imageShape(3);
            double[] x = toDouble(GradCheck.randomFloats(in.size(), rnd, 0.8));
            List<Layer> e = RefNetwork.flatten(m.encoder().network());
            List<Layer> g = RefNetwork.flatten(m.generator());
            List<Layer> f = RefNetwork.flatten(m.features());
            Map<Parameter, double[]> w = new IdentityHashMap<>();
            List<Parameter> all = new ArrayList<>(m.state());
            all.addAll(m.encoder().state());
            for (Parameter p : all) w.put(p, toDouble(p.value().toHost()));
            float[] terms;
            try (Tensor xt = cpu.fromHost(GradCheck.toFloat(x), in)) {
                terms = t.backward(xt);
            }
            double expected = loss(e, g, f, w, x, m, kappa);
            assertEquals(expected, terms[0] + terms[1], 1e-5 * Math.max(1, expected), "the loss itself");
            assertTrue(terms[1] > 0 && terms[0] > 0, "both terms count");
            for (Parameter p : m.encoder().network().parameters()) {
                double[] v = w.get(p);
                int[] cs = coords(v.length, 12, rnd);
                double[] numeric = numericGrad(u -> loss(e, g, f, w, x, m, kappa), v, cs, H);
                assertGradClose("izi_f d/d" + p.name(), numeric, pick(p.grad().toHost(), cs), TOL);
                p.zeroGrad();
            }
            for (Parameter p : m.state()) assertEquals(null, p.grad(), "G and D stay frozen: " + p.name());
        }
    }

    private static double loss(List<Layer> e, List<Layer> g, List<Layer> f, Map<Parameter, double[]> w, double[] x, Dcgan m, double kappa) {
        int b = x.length / m.imageShape(1).size();
        double[] z = RefNetwork.forward(e, w, x, m.imageShape(b), true);
        double[] gz = RefNetwork.forward(g, w, z, m.latentShape(b), false);
        double[] fx = RefNetwork.forward(f, w, x, m.imageShape(b), false);
        double[] fg = RefNetwork.forward(f, w, gz, m.imageShape(b), false);
        return sq(x, gz) / x.length + kappa * sq(fx, fg) / fx.length;
    }

    private static double sq(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s;
    }

    private static ArrayPatchSource blobs(int n) {
        float[] p = new float[n * 32 * 32];
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            int cx = 8 + r.nextInt(16), cy = 8 + r.nextInt(16);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) p[(i * 32 + y) * 32 + x] = Math.hypot(x - cx, y - cy) < 6 ? 1f : -1f;
            }
        }
        return new ArrayPatchSource(p, n, 1, 32);
    }

    @Test
    void resumingFromACheckpointContinuesExactlyAndGanStaysFrozen() throws Exception {
        ArrayPatchSource src = blobs(40);
        EncoderTrainConfig cfg = new EncoderTrainConfig(6, 8, 1e-3f, 0.9f, 1f, 5L, 3);
        float[] straight;
        float[] ganBefore;
        try (Dcgan m = modelWithEncoder(1L); EncoderTrainer t = new EncoderTrainer(m, cfg)) {
            ganBefore = m.generator().parameters().get(0).value().toHost();
            t.train(src, null, null);
            straight = concat(m.encoder().state());
            assertArrayEquals(ganBefore, m.generator().parameters().get(0).value().toHost(), "G is not trained");
        }
        Path ckpt = dir.resolve("enc.ckpt");
        List<Integer> steps = new ArrayList<>();
        try (Dcgan m = modelWithEncoder(1L); EncoderTrainer t = new EncoderTrainer(m, cfg.withSteps(3))) {
            t.train(src, new TrainListener() {
                @Override
                public void onStep(int step, int total, float loss, float feature, double rate) {
                    steps.add(step);
                    assertTrue(loss > feature && feature > 0, "total loss includes the feature term");
                }
            }, ckpt);
        }
        assertEquals(List.of(1, 2, 3), steps);
        try (EncoderTrainer t = EncoderTrainer.resume(ckpt, cpu, cfg)) {
            assertEquals(3, t.step());
            t.train(src, null, null);
            assertArrayEquals(straight, concat(t.model().encoder().state()), "resumed training continues exactly");
            t.model().close();
        }
    }

    @Test
    void trainingLowersTheLoss() {
        ArrayPatchSource src = blobs(64);
        try (Dcgan m = modelWithEncoder(2L); EncoderTrainer t = new EncoderTrainer(m, new EncoderTrainConfig(40, 16, 3e-3f, 0.9f, 1f, 9L, 0))) {
            scale(m.generator().parameters(), 10f); // a fresh G (weights ~0.02) hardly depends on z; a trained one does
            float[] fixed = src.sample(16, new SplittableRandom(4));
            float before = fixedLoss(t, fixed, m);
            for (int i = 0; i < 40; i++) t.trainStep(src);
            float after = fixedLoss(t, fixed, m);
            assertTrue(after < 0.985f * before, "izi_f loss " + before + " -> " + after);
        }
    }

    private void scale(List<Parameter> ps, float by) {
        for (Parameter p : ps) {
            if (p.value().shape().rank() != 4) continue;
            float[] v = p.value().toHost();
            for (int i = 0; i < v.length; i++) v[i] *= by;
            try (Tensor t = cpu.fromHost(v, p.value().shape())) {
                cpu.copyInto(t, p.value());
            }
        }
    }

    private float fixedLoss(EncoderTrainer t, float[] x, Dcgan m) {
        try (Tensor xt = cpu.fromHost(x, m.imageShape(16))) {
            float[] terms = t.backward(xt);
            for (Parameter p : m.encoder().network().parameters()) p.zeroGrad();
            return terms[0] + terms[1];
        }
    }

    @Test
    void aModelWithoutEncoderIsRefused() {
        try (Dcgan m = new Dcgan(cpu, SPEC, 1L)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new EncoderTrainer(m, EncoderTrainConfig.defaults(1)));
            assertTrue(e.getMessage().contains("no encoder"), e.getMessage());
        }
    }

    private static float[] concat(List<Parameter> ps) {
        List<Float> all = new ArrayList<>();
        for (Parameter p : ps) for (float v : p.value().toHost()) all.add(v);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }
}
