package org.anoscan.backend;

/**
 * Memory of a device backend, so that a caller can size a batch before it runs (and split one that
 * does not fit; see {@link DeviceOutOfMemoryException} for the other way round).
 */
public interface DeviceMemory {

    /**
     * Convolution workspace a device backend lets one search (one sample of a batch) use: a plan for a
     * batch of n picks the fastest algorithm needing at most n times this (see the CUDA backend), and the
     * latent search counts it in its bytes per search.
     */
    long CONV_WORKSPACE_PER_SEARCH = 512L << 10;

    /** Bytes the backend can still get: free device memory plus what its own pool holds idle. */
    long freeDeviceMemory();

    /** Bytes of device memory in all. */
    long totalDeviceMemory();

    /**
     * Frees what the backend caches but is not using now (idle pool buffers, convolution workspaces not
     * held by a live graph), so that a retry at a smaller batch after an out-of-memory has that memory.
     */
    void releaseIdleMemory();
}
