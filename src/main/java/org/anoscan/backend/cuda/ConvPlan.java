package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_BFLOAT16;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardData;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardFilter;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionForward;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionForwardAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolution2dForwardOutputDim;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolution2dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionMathType;
import static org.bytedeco.cuda.global.cudnn.cudnnSetFilter4dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetTensor4dDescriptor;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A cuDNN convolution made once per (primitive, shapes, stride, padding, precision): its descriptors and
 * the fastest algorithm cuDNN measured for it (cudnnFind*AlgorithmEx, on the op's own buffers, at the
 * first call) among those {@link ConvAlgoChoice} accepts: the plan's math type, and at most
 * {@code workspaceLimit} bytes of workspace. Later calls only launch, with the backend's one shared
 * {@link ConvWorkspace}.
 *
 * <p>Precision: FP32 sets CUDNN_FMA_MATH (FMA kernels only, no tensor cores: strict fp32); TF32 sets
 * CUDNN_DEFAULT_MATH, under which cuDNN 9 may run fp32 convolutions on tensor cores in TF32, then the
 * math type of the algorithm found (as PyTorch does with allow_tf32); results measured under another math
 * type are skipped (FP32: anything but FMA; TF32: down-converting tensor-op math). NVIDIA_TF32_OVERRIDE=0 in the
 * environment turns TF32 off for the whole process.
 *
 * <p>Buffers are passed in cuDNN's roles of {@link ConvGeometry}: x, filter w, y (for backward-data the
 * gradient dy sits in y and dx is written to x; for backward-filter dy sits in y and dw is written to w).
 */
final class ConvPlan implements AutoCloseable {
    private final ConvGeometry geometry;
    private final Precision precision;
    private final cudnnTensorStruct xDesc = new cudnnTensorStruct();
    private final cudnnTensorStruct yDesc = new cudnnTensorStruct();
    private final cudnnFilterStruct wDesc = new cudnnFilterStruct();
    private final cudnnConvolutionStruct convDesc = new cudnnConvolutionStruct();
    private int algo = -1;
    private int mathType;
    private float findMillis;
    private long workspaceBytes;
    private boolean closed;

