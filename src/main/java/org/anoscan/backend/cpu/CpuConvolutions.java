package org.anoscan.backend.cpu;

import java.util.function.Consumer;
import org.anoscan.backend.Activation;
import org.anoscan.backend.Checks;
import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * Convolutions of the CPU backend: argument checks, then each op mapped onto one of the three
 * im2col/col2im + sgemm kernels of {@link ConvKernels}. A conv-transpose2d is the adjoint of the
 * conv2d with the same weight, so its forward is conv2d's backward-data (GEMM then col2im, no
 * zero-stuffed input), its backward-data is a conv2d forward, and its weight gradient is conv2d's
 * with the roles of input and output gradient swapped. Forwards and backward-datas go to oneDNN instead
 * where the {@link ConvLibrary} says so ({@link OneDnnConvolutions}, created on first use).
 */
final class CpuConvolutions implements AutoCloseable {
    private final CpuBackend cpu;
    private final ConvKernels kernels;
    private final ConvLibrary library;
    private OneDnnConvolutions oneDnn;
    private boolean closed;

    CpuConvolutions(CpuBackend cpu, ConvBatching batching, ConvLibrary library) {
        this.cpu = cpu;
        this.kernels = new ConvKernels(cpu, batching);
        this.library = library;
    }

    Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        String op = "conv2d";
        CpuTensor xt = cpu.checked(op, "x", x), wt = tensor(op, "w", w), bt = bias == null ? null : tensor(op, "bias", bias);
        Shape yShape = spec(op, spec).convOutput(op, x.shape(), w.shape());
        if (bt != null) Checks.channels(op, "bias", bt, yShape.c());
        OneDnnConvolutions.Key key = oneDnnKey(false, x.shape(), yShape, w.shape(), spec, bt, null);
        if (key != null) return compute(yShape, y -> oneDnn().run(key, xt, wt, bt, y, false));
        cpu.plain(xt);
        ConvGeometry g = convGeometry(x.shape(), w.shape(), yShape, spec);
        return compute(yShape, y -> kernels.forward(g, yShape.c(), wt, xt, null, y, new ConvKernels.Epilogue(bt, null)));
    }

    Tensor conv2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        String op = "conv2dBackwardData";
        CpuTensor dyt = cpu.checked(op, "dy", dy), wt = tensor(op, "w", w);
        Shape yShape = spec(op, spec).convOutput(op, shape(op, "xShape", xShape), w.shape());
        expectShape(op, "dy", dyt, yShape, "x " + xShape + ", w " + w.shape() + ", " + spec);
        OneDnnConvolutions.Key key = oneDnnKey(true, yShape, xShape, w.shape(), spec, null, null);
        if (key != null) return compute(xShape, dx -> oneDnn().run(key, dyt, wt, null, dx, false));
        cpu.plain(dyt);
        ConvGeometry g = convGeometry(xShape, w.shape(), yShape, spec);
        return compute(xShape, dx -> kernels.backwardData(g, yShape.c(), wt, dyt, null, dx, ConvKernels.Epilogue.NONE));
    }

    Tensor conv2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        String op = "conv2dBackwardFilter";
        CpuTensor dyt = tensor(op, "dy", dy), xt = tensor(op, "x", x);
        Shape yShape = spec(op, spec).convOutput(op, x.shape(), shape(op, "wShape", wShape));
        expectShape(op, "dy", dyt, yShape, "x " + x.shape() + ", w " + wShape + ", " + spec);
        ConvGeometry g = convGeometry(x.shape(), wShape, yShape, spec);
        return compute(wShape, dw -> kernels.backwardFilter(g, yShape.c(), dyt, xt, dw));
    }

    Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        String op = "convTranspose2d";
        CpuTensor xt = cpu.checked(op, "x", x), wt = tensor(op, "w", w), bt = bias == null ? null : tensor(op, "bias", bias);
        Shape yShape = spec(op, spec).convTransposeOutput(op, x.shape(), w.shape());
        if (bt != null) Checks.channels(op, "bias", bt, yShape.c());
        OneDnnConvolutions.Key key = oneDnnKey(true, x.shape(), yShape, w.shape(), spec, bt, null);
        if (key != null) return compute(yShape, y -> oneDnn().run(key, xt, wt, bt, y, false));
        cpu.plain(xt);
        ConvGeometry g = transposeGeometry(x.shape(), w.shape(), yShape, spec);
        return compute(yShape, y -> kernels.backwardData(g, x.shape().c(), wt, xt, null, y, new ConvKernels.Epilogue(bt, null)));
    }

    Tensor convTranspose2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        String op = "convTranspose2dBackwardData";
        CpuTensor dyt = cpu.checked(op, "dy", dy), wt = tensor(op, "w", w);
        Shape yShape = spec(op, spec).convTransposeOutput(op, shape(op, "xShape", xShape), w.shape());
        expectShape(op, "dy", dyt, yShape, "x " + xShape + ", w " + w.shape() + ", " + spec);
        OneDnnConvolutions.Key key = oneDnnKey(false, yShape, xShape, w.shape(), spec, null, null);
        if (key != null) return compute(xShape, dx -> oneDnn().run(key, dyt, wt, null, dx, false));
        cpu.plain(dyt);
        ConvGeometry g = transposeGeometry(xShape, w.shape(), yShape, spec);
        return compute(xShape, dx -> kernels.forward(g, xShape.c(), wt, dyt, null, dx, ConvKernels.Epilogue.NONE));
    }

    Tensor convTranspose2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        String op = "convTranspose2dBackwardFilter";
        CpuTensor dyt = tensor(op, "dy", dy), xt = tensor(op, "x", x);
        Shape yShape = spec(op, spec).convTransposeOutput(op, x.shape(), shape(op, "wShape", wShape));
        expectShape(op, "dy", dyt, yShape, "x " + x.shape() + ", w " + wShape + ", " + spec);
        ConvGeometry g = transposeGeometry(x.shape(), wShape, yShape, spec);
        return compute(wShape, dw -> kernels.backwardFilter(g, x.shape().c(), xt, dyt, dw));
    }

    /** conv2d or conv-transpose2d, then + bias[channel] and the activation a, fused into the kernel's output pass. */
    Tensor convBiasActivation(boolean transposed, Tensor x, Tensor w, Tensor bias, Activation a, ConvSpec spec) {
        String op = transposed ? "convTranspose2dBiasActivation" : "conv2dBiasActivation";
        CpuTensor xt = cpu.checked(op, "x", x), wt = tensor(op, "w", w), bt = bias == null ? null : tensor(op, "bias", bias);
        Shape yShape = transposed ? spec(op, spec).convTransposeOutput(op, x.shape(), w.shape())
                : spec(op, spec).convOutput(op, x.shape(), w.shape());
        if (bt != null) Checks.channels(op, "bias", bt, yShape.c());
        OneDnnConvolutions.Key key = oneDnnKey(transposed, x.shape(), yShape, w.shape(), spec, bt, a);
        if (key != null) return compute(yShape, y -> oneDnn().run(key, xt, wt, bt, y, true));
        cpu.plain(xt);
        ConvKernels.Epilogue epi = new ConvKernels.Epilogue(bt, a);
        if (transposed) {
            ConvGeometry g = transposeGeometry(x.shape(), w.shape(), yShape, spec);
            return compute(yShape, y -> kernels.backwardData(g, x.shape().c(), wt, xt, null, y, epi));
        }
        ConvGeometry g = convGeometry(x.shape(), w.shape(), yShape, spec);
        return compute(yShape, y -> kernels.forward(g, yShape.c(), wt, xt, null, y, epi));
    }

    /**
     * The backward-data of conv2d or conv-transpose2d from dy, the gradient at the output y of activation a
     * that followed it: dy times a'(read from y) is fused into the kernel's input pass.
     */
    Tensor convActivationBackwardData(boolean transposed, Tensor dy, Tensor y, Activation a, Tensor w, Shape xShape, ConvSpec spec) {
        String op = transposed ? "convTranspose2dActivationBackwardData" : "conv2dActivationBackwardData";
        CpuTensor dyt = cpu.checked(op, "dy", dy), yt = cpu.checked(op, "y", y), wt = tensor(op, "w", w);
        if (a == null) throw new IllegalArgumentException(op + ": activation is null");
        Shape yShape = transposed ? spec(op, spec).convTransposeOutput(op, shape(op, "xShape", xShape), w.shape())
                : spec(op, spec).convOutput(op, shape(op, "xShape", xShape), w.shape());
        String context = "x " + xShape + ", w " + w.shape() + ", " + spec;
        expectShape(op, "dy", dyt, yShape, context);
        expectShape(op, "y", yt, yShape, context);
        OneDnnConvolutions.Key key = oneDnnKey(!transposed, yShape, xShape, w.shape(), spec, null, null);
        if (key != null) { // oneDNN has no fused input pass: the derivative goes first, into a temporary
            OneDnnConvolutions dnn = oneDnn();
            synchronized (dnn) { // the layouts of dy and y stay as read
                try (CpuTensor g = timesDerivative(dnn, dyt, yt, a)) {
                    return compute(xShape, dx -> dnn.run(key, g, wt, null, dx, true));
                }
            }
        }
        cpu.plain(dyt);
        cpu.plain(yt);
        ConvKernels.Derivative d = new ConvKernels.Derivative(a, yt);
        if (transposed) {
            ConvGeometry g = transposeGeometry(xShape, w.shape(), yShape, spec);
            return compute(xShape, dx -> kernels.forward(g, xShape.c(), wt, dyt, d, dx, ConvKernels.Epilogue.NONE));
        }
        ConvGeometry g = convGeometry(xShape, w.shape(), yShape, spec);
        return compute(xShape, dx -> kernels.backwardData(g, yShape.c(), wt, dyt, d, dx, ConvKernels.Epilogue.NONE));
    }

    /**
     * The oneDNN op for src -> dst (deconv: a deconvolution, else a convolution) when the library gives it to
     * oneDNN, else null. Only exact geometries go there (big + 2 pad - k = (small - 1) stride), as every
     * DCGAN layer is: an inexact one would need uneven padding in one direction.
     */
    private OneDnnConvolutions.Key oneDnnKey(boolean deconv, Shape src, Shape dst, Shape w, ConvSpec spec, CpuTensor bias,
                                             Activation a) {
        if (library == ConvLibrary.GEMM || w.dim(2) != w.dim(3)) return null;
        Shape big = deconv ? dst : src, small = deconv ? src : dst;
        int k = w.dim(2), s = spec.stride(), p = spec.padding();
        if (big.h() + 2 * p - k != (small.h() - 1) * s || big.w() + 2 * p - k != (small.w() - 1) * s) return null;
        OneDnnConvolutions.Key key = new OneDnnConvolutions.Key(deconv, src.n(), src.c(), src.h(), src.w(), dst.c(), dst.h(), dst.w(), k,
                s, p, bias != null, a);
        return (library == ConvLibrary.ONEDNN || OneDnnConvolutions.suits(key)) && OneDnnLibrary.unavailableReason() == null ? key : null;
    }

    boolean usesOneDnn(boolean deconv, Shape src, Shape dst, Shape w, ConvSpec spec) {
        return oneDnnKey(deconv, src, dst, w, spec, null, null) != null;
    }

    /** Converts t (left in NHWC order by a oneDNN op of this backend) to NCHW in place. */
    void toPlain(CpuTensor t) {
        oneDnn().toPlain(t);
    }

    private synchronized OneDnnConvolutions oneDnn() {
        if (closed) throw new IllegalStateException("cpu: backend is closed");
        if (oneDnn == null) oneDnn = new OneDnnConvolutions();
        return oneDnn;
    }

    /**
     * dy * a'(read from y), as a new tensor (oneDNN's backward-data cannot fuse it), in y's layout when y lies in
     * NHWC order as oneDNN left it (dy is then read in either order), else in NCHW: the same products either way.
     */
    private CpuTensor timesDerivative(OneDnnConvolutions dnn, CpuTensor dy, CpuTensor y, Activation a) {
        Shape yMark = y.channelsLast();
        boolean channelsLast = yMark != null && yMark.equals(y.shape());
        if (!channelsLast) dnn.toPlain(y);
        if (!channelsLast || !yMark.equals(dy.channelsLast())) dnn.toPlain(dy);
        CpuTensor out = cpu.allocUninitialised(dy.shape());
        try {
            if (channelsLast && dy.channelsLast() == null) {
                timesDerivativeTransposing(dy, y, a, out);
            } else {
                CpuLoops.chunked(cpu, dy.size(), (from, to) -> {
                    float[] g = CpuLoops.chunkArray(0), yv = CpuLoops.chunkArray(1);
                    int n = to - from;
                    dy.buffer.get(from, g, 0, n);
                    y.buffer.get(from, yv, 0, n);
                    ActivationMath.timesDerivative(a, g, 0, n, yv, 0);
                    out.buffer.put(from, g, 0, n);
                });
            }
            if (channelsLast) out.markChannelsLast(y.shape());
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** out (NHWC) = dy (NCHW) * a'(y (NHWC)), sample by sample: dy is transposed on the way in. */
    private void timesDerivativeTransposing(CpuTensor dy, CpuTensor y, Activation a, CpuTensor out) {
        Shape s = dy.shape();
        int c = s.c(), hw = s.h() * s.w(), per = c * hw;
        CpuLoops.items(cpu, s.n(), per, i -> {
            float[][] arrays = TRANSPOSE_ARRAYS.get();
            if (arrays[0].length < per) arrays = new float[][] {new float[per], new float[per], new float[per]};
            TRANSPOSE_ARRAYS.set(arrays);
            float[] in = arrays[0], g = arrays[1], yv = arrays[2];
            long base = (long) i * per;
            dy.buffer.get((int) base, in, 0, per);
            y.buffer.get((int) base, yv, 0, per);
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0, from = ch * hw; p < hw; p++) g[p * c + ch] = in[from + p];
            }
            ActivationMath.timesDerivative(a, g, 0, per, yv, 0);
            out.buffer.put((int) base, g, 0, per);
        });
    }

    private static final ThreadLocal<float[][]> TRANSPOSE_ARRAYS = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /** conv2d: columns are read from x; the output y has the GEMM's m = Cout rows. */
    private static ConvGeometry convGeometry(Shape x, Shape w, Shape y, ConvSpec spec) {
        return new ConvGeometry(x.c(), x.h(), x.w(), w.dim(2), w.dim(3), spec.stride(), spec.padding(), y.h(), y.w());
    }

    /** conv-transpose2d: columns are written into the output y; the input x has the GEMM's m = Cin rows. */
    private static ConvGeometry transposeGeometry(Shape x, Shape w, Shape y, ConvSpec spec) {
        return new ConvGeometry(y.c(), y.h(), y.w(), w.dim(2), w.dim(3), spec.stride(), spec.padding(), x.h(), x.w());
    }

    /** Allocates the result (uninitialised: every kernel writes all of it), fills it, and frees it again if filling fails. */
    private Tensor compute(Shape shape, Consumer<CpuTensor> fill) {
        CpuTensor out = cpu.allocUninitialised(shape);
        try {
            fill.accept(out);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    private CpuTensor tensor(String op, String name, Tensor t) {
        cpu.buf(op, name, t);
        return (CpuTensor) t;
    }

    private static ConvSpec spec(String op, ConvSpec spec) {
        if (spec == null) throw new IllegalArgumentException(op + ": spec is null");
        return spec;
    }

    private static Shape shape(String op, String name, Shape s) {
        if (s == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        return s;
    }

    private static void expectShape(String op, String name, Tensor t, Shape expected, String context) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + expected + " for " + context + ", got " + t.shape());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        kernels.close();
        if (oneDnn != null) oneDnn.close();
    }
}
