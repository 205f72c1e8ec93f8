package org.anoscan.backend.cpu;

/**
 * The scratch of one convolution worker, reused across calls: in native memory (for OpenBLAS) the
 * column matrix of a batch tile, the tile of outputs or gradients gathered side by side, and a
 * partial weight gradient; on the Java heap, the arrays im2col / col2im and the fused activation
 * passes work in.
 */
final class ConvWorkspace implements AutoCloseable {
    final ScratchBuffer columns = new ScratchBuffer("conv column matrix");
    final ScratchBuffer tile = new ScratchBuffer("conv batch tile");
    final ScratchBuffer partialGrad = new ScratchBuffer("conv partial weight gradient");
    private float[] columnArray = new float[0];
    private float[] imageArray = new float[0];
    private float[] planeArray = new float[0];
    private float[] outputArray = new float[0];

    /** A heap array of at least n floats for a column tile (contents not kept). */
    float[] columnArray(int n) {
        if (columnArray.length < n) columnArray = new float[n];
        return columnArray;
    }

    /** A heap array of at least n floats for one image (contents not kept). */
    float[] imageArray(int n) {
        if (imageArray.length < n) imageArray = new float[n];
        return imageArray;
    }

    /** A heap array of at least n floats for a stretch of values being transformed (contents not kept). */
    float[] planeArray(int n) {
        if (planeArray.length < n) planeArray = new float[n];
        return planeArray;
    }

    /** A heap array of at least n floats for the activation outputs a derivative is read from (contents not kept). */
    float[] outputArray(int n) {
        if (outputArray.length < n) outputArray = new float[n];
        return outputArray;
    }

    @Override
    public void close() {
        columns.close();
        tile.close();
        partialGrad.close();
        columnArray = new float[0];
        imageArray = new float[0];
        planeArray = new float[0];
        outputArray = new float[0];
    }
}
