package org.anoscan.backend.cpu;

/**
 * Which library runs the CPU backend's wide-batched convolutions (forward and backward-data; the per-sample
 * reference mode {@link ConvBatching#PER_SAMPLE} always uses the GEMM path).
 */
public enum ConvLibrary {
    /** im2col / col2im + OpenBLAS sgemm for every layer. */
    GEMM,
    /**
     * oneDNN's direct convolutions on the layers where they measured faster on the machines tried (see
     * {@link OneDnnConvolutions#suits}), the GEMM path on the rest: the default when oneDNN is on the class path
     * (GEMMs only if its native library then fails to load).
     */
    PER_LAYER,
    /** oneDNN on every layer it can run (all but inexact geometries): for measuring the per-layer rule. */
    ONEDNN
}
