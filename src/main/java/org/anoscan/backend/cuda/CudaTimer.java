package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;

import org.bytedeco.cuda.cudart.CUevent_st;

/** Times work on a backend's stream with two CUDA events (device time, not host time). */
public final class CudaTimer implements AutoCloseable {
    private final CudaBackend cuda;
    private CUevent_st start;
    private CUevent_st stop;

    CudaTimer(CudaBackend cuda) {
        this.cuda = cuda;
        CUevent_st a = new CUevent_st(), b = new CUevent_st();
        CudaCheck.cuda(cudaEventCreate(a), "cudaEventCreate");
        try {
            CudaCheck.cuda(cudaEventCreate(b), "cudaEventCreate");
        } catch (RuntimeException e) {
            cudaEventDestroy(a); // cleanup after a failure: that failure is the one reported
            throw e;
        }
        start = a;
        stop = b;
    }

    /** Marks the start on the stream. */
    public void start() {
        check();
        CudaCheck.cuda(cudaEventRecord(start, cuda.stream().handle()), "cudaEventRecord(start)");
    }

    /** Marks the end on the stream, waits for it, and returns the device time since {@link #start()} in ms. */
    public float stopMillis() {
        check();
        CudaCheck.cuda(cudaEventRecord(stop, cuda.stream().handle()), "cudaEventRecord(stop)");
        CudaCheck.cuda(cudaEventSynchronize(stop), "cudaEventSynchronize");
        float[] ms = new float[1];
        CudaCheck.cuda(cudaEventElapsedTime(ms, start, stop), "cudaEventElapsedTime");
        return ms[0];
    }

    private void check() {
        if (start == null) throw new IllegalStateException("CudaTimer is closed");
        cuda.enter("timer");
    }

    @Override
    public void close() {
        if (start == null) return;
        CUevent_st a = start, b = stop;
        start = null;
        stop = null;
        try {
            CudaCheck.cuda(cudaEventDestroy(a), "cudaEventDestroy");
        } finally {
            CudaCheck.cuda(cudaEventDestroy(b), "cudaEventDestroy");
        }
    }
}
