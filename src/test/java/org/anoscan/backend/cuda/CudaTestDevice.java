package org.anoscan.backend.cuda;

import java.util.Random;
import java.util.function.Supplier;
import org.anoscan.backend.BackendProvider;
import org.anoscan.tensor.Shape;
import org.junit.jupiter.api.Assumptions;

/** Shared by the GPU tests: open cuda:0 or skip visibly, reference calls, random data, relative errors. */
final class CudaTestDevice {
    private CudaTestDevice() {}

    /** cuda:0, or a skipped test that says why no device was found. */
    static CudaBackend open() {
        BackendProvider p = new CudaBackendProvider();
        Assumptions.assumeTrue(p.deviceCount() > 0, () -> "no CUDA device: " + p.unavailableReason());
        return (CudaBackend) p.open(0);
    }

    /** A CPU reference result; skips (visibly) where the CPU op is still a stub in this tree. */
    static <T> T reference(String op, Supplier<T> cpu) {
        try {
            return cpu.get();
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the CPU reference of " + op + " is not implemented in this tree yet (" + e.getMessage() + ")");
            throw e; // not reached
        }
    }

    static float[] randn(Shape s, Random rnd) {
        return randn(s.size(), rnd, 1f);
    }

    static float[] randn(int n, Random rnd, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * scale;
        return a;
    }

    static float[] uniform(int n, Random rnd, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rnd.nextFloat();
        return a;
    }

    /** ||gpu - cpu|| / ||cpu|| (or ||gpu|| where cpu is all zeros). */
    static double relativeError(float[] gpu, float[] cpu) {
        if (gpu.length != cpu.length) throw new AssertionError("lengths differ: " + gpu.length + " vs " + cpu.length);
        double diff = 0, ref = 0;
        for (int i = 0; i < gpu.length; i++) {
            double d = (double) gpu[i] - cpu[i];
            diff += d * d;
            ref += (double) cpu[i] * cpu[i];
        }
        return ref == 0 ? Math.sqrt(diff) : Math.sqrt(diff / ref);
    }
}
