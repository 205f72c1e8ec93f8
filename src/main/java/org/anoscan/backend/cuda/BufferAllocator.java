package org.anoscan.backend.cuda;

import org.bytedeco.javacpp.Pointer;

/** Raw device memory for a {@link DevicePool}: cudaMalloc/cudaFree on a GPU, host memory in the pool's tests. */
interface BufferAllocator {

    /** A new allocation of {@code bytes}; throws {@link org.anoscan.backend.DeviceOutOfMemoryException} when there is no room. */
    Pointer allocate(long bytes);

    void free(Pointer pointer);
}
