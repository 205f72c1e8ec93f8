package org.anoscan.search;

/**
 * Batch sizes a device backend sees: a full chunk, or a partial one rounded up to a power of two of at
 * least {@link #MIN_BUCKET} (never above the chunk). Each batch size costs a set of convolution plans
 * (a cudnnFind per convolution), so a scan whose last batch is partial, or a batch halved after an
 * out-of-memory, reuses a few sizes instead of making new plans for every size. Padding costs at most
 * twice the work of the partial batch, and a batch of up to 64 costs a GPU about as much as one of 1.
 */
final class BatchBuckets {
    static final int MIN_BUCKET = 64;

    private BatchBuckets() {}

    /** The batch size that n searches of a chunk of {@code chunk} run at (n <= chunk). */
    static int roundUp(int n, int chunk) {
        if (n < 1 || n > chunk) throw new IllegalArgumentException("batch of " + n + " for a chunk of " + chunk);
        if (n == chunk) return n;
        int pow = Integer.highestOneBit(n);
        if (pow < n) pow <<= 1;
        return Math.min(chunk, Math.max(MIN_BUCKET, pow));
    }
}
