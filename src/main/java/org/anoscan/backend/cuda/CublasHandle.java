package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_PEDANTIC_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;

import org.bytedeco.cuda.cublas.cublasContext;

/**
 * A cuBLAS handle bound to the backend's stream (host pointer mode: scalars are read at the call, so a
 * captured graph keeps the values it was captured with). Pedantic math: fp32 stays fp32.
 */
final class CublasHandle implements AutoCloseable {
    private cublasContext handle;

    CublasHandle(CudaStream stream) {
        cublasContext h = new cublasContext();
        CudaCheck.cublas(cublasCreate_v2(h), "cublasCreate");
        try {
            CudaCheck.cublas(cublasSetStream_v2(h, stream.handle()), "cublasSetStream");
            CudaCheck.cublas(cublasSetMathMode(h, CUBLAS_PEDANTIC_MATH), "cublasSetMathMode(PEDANTIC)");
        } catch (RuntimeException e) {
            cublasDestroy_v2(h); // cleanup after a failure: that failure is the one reported
            throw e;
        }
        handle = h;
    }

    cublasContext handle() {
        if (handle == null) throw new IllegalStateException("cuBLAS handle is destroyed");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        cublasContext h = handle;
        handle = null;
        CudaCheck.cublas(cublasDestroy_v2(h), "cublasDestroy");
    }
}
