package org.anoscan.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Parameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GanTrainerTest {
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 10, 8, 8);
    @TempDir
    Path dir;
    private CpuBackend cpu;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    /** Blobs on a dark background: a stand-in for normal patches. */
    private static ArrayPatchSource blobs(int n) {
        float[] p = new float[n * 32 * 32];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            int cx = 8 + r.nextInt(16);
            int cy = 8 + r.nextInt(16);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    double d = Math.hypot(x - cx, y - cy);
                    p[(i * 32 + y) * 32 + x] = d < 6 ? 1f : -1f;
                }
            }
        }
        return new ArrayPatchSource(p, n, 1, 32);
    }

    @Test
    void resumingFromACheckpointContinuesExactly() throws Exception {
        ArrayPatchSource src = blobs(50);
        TrainConfig cfg = new TrainConfig(6, 8, 2e-4f, 0.5f, 0.9f, 17L, 3);
        List<float[]> straight;
        try (Dcgan m = new Dcgan(cpu, SPEC, 1L); GanTrainer t = new GanTrainer(m, cfg)) {
            t.train(src, null, null);
            straight = values(m.state());
        }
        Path ckpt = dir.resolve("ckpt.safetensors");
        try (Dcgan m = new Dcgan(cpu, SPEC, 1L); GanTrainer t = new GanTrainer(m, cfg.withSteps(3))) {
            t.train(src, null, ckpt);
        }
        try (GanTrainer t = GanTrainer.resume(ckpt, cpu, cfg); Dcgan m = t.model()) {
            assertEquals(3, t.step());
            t.train(src, null, null);
            assertEquals(6, t.step());
            List<float[]> resumed = values(m.state());
            for (int i = 0; i < straight.size(); i++) assertArrayEquals(straight.get(i), resumed.get(i), 0f, "tensor " + i);
        }
    }

    @Test
    void trainingMovesWeightsAndReportsProgress() throws Exception {
        List<float[]> losses = new ArrayList<>();
        List<Integer> checkpoints = new ArrayList<>();
        TrainConfig cfg = new TrainConfig(4, 8, 2e-4f, 0.5f, 1f, 2L, 2);
        try (Dcgan m = new Dcgan(cpu, SPEC, 1L); GanTrainer t = new GanTrainer(m, cfg)) {
            List<float[]> before = values(m.state());
            t.train(blobs(20), new TrainListener() {
                @Override
                public void onStep(int step, int total, float lossD, float lossG, double patchesPerSecond) {
                    losses.add(new float[] {step, lossD, lossG, (float) patchesPerSecond});
                }

                @Override
                public void onCheckpoint(int step, Path file) {
                    checkpoints.add(step);
                }
            }, dir.resolve("c.safetensors"));
            List<float[]> after = values(m.state());
            int moved = 0;
            for (int i = 0; i < before.size(); i++) if (!java.util.Arrays.equals(before.get(i), after.get(i))) moved++;
            assertTrue(moved >= m.generator().parameters().size() + m.discriminator().parameters().size(),
                    "every trainable tensor should move, moved " + moved);
            float[] samples = t.samples(5, 9L);
            assertEquals(5 * 32 * 32, samples.length);
            for (float s : samples) assertTrue(s >= -1 && s <= 1);
        }
        assertEquals(4, losses.size());
        for (float[] l : losses) {
            assertTrue(Float.isFinite(l[1]) && l[1] > 0 && Float.isFinite(l[2]) && l[2] > 0);
            assertTrue(l[3] > 0);
        }
        assertEquals(List.of(2, 4), checkpoints);
    }

    @Test
    void mismatchedPatchesAreRefused() {
        try (Dcgan m = new Dcgan(cpu, new DcganSpec(64, 1, 10, 8, 8), 1L); GanTrainer t = new GanTrainer(m, TrainConfig.defaults(1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.train(blobs(4), null, null));
            assertTrue(e.getMessage().contains("expects"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new TrainConfig(1, 1, 1e-3f, 0.5f, 1f, 0, 0));
    }

    private static List<float[]> values(List<Parameter> ps) {
        List<float[]> v = new ArrayList<>();
        for (Parameter p : ps) v.add(p.value().toHost());
        return v;
    }
}
