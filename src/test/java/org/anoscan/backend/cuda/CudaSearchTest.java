package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole latent search on the GPU at a realistic size, against the CPU reference: DCGAN-64 (nz 100,
 * widths 64, batch norms randomised so folding matters), B = 8192 searches, 5 iterations with graph
 * capture on; a sample of 16 patches is searched again on the CPU (same ids, so the same starts) and
 * their scores compared, in each precision (fp32, tf32, bf16). And the Adam kernel keeps NaN through the
 * clamp, as the CPU does.
 */
@Tag("gpu")
class CudaSearchTest {
    private static final int B = 8192;
    private static final int ITERS = 5;

    private static Dcgan model(org.anoscan.backend.Backend b) {
        Dcgan m = new Dcgan(b, DcganSpec.dcgan64(), 11L);
        TestModels.randomizeBatchNorms(m, new Random(12));
        return m;
    }

    @Test
    void dcgan64AtB8192WithGraphsMatchesTheCpuOnASample() {
        try (CudaBackend gpu = CudaTestDevice.open(); CpuBackend cpu = new CpuBackend();
             Dcgan g = model(gpu); Dcgan c = model(cpu)) {
            int per = g.imageShape(1).size();
            Random rnd = new Random(5);
            float[] x = new float[B * per];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
            SearchConfig cfg = SearchConfig.defaults().withIterations(ITERS);
            int[] sample = new int[16];
            for (int i = 0; i < sample.length; i++) sample[i] = i * (B / sample.length) + i;
            float[] xs = new float[sample.length * per];
            long[] ids = new long[sample.length];
            for (int i = 0; i < sample.length; i++) {
                System.arraycopy(x, sample[i] * per, xs, i * per, per);
                ids[i] = sample[i];
            }
            List<SearchResult> ref = new LatentSearch(c, cfg).search(xs, ids);
            for (Precision p : Precision.values()) {
                gpu.setPrecision(p);
                long captures = gpu.graphCaptures();
                List<SearchResult> all = new LatentSearch(g, cfg).search(x, B);
                assertEquals(B, all.size());
                assertTrue(gpu.graphCaptures() > captures, "the iterations ran as graph replays");
                double tol = switch (p) {
                    case FP32 -> 1e-3;
                    case TF32 -> 3e-2;
                    case BF16 -> 5e-2; // bf16 convolutions only (z, Adam state, losses fp32): 8 significant bits vs tf32's 11
                };
                double worst = 0;
                for (int i = 0; i < sample.length; i++) {
                    float gs = all.get(sample[i]).score(), cs = ref.get(i).score();
                    assertTrue(Float.isFinite(gs), "patch " + sample[i] + " scored " + gs);
                    worst = Math.max(worst, Math.abs(gs - cs) / Math.abs(cs));
                }
                System.out.printf("DCGAN-64 B=%d %s: worst relative score difference to the CPU over %d patches %.2e (tolerance %.0e); "
                        + "%d plans, workspace %.1f MB, pool %.1f MB%n", B, p, sample.length, worst, tol, gpu.convPlans(),
                        gpu.convWorkspaceBytes() / 1e6, gpu.pooledBytes() / 1e6);
                assertTrue(worst < tol, p + ": worst relative difference " + worst);
                assertTrue(gpu.convWorkspaceBytes() <= CudnnConvolutions.workspaceLimit(B) * 2,
                        "one shared workspace (the current one, and at most one retired)");
            }
            // a partial batch runs at a bucket size: 961 patches reuse the plans of 1024
            gpu.setPrecision(Precision.TF32);
            new LatentSearch(g, cfg.withMaxBatch(B)).search(java.util.Arrays.copyOf(x, 1024 * per), 1024);
            int plans = gpu.convPlans();
            new LatentSearch(g, cfg.withMaxBatch(B)).search(java.util.Arrays.copyOf(x, 961 * per), 961);
            assertEquals(plans, gpu.convPlans(), "961 searches pad to 1024: no new plans");

            // what an out-of-memory retry gets back first: idle pool buffers and the workspace (no graph is alive now)
            gpu.releaseIdleMemory();
            assertEquals(0, gpu.convWorkspaceBytes(), "the workspace is freed");
            assertEquals(gpu.liveBytes(), gpu.pooledBytes(), "the pool keeps only what tensors (the models' weights) hold");
            List<SearchResult> again = new LatentSearch(g, cfg).search(java.util.Arrays.copyOf(x, 64 * per), 64); // it grows back on demand
            double d = Math.abs(again.get(0).score() - ref.get(0).score()) / Math.abs(ref.get(0).score());
            assertTrue(d < 3e-2, "after the release a search still matches the CPU (patch 0 is sample 0): " + d);
        }
    }

    @Test
    void adamKeepsNanThroughTheClampAsTheCpuDoes() {
        float[] z0 = {Float.NaN, 5f, -5f, 0.5f};
        float[] grad = {1f, 1f, -1f, 0.25f};
        AdamConfig cfg = new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 2f);
        try (CudaBackend gpu = CudaTestDevice.open(); CpuBackend cpu = new CpuBackend()) {
            float[][] out = new float[2][];
            org.anoscan.backend.Backend[] backends = {gpu, cpu};
            for (int b = 0; b < 2; b++) {
                var be = backends[b];
                try (Tensor z = be.fromHost(z0, Shape.of(2, 2)); Tensor g = be.fromHost(grad, Shape.of(2, 2));
                     Tensor m = be.zeros(Shape.of(2, 2)); Tensor v = be.zeros(Shape.of(2, 2)); Tensor steps = be.zeros(Shape.of(2))) {
                    be.adamPerSampleStep(z, g, m, v, steps, null, cfg);
                    out[b] = z.toHost();
                }
            }
            assertTrue(Float.isNaN(out[0][0]), "the GPU keeps NaN: " + out[0][0]);
            for (int i = 1; i < 4; i++) assertEquals(out[1][i], out[0][i], 1e-6f, "element " + i);
            assertEquals(2f, out[0][1]);
            assertEquals(-2f, out[0][2]);
        }
    }
}
