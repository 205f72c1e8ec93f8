package org.anoscan.backend.cpu;

/**
 * The native scratch of one convolution worker: the column matrix of a batch tile, the tile of
 * outputs or gradients gathered side by side, and a partial weight gradient. Reused across calls.
 */
final class ConvWorkspace implements AutoCloseable {
    final ScratchBuffer columns = new ScratchBuffer("conv column matrix");
    final ScratchBuffer tile = new ScratchBuffer("conv batch tile");
    final ScratchBuffer partialGrad = new ScratchBuffer("conv partial weight gradient");

    @Override
    public void close() {
        columns.close();
        tile.close();
        partialGrad.close();
    }
}
