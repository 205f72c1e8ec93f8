package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import org.bytedeco.cuda.cudart.CUstream_st;

/**
 * The backend's one stream: every kernel, cuDNN and cuBLAS call and copy is queued on it, so ops run in
 * order without host waits. Non-blocking, so that the legacy default stream (used by libraries that know
 * no better) neither waits for it nor breaks its graph captures.
 */
final class CudaStream implements AutoCloseable {
    private CUstream_st stream;

    CudaStream() {
        CUstream_st s = new CUstream_st();
        CudaCheck.cuda(cudaStreamCreateWithFlags(s, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        stream = s;
    }

    CUstream_st handle() {
        if (stream == null) throw new IllegalStateException("CUDA stream is destroyed");
        return stream;
    }

    /** Waits until everything queued so far has run; surfaces asynchronous kernel errors. */
    void synchronize(String why) {
        CudaCheck.cuda(cudaStreamSynchronize(handle()), "cudaStreamSynchronize (" + why + ")");
    }

    @Override
    public void close() {
        if (stream == null) return;
        CUstream_st s = stream;
        stream = null;
        CudaCheck.cuda(cudaStreamDestroy(s), "cudaStreamDestroy");
    }
}