    /**
     * Makes the descriptors and finds the algorithm by running the candidates on x, w and y (the output
     * role is overwritten). The chosen algorithm needs at most {@code workspaceLimit} bytes of workspace;
     * the search tries candidates with scratch of up to that much (less when the device is short).
     */
    ConvPlan(cudnnContext handle, ConvGeometry g, Precision precision, BufferAllocator allocator, Pointer x, Pointer w, Pointer y,
             long workspaceLimit) {
        this.geometry = g;
        this.precision = precision;
        try {
            describe();
            find(handle, allocator, x, w, y, workspaceLimit);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void describe() {
        Shape x = geometry.x(), w = geometry.filter(), y = geometry.y();
        CudaCheck.cudnn(cudnnCreateTensorDescriptor(xDesc), "cudnnCreateTensorDescriptor");
        CudaCheck.cudnn(cudnnCreateTensorDescriptor(yDesc), "cudnnCreateTensorDescriptor");
        CudaCheck.cudnn(cudnnCreateFilterDescriptor(wDesc), "cudnnCreateFilterDescriptor");
        CudaCheck.cudnn(cudnnCreateConvolutionDescriptor(convDesc), "cudnnCreateConvolutionDescriptor");
        // BF16: bf16 operands (Bf16Operands stages them), fp32 compute type in the convolution descriptor
        int data = precision == Precision.BF16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
        CudaCheck.cudnn(cudnnSetTensor4dDescriptor(xDesc, CUDNN_TENSOR_NCHW, data, x.n(), x.c(), x.h(), x.w()),
                "cudnnSetTensor4dDescriptor(x " + x + ")");
        CudaCheck.cudnn(cudnnSetTensor4dDescriptor(yDesc, CUDNN_TENSOR_NCHW, data, y.n(), y.c(), y.h(), y.w()),
                "cudnnSetTensor4dDescriptor(y " + y + ")");
        CudaCheck.cudnn(cudnnSetFilter4dDescriptor(wDesc, data, CUDNN_TENSOR_NCHW, w.dim(0), w.dim(1), w.dim(2), w.dim(3)),
                "cudnnSetFilter4dDescriptor(w " + w + ")");
        int p = geometry.padding(), s = geometry.stride();
        CudaCheck.cudnn(cudnnSetConvolution2dDescriptor(convDesc, p, p, s, s, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                "cudnnSetConvolution2dDescriptor(stride " + s + ", padding " + p + ")");
        mathType = switch (precision) {
            case FP32 -> CUDNN_FMA_MATH;
            case TF32 -> CUDNN_DEFAULT_MATH;
            case BF16 -> CUDNN_TENSOR_OP_MATH;
        };
        CudaCheck.cudnn(cudnnSetConvolutionMathType(convDesc, mathType), "cudnnSetConvolutionMathType(" + precision + ")");
        int[] n = new int[1], c = new int[1], h = new int[1], wo = new int[1];
        CudaCheck.cudnn(cudnnGetConvolution2dForwardOutputDim(convDesc, xDesc, wDesc, n, c, h, wo), "cudnnGetConvolution2dForwardOutputDim");
        if (n[0] != y.n() || c[0] != y.c() || h[0] != y.h() || wo[0] != y.w()) {
            throw new IllegalStateException("cuDNN computes output [" + n[0] + ", " + c[0] + ", " + h[0] + ", " + wo[0] + "] for " + geometry
                    + ", expected " + y);
        }
    }

    private void find(cudnnContext handle, BufferAllocator allocator, Pointer x, Pointer w, Pointer y, long limit) {
        DeviceBuffer trial = trialWorkspace(allocator, limit);
        Pointer ws = trial == null ? null : trial.pointer();
        long wsBytes = trial == null ? 0 : trial.bytes();
        int[] returned = new int[1];
        List<ConvAlgoChoice.Candidate> found = new ArrayList<>();
        try {
            switch (geometry.primitive()) {
                case FORWARD -> {
                    try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(CUDNN_CONVOLUTION_FWD_ALGO_COUNT)) {
                        CudaCheck.cudnn(cudnnFindConvolutionForwardAlgorithmEx(handle, xDesc, x, wDesc, w, convDesc, yDesc, y,
                                CUDNN_CONVOLUTION_FWD_ALGO_COUNT, returned, perf, ws, wsBytes), "cudnnFindConvolutionForwardAlgorithmEx(" + geometry + ")");
                        for (int i = 0; i < returned[0]; i++) {
                            perf.position(i);
                            found.add(new ConvAlgoChoice.Candidate(perf.algo(), perf.status(), perf.memory(), perf.mathType(), perf.time()));
                        }
                    }
                }
                case BACKWARD_DATA -> {
                    try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT)) {
                        CudaCheck.cudnn(cudnnFindConvolutionBackwardDataAlgorithmEx(handle, wDesc, w, yDesc, y, convDesc, xDesc, x,
                                CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, returned, perf, ws, wsBytes),
                                "cudnnFindConvolutionBackwardDataAlgorithmEx(" + geometry + ")");
                        for (int i = 0; i < returned[0]; i++) {
                            perf.position(i);
                            found.add(new ConvAlgoChoice.Candidate(perf.algo(), perf.status(), perf.memory(), perf.mathType(), perf.time()));
                        }
                    }
                }
                case BACKWARD_FILTER -> {
                    try (cudnnConvolutionBwdFilterAlgoPerf_t perf =
                                 new cudnnConvolutionBwdFilterAlgoPerf_t(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT)) {
                        CudaCheck.cudnn(cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, xDesc, x, yDesc, y, convDesc, wDesc, w,
                                CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, returned, perf, ws, wsBytes),
                                "cudnnFindConvolutionBackwardFilterAlgorithmEx(" + geometry + ")");
                        for (int i = 0; i < returned[0]; i++) {
                            perf.position(i);
                            found.add(new ConvAlgoChoice.Candidate(perf.algo(), perf.status(), perf.memory(), perf.mathType(), perf.time()));
                        }
                    }
                }
            }
        } finally {
            if (trial != null) trial.close();
        }
        ConvAlgoChoice.Candidate c = ConvAlgoChoice.pick(found, precision, Math.min(limit, wsBytes));
        if (c == null) {
            throw new IllegalStateException("cuDNN found no usable algorithm for " + geometry + " in " + precision + " with " + wsBytes
                    + " bytes of workspace: " + ConvAlgoChoice.rejections(found, precision, Math.min(limit, wsBytes)));
        }
        algo = c.algo();
        workspaceBytes = c.memory();
        findMillis = c.millis();
        if (precision != Precision.FP32 && c.mathType() != mathType) {
            mathType = c.mathType(); // run it under the math type it was measured with (FP32 keeps FMA)
            CudaCheck.cudnn(cudnnSetConvolutionMathType(convDesc, mathType), "cudnnSetConvolutionMathType(found " + mathType + ")");
        }
    }

    /** Scratch for the algorithm search: as much as allowed, halved while the device refuses. */
    private static DeviceBuffer trialWorkspace(BufferAllocator allocator, long limit) {
        for (long bytes = limit; bytes >= (1L << 20); bytes /= 2) {
            try {
                return new DeviceBuffer(allocator, allocator.allocate(bytes), bytes, null);
            } catch (DeviceOutOfMemoryException e) {
                // try a smaller one: algorithms that need less still compete
            }
        }
        return null;
    }

    /** Queues the convolution on the handle's stream: y = conv(x, w), x = dgrad(w, y) or w = wgrad(x, y), by primitive. */
    void run(cudnnContext handle, Pointer x, Pointer w, Pointer y, FloatPointer one, FloatPointer zero, Pointer ws) {
        if (closed) throw new IllegalStateException("convolution plan for " + geometry + " is closed");
        switch (geometry.primitive()) {
            case FORWARD -> CudaCheck.cudnn(cudnnConvolutionForward(handle, one, xDesc, x, wDesc, w, convDesc, algo, ws, workspaceBytes,
                    zero, yDesc, y), "cudnnConvolutionForward(" + geometry + ", algo " + algo + ")");
            case BACKWARD_DATA -> CudaCheck.cudnn(cudnnConvolutionBackwardData(handle, one, wDesc, w, yDesc, y, convDesc, algo, ws,
                    workspaceBytes, zero, xDesc, x), "cudnnConvolutionBackwardData(" + geometry + ", algo " + algo + ")");
            case BACKWARD_FILTER -> CudaCheck.cudnn(cudnnConvolutionBackwardFilter(handle, one, xDesc, x, yDesc, y, convDesc, algo, ws,
                    workspaceBytes, zero, wDesc, w), "cudnnConvolutionBackwardFilter(" + geometry + ", algo " + algo + ")");
        }
    }

    ConvGeometry geometry() { return geometry; }

    int algo() { return algo; }

    /** Workspace the chosen algorithm needs (the shared workspace holds at least this much when it runs). */
    long workspaceBytes() { return workspaceBytes; }

    /** What cuDNN measured for the chosen algorithm during the search, in ms. */
    float findMillis() { return findMillis; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        Runnable[] steps = {
            () -> { if (!convDesc.isNull()) CudaCheck.cudnn(cudnnDestroyConvolutionDescriptor(convDesc), "cudnnDestroyConvolutionDescriptor"); },
            () -> { if (!wDesc.isNull()) CudaCheck.cudnn(cudnnDestroyFilterDescriptor(wDesc), "cudnnDestroyFilterDescriptor"); },
            () -> { if (!yDesc.isNull()) CudaCheck.cudnn(cudnnDestroyTensorDescriptor(yDesc), "cudnnDestroyTensorDescriptor"); },
            () -> { if (!xDesc.isNull()) CudaCheck.cudnn(cudnnDestroyTensorDescriptor(xDesc), "cudnnDestroyTensorDescriptor"); },
        };
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
