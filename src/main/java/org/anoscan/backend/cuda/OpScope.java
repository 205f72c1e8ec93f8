package org.anoscan.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.tensor.Shape;

/**
 * The allocations of one op: scratch buffers go back to the pool when the scope closes (stream order
 * makes that safe while kernels that use them are still queued); output tensors are closed too unless
 * the op reached {@link #done}, so an op that fails half-way leaks nothing.
 */
final class OpScope implements AutoCloseable {
    private final CudaBackend cuda;
    private final List<CudaTensor> outputs = new ArrayList<>(3);
    private final List<DeviceBuffer> scratch = new ArrayList<>(2);
    private boolean done;

    OpScope(CudaBackend cuda) {
        this.cuda = cuda;
    }

    /** A new output tensor (contents undefined until a kernel writes it). */
    CudaTensor out(Shape shape) {
        CudaTensor t = cuda.allocate(shape);
        outputs.add(t);
        return t;
    }

    /** A scratch buffer of {@code bytes}, given back when the scope closes. */
    DeviceBuffer scratch(long bytes) {
        DeviceBuffer b = cuda.scratch(bytes);
        scratch.add(b);
        return b;
    }

    /** Marks the op as finished: its outputs now belong to the caller. */
    <T> T done(T result) {
        done = true;
        return result;
    }

    @Override
    public void close() {
        for (DeviceBuffer b : scratch) cuda.releaseScratch(b);
        scratch.clear();
        if (!done) {
            for (CudaTensor t : outputs) t.close();
        }
        outputs.clear();
    }
}
