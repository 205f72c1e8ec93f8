package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.cudnnCreate;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroy;
import static org.bytedeco.cuda.global.cudnn.cudnnSetStream;

import org.bytedeco.cuda.cudnn.cudnnContext;

/** A cuDNN handle bound to the backend's stream. */
final class CudnnHandle implements AutoCloseable {
    private cudnnContext handle;

    CudnnHandle(CudaStream stream) {
        cudnnContext h = new cudnnContext();
        CudaCheck.cudnn(cudnnCreate(h), "cudnnCreate");
        try {
            CudaCheck.cudnn(cudnnSetStream(h, stream.handle()), "cudnnSetStream");
        } catch (RuntimeException e) {
            cudnnDestroy(h); // cleanup after a failure: that failure is the one reported
            throw e;
        }
        handle = h;
    }

    cudnnContext handle() {
        if (handle == null) throw new IllegalStateException("cuDNN handle is destroyed");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        cudnnContext h = handle;
        handle = null;
        CudaCheck.cudnn(cudnnDestroy(h), "cudnnDestroy");
    }
}
