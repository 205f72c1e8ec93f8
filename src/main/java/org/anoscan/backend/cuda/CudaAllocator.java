package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;

import org.anoscan.backend.DeviceOutOfMemoryException;
import org.bytedeco.javacpp.Pointer;

/** cudaMalloc / cudaFree for the current device; out of memory becomes a {@link DeviceOutOfMemoryException}. */
final class CudaAllocator implements BufferAllocator {
    private final CudaBackend backend;

    CudaAllocator(CudaBackend backend) {
        this.backend = backend;
    }

    @Override
    public Pointer allocate(long bytes) {
        Pointer p = new Pointer();
        int status = cudaMalloc(p, bytes);
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError(); // clear it, so that the next checked call does not report it again
            throw new DeviceOutOfMemoryException(backend.name(), bytes, backend.deviceFreeBytes(), backend.totalDeviceMemory());
        }
        CudaCheck.cuda(status, "cudaMalloc(" + bytes + " bytes)");
        return p;
    }

    @Override
    public void free(Pointer pointer) {
        CudaCheck.cuda(cudaFree(pointer), "cudaFree");
    }
}
