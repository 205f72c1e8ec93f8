package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cuGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.cudnnGetErrorString;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/** Status checks for every native call: a failure throws a {@link CudaException} naming the call and the error. */
final class CudaCheck {
    private CudaCheck() {}

    /** A CUDA runtime call (cuda*). */
    static void cuda(int status, String call) {
        if (status != cudaSuccess) throw new CudaException(call, status, cudaError(status));
    }

    /** A CUDA driver call (cu*). */
    static void driver(int status, String call) {
        if (status != CUDA_SUCCESS) throw new CudaException(call, status, driverError(status));
    }

    static void cudnn(int status, String call) {
        if (status != CUDNN_STATUS_SUCCESS) throw new CudaException(call, status, string(cudnnGetErrorString(status)));
    }

    static void cublas(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) throw new CudaException(call, status, string(cublasGetStatusString(status)));
    }

    static String cudaError(int status) {
        return string(cudaGetErrorName(status)) + ": " + string(cudaGetErrorString(status));
    }

    static String driverError(int status) {
        try (PointerPointer<BytePointer> name = new PointerPointer<>(1); PointerPointer<BytePointer> text = new PointerPointer<>(1)) {
            boolean known = cuGetErrorName(status, name) == CUDA_SUCCESS & cuGetErrorString(status, text) == CUDA_SUCCESS;
            if (!known) return "unknown CUDA driver error";
            return name.getString(0) + ": " + text.getString(0);
        }
    }

    private static String string(BytePointer p) {
        return p == null || p.isNull() ? "unknown error" : p.getString();
    }
}
