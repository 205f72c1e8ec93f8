package org.anoscan.backend.cuda;

import static org.anoscan.backend.cuda.CudaTestDevice.randn;
import static org.anoscan.backend.cuda.CudaTestDevice.relativeError;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.anoscan.backend.Backend;
import org.anoscan.backend.ConvSpec;
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
 * The bf16 precision against the fp32 CPU reference. bf16 keeps 8 significant bits (unit roundoff
 * 2^-9 = 2.0e-3); a convolution rounds both inputs and its output to bf16 and accumulates in fp32, so its
 * relative error on random data is a few 1e-3: tolerance {@value #CONV} on ||gpu - cpu|| / ||cpu|| per
 * convolution op. A whole search (DCGAN-64, randomised batch norms, {@value #ITERS} iterations, graphs on)
 * compounds that through G, f and their backward passes, while z, the Adam state and the losses stay
 * fp32: tolerance {@value #SEARCH} on the relative difference of each sampled patch's score. The effect on
 * MNIST one-class AUROC (must stay within 0.5 points of fp32) is measured by bench/gpu-check.sh, not here.
 */
@Tag("gpu")
class CudaBf16Test {
    static final double CONV = 1e-2;
    static final double SEARCH = 5e-2;
    static final int ITERS = 5;

    @Test
    void everyConvolutionOpInBf16IsWithinTheToleranceOfTheFp32Cpu() {
        Random rnd = new Random(3);
        ConvSpec spec = ConvSpec.of(2, 1);
        Shape xs = Shape.of(64, 128, 16, 16), ws = Shape.of(256, 128, 4, 4); // a DCGAN-64 f layer
        Shape ys = Shape.of(64, 256, 8, 8);
        float[] x = randn(xs, rnd), w = randn(ws.size(), rnd, 0.05f), dy = randn(ys, rnd);
        try (CudaBackend gpu = CudaTestDevice.open(); CpuBackend cpu = new CpuBackend()) {
            gpu.setPrecision(Precision.BF16);
            Backend[] both = {gpu, cpu};
            float[][][] out = new float[2][][];
            for (int b = 0; b < 2; b++) {
                Backend be = both[b];
                try (Tensor tx = be.fromHost(x, xs); Tensor tw = be.fromHost(w, ws); Tensor tdy = be.fromHost(dy, ys);
                     Tensor y = be.conv2d(tx, tw, null, spec); Tensor dx = be.conv2dBackwardData(tdy, tw, xs, spec);
                     Tensor dw = be.conv2dBackwardFilter(tdy, tx, ws, spec);
                     Tensor ty = be.convTranspose2d(tdy, tw, null, spec); Tensor tdx = be.convTranspose2dBackwardData(tx, tw, ys, spec);
                     Tensor tdw = be.convTranspose2dBackwardFilter(tx, tdy, ws, spec)) {
                    out[b] = new float[][] {y.toHost(), dx.toHost(), dw.toHost(), ty.toHost(), tdx.toHost(), tdw.toHost()};
                }
            }
            String[] names = {"conv2d", "conv2dBackwardData", "conv2dBackwardFilter", "convTranspose2d", "convTranspose2dBackwardData",
                    "convTranspose2dBackwardFilter"};
            for (int i = 0; i < names.length; i++) {
                double err = relativeError(out[0][i], out[1][i]);
                System.out.printf("bf16 %s: relative error %.2e (tolerance %.0e)%n", names[i], err, CONV);
                assertTrue(err <= CONV, names[i] + " in bf16: relative error " + err);
            }
        }
    }

    @Test
    void aDcgan64SearchInBf16ScoresWithinTheToleranceOfTheFp32Cpu() {
        int b = 512, sample = 16;
        try (CudaBackend gpu = CudaTestDevice.open(); CpuBackend cpu = new CpuBackend();
             Dcgan g = model(gpu); Dcgan c = model(cpu)) {
            int per = g.imageShape(1).size();
            Random rnd = new Random(7);
            float[] x = new float[b * per];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
            SearchConfig cfg = SearchConfig.defaults().withIterations(ITERS);
            long[] ids = new long[sample];
            float[] xs = new float[sample * per];
            for (int i = 0; i < sample; i++) {
                ids[i] = i * (b / sample);
                System.arraycopy(x, (int) ids[i] * per, xs, i * per, per);
            }
            List<SearchResult> ref = new LatentSearch(c, cfg).search(xs, ids);
            gpu.setPrecision(Precision.BF16);
            List<SearchResult> all = new LatentSearch(g, cfg).search(x, b);
            double worst = 0;
            for (int i = 0; i < sample; i++) {
                float gs = all.get((int) ids[i]).score(), cs = ref.get(i).score();
                assertTrue(Float.isFinite(gs), "patch " + ids[i] + " scored " + gs);
                worst = Math.max(worst, Math.abs(gs - cs) / Math.abs(cs));
            }
            System.out.printf("DCGAN-64 B=%d bf16: worst relative score difference to the fp32 CPU over %d patches %.2e (tolerance %.0e)%n",
                    b, sample, worst, SEARCH);
            assertTrue(worst <= SEARCH, "bf16 search: worst relative score difference " + worst);
        }
    }

    private static Dcgan model(Backend b) {
        Dcgan m = new Dcgan(b, DcganSpec.dcgan64(), 11L);
        TestModels.randomizeBatchNorms(m, new Random(12));
        return m;
    }
}
