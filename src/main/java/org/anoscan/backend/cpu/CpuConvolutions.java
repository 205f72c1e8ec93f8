package org.anoscan.backend.cpu;

import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** Convolutions of the CPU backend: im2col / col2im + OpenBLAS sgemm. */
final class CpuConvolutions implements AutoCloseable {
    private final CpuBackend cpu;

    CpuConvolutions(CpuBackend cpu) {
        this.cpu = cpu;
    }

    Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) { throw new UnsupportedOperationException("TODO"); }

    Tensor conv2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) { throw new UnsupportedOperationException("TODO"); }

    Tensor conv2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) { throw new UnsupportedOperationException("TODO"); }

    Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) { throw new UnsupportedOperationException("TODO"); }

    Tensor convTranspose2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) { throw new UnsupportedOperationException("TODO"); }

    Tensor convTranspose2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) { throw new UnsupportedOperationException("TODO"); }

    @Override
    public void close() {
    }
}
