package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaGraphExecDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphLaunch;

import java.util.List;
import org.anoscan.backend.CapturedGraph;
import org.bytedeco.cuda.cudart.CUgraphExec_st;

/**
 * An instantiated CUDA graph of one captured body (see {@link org.anoscan.backend.GraphCapable}). Owns
 * the executable graph and the reservation of every pooled buffer the body touched: until it is closed,
 * none of those buffers is lent to anyone else.
 */
final class CudaGraph implements CapturedGraph {
    private final CudaBackend cuda;
    private final List<DeviceBuffer> reserved;
    private CUgraphExec_st exec;

    CudaGraph(CudaBackend cuda, CUgraphExec_st exec, List<DeviceBuffer> reserved) {
        this.cuda = cuda;
        this.exec = exec;
        this.reserved = reserved;
    }

    @Override
    public void replay() {
        if (exec == null) throw new IllegalStateException(cuda.name() + ": replay of a closed graph");
        cuda.enter("replay");
        if (cuda.capturing()) throw new IllegalStateException(cuda.name() + ": a graph cannot be replayed inside another capture");
        CudaCheck.cuda(cudaGraphLaunch(exec, cuda.stream().handle()), "cudaGraphLaunch");
    }

    /** Buffers this graph keeps reserved. */
    int reservedBuffers() {
        return reserved.size();
    }

    @Override
    public void close() {
        if (exec == null) return;
        CUgraphExec_st e = exec;
        exec = null;
        try {
            CudaCheck.cuda(cudaGraphExecDestroy(e), "cudaGraphExecDestroy");
        } finally {
            cuda.graphClosed(this, reserved);
        }
    }
}
