package org.anoscan.backend.cpu;

import org.anoscan.tensor.Tensor;

/** Loop helpers of the CPU ops: fixed-size chunks over the backend's threads. */
final class CpuLoops {
    /**
     * Elements per task. Fixed (not derived from the thread count) so that chunked sums add the same
     * partial sums in the same order on every machine; large enough that a task outweighs its scheduling.
     */
    static final int GRAIN = 1 << 15;

    /** Per thread, two heap arrays of GRAIN floats: element-wise loops copy a chunk in, run on the array (vectorised), copy it out. */
    private static final ThreadLocal<float[][]> CHUNK_ARRAYS = ThreadLocal.withInitial(() -> new float[][] {new float[GRAIN], new float[GRAIN]});

    private CpuLoops() {}

    /** This thread's chunk array number which (0 or 1), GRAIN floats, contents not kept. */
    static float[] chunkArray(int which) {
        return CHUNK_ARRAYS.get()[which];
    }

    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** Number of GRAIN-sized chunks covering n elements. */
    static int chunks(int n) {
        return (n + GRAIN - 1) / GRAIN;
    }

    /** body(from, to) over [0, n) in GRAIN-sized chunks, in parallel when there is more than one chunk. */
    static void chunked(CpuBackend cpu, int n, Range body) {
        int chunks = chunks(n);
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        cpu.parallelFor(chunks, c -> body.run(c * GRAIN, Math.min(n, (c + 1) * GRAIN)));
    }

    /**
     * body(i) for i in [0, count) where each item touches about workPerItem elements: in parallel only
     * when the total work is worth the hand-over to the pool (small search batches stay on the caller).
     */
    static void items(CpuBackend cpu, int count, long workPerItem, java.util.function.IntConsumer body) {
        if (count == 1 || (long) count * workPerItem < GRAIN) {
            for (int i = 0; i < count; i++) body.accept(i);
        } else {
            cpu.parallelFor(count, body);
        }
    }

    /** Closes what was allocated before a failure, so a failed op leaks nothing. */
    static void closeAll(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) t.close();
        }
    }
}
