package org.anoscan.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.anoscan.backend.cpu.ConvBatching;
import org.anoscan.backend.cpu.ConvLibrary;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The batched latent search with every exact convolution on oneDNN ({@link ConvLibrary#ONEDNN}; the default
 * per-layer mode uses it on a subset of these layers): the same batch twice gives the same bits, and a
 * patch's score alone vs in a batch, and vs the exact per-sample reference, stays within
 * {@link #ONEDNN_SCORE_TOLERANCE}.
 */
class OneDnnSearchTest {
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 16, 8, 8);
    /**
     * Largest relative difference of a patch's score, oneDNN alone vs batched and oneDNN vs the per-sample
     * reference. Measured here (16 patches, 20 iterations): alone vs batched 0 (every bit kept), vs the reference max 1.3e-7 (24 patches, 25 iterations): see the printed medians and maxima; the same
     * bound as the wide-GEMM path's {@link LatentSearchTest#WIDE_SCORE_TOLERANCE}, for the same reason (a
     * last-bit difference carried through the Adam steps).
     */
    static final double ONEDNN_SCORE_TOLERANCE = LatentSearchTest.WIDE_SCORE_TOLERANCE;

    @Test
    void oneDnnSearchesAreRepeatableAndWithinTheToleranceOfAloneAndOfTheReference() {
        int n = 16;
        int threads = Runtime.getRuntime().availableProcessors();
        SearchConfig cfg = SearchConfig.defaults().withIterations(20).withSeed(9);
        try (CpuBackend dnnl = new CpuBackend(threads, ConvBatching.WIDE, ConvLibrary.ONEDNN);
             CpuBackend reference = new CpuBackend(threads, ConvBatching.PER_SAMPLE);
             Dcgan model = new Dcgan(dnnl, SPEC, 7L); Dcgan referenceModel = new Dcgan(reference, SPEC, 7L)) {
            float[] patches = generated(referenceModel, n, 31);
            List<SearchResult> together = new LatentSearch(model, cfg).search(patches, n);
            List<SearchResult> again = new LatentSearch(model, cfg).search(patches, n);
            List<SearchResult> exact = new LatentSearch(referenceModel, cfg).search(patches, n);
            int per = model.imageShape(1).size();
            double[] alone = new double[n], vsReference = new double[n];
            for (int p = 0; p < n; p++) {
                assertEquals(together.get(p).score(), again.get(p).score(), 0f, "the same batch twice, patch " + p);
                assertArrayEquals(together.get(p).residualMap(), again.get(p).residualMap(), 0f);
                float[] one = Arrays.copyOfRange(patches, p * per, (p + 1) * per);
                float single = new LatentSearch(model, cfg).search(one, new long[] {p}).get(0).score();
                alone[p] = Math.abs(single - together.get(p).score()) / Math.abs(single);
                vsReference[p] = Math.abs(exact.get(p).score() - together.get(p).score()) / Math.abs(exact.get(p).score());
            }
            Arrays.sort(alone);
            Arrays.sort(vsReference);
            System.out.printf("oneDNN search, relative score difference over %d patches: alone vs batched median %.2g max %.2g;"
                    + " vs the per-sample reference median %.2g max %.2g%n", n, alone[n / 2], alone[n - 1], vsReference[n / 2], vsReference[n - 1]);
            assertTrue(alone[n - 1] <= ONEDNN_SCORE_TOLERANCE, "batched and alone differ by " + alone[n - 1] + " relative");
            assertTrue(vsReference[n - 1] <= ONEDNN_SCORE_TOLERANCE, "oneDNN and the reference differ by " + vsReference[n - 1] + " relative");
            // the comparison can fail: another start gives scores far outside the tolerance
            List<SearchResult> other = new LatentSearch(model, cfg.withSeed(10)).search(patches, n);
            double[] otherRel = new double[n];
            for (int p = 0; p < n; p++) otherRel[p] = Math.abs(other.get(p).score() - together.get(p).score()) / Math.abs(other.get(p).score());
            Arrays.sort(otherRel);
            assertTrue(otherRel[n / 2] > 10 * ONEDNN_SCORE_TOLERANCE, "another seed differs by only " + otherRel[n / 2]);
        }
    }

    /** Patches G(z) for latent vectors drawn from seed. */
    private static float[] generated(Dcgan model, int count, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        float[] z = new float[count * SPEC.nz()];
        for (int i = 0; i < z.length; i++) z[i] = (float) org.anoscan.nn.Init.gaussian(rnd);
        try (Tensor zt = model.generator().parameters().get(0).value().backend().fromHost(z, model.latentShape(count))) {
            float[] out = model.generator().forward(zt, false).toHost();
            model.generator().releaseActivations();
            return out;
        }
    }
}
