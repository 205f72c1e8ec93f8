package org.anoscan.backend.cpu;

/**
 * How the CPU backend's convolutions group the samples of a batch into sgemm calls.
 */
public enum ConvBatching {
    /**
     * Many samples side by side in one wide GEMM (and one GEMM over the whole range for dense layers):
     * the fast default. OpenBLAS picks kernels (and so rounding) by matrix width and column position, so
     * a sample's result depends on its batch mates at the level of float rounding (about 1e-7 relative
     * per op); the same batch gives bit-identical results from run to run.
     */
    WIDE,
    /**
     * One GEMM per sample: a patch's result is bit-identical alone or in any batch. The exact reference
     * that batching tests and the CUDA parity tests compare against; slower on small feature maps.
     */
    PER_SAMPLE
}
