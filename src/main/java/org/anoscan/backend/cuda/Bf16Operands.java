package org.anoscan.backend.cuda;

import static org.anoscan.backend.cuda.DevicePointers.bf16;
import static org.anoscan.backend.cuda.DevicePointers.floats;

import org.bytedeco.javacpp.Pointer;

/**
 * bf16 copies of one convolution's operands for the bf16 precision: the two inputs of the cuDNN primitive
 * are rounded from their fp32 tensors into pooled scratch, cuDNN reads and writes bf16 (accumulating in
 * fp32), and {@link #writeBack} widens the result into the op's fp32 output. Roles as in {@link ConvGeometry}:
 * forward writes y, backward-data writes x, backward-filter writes w. Closing gives the scratch back
 * (stream order keeps it valid for the queued kernels).
 */
final class Bf16Operands implements AutoCloseable {
    private final CudaBackend cuda;
    private final DeviceBuffer x16;
    private final DeviceBuffer w16;
    private final DeviceBuffer y16;
    private final DeviceBuffer out32;
    private final DeviceBuffer out16;
    private final long outCount;

    Bf16Operands(CudaBackend cuda, ConvGeometry g, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y) {
        this.cuda = cuda;
        long nx = g.x().size(), nw = g.filter().size(), ny = g.y().size();
        DeviceBuffer xb = null, wb = null, yb = null;
        try {
            xb = cuda.scratch(2 * nx);
            wb = cuda.scratch(2 * nw);
            yb = cuda.scratch(2 * ny);
            switch (g.primitive()) {
                case FORWARD -> { narrow(x, xb, nx); narrow(w, wb, nw); }
                case BACKWARD_DATA -> { narrow(w, wb, nw); narrow(y, yb, ny); }
                case BACKWARD_FILTER -> { narrow(x, xb, nx); narrow(y, yb, ny); }
            }
        } catch (RuntimeException | Error e) {
            for (DeviceBuffer b : new DeviceBuffer[] {xb, wb, yb}) if (b != null) cuda.releaseScratch(b);
            throw e;
        }
        x16 = xb;
        w16 = wb;
        y16 = yb;
        out32 = switch (g.primitive()) { case FORWARD -> y; case BACKWARD_DATA -> x; case BACKWARD_FILTER -> w; };
        out16 = switch (g.primitive()) { case FORWARD -> y16; case BACKWARD_DATA -> x16; case BACKWARD_FILTER -> w16; };
        outCount = switch (g.primitive()) { case FORWARD -> ny; case BACKWARD_DATA -> nx; case BACKWARD_FILTER -> nw; };
    }

    Pointer x() { return x16.pointer(); }

    Pointer w() { return w16.pointer(); }

    Pointer y() { return y16.pointer(); }

    /** The bf16 result into the op's fp32 output. */
    void writeBack() {
        cuda.kernels().fromBf16(bf16(out16.address()), floats(out32.address()), outCount);
    }

    private void narrow(DeviceBuffer from, DeviceBuffer to, long n) {
        cuda.kernels().toBf16(floats(from.address()), bf16(to.address()), n);
    }

    @Override
    public void close() {
        cuda.releaseScratch(x16);
        cuda.releaseScratch(w16);
        cuda.releaseScratch(y16);
    }
}
