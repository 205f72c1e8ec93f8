package org.anoscan.backend.cuda;

import org.anoscan.backend.Checks;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.DeviceMemory;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The six convolution ops of the backend on cuDNN's legacy API, through cached {@link ConvPlan}s that share
 * one {@link ConvWorkspace}. Biases are added by the channel_affine_act kernel (one pass, in place) rather
 * than by cuDNN.
 *
 * <p>A plan's algorithm may use at most {@link DeviceMemory#CONV_WORKSPACE_PER_SEARCH} bytes of workspace
 * per sample of its batch (at least {@link #MIN_WORKSPACE_LIMIT}): the latent search counts that in its
 * bytes per search, so a batch sized by free memory also has room for its workspace.
 */
final class CudnnConvolutions implements AutoCloseable {
    /** Most workspace any plan may use, and so the most scratch its algorithm search tries with. */
    static final long MAX_WORKSPACE_LIMIT = 1L << 30;
    /** Workspace a plan of a small batch may use whatever its size. */
    static final long MIN_WORKSPACE_LIMIT = 64L << 20;

    private final CudaBackend cuda;
    private final CudnnHandle cudnn;
    private final ConvPlanCache plans = new ConvPlanCache();
    private final ConvWorkspace workspace;
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);

    CudnnConvolutions(CudaBackend cuda, CudnnHandle cudnn) {
        this.cuda = cuda;
        this.cudnn = cudnn;
        this.workspace = new ConvWorkspace(cuda.allocator(), cuda::hasGraphs);
    }

    Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        DeviceBuffer xb = cuda.buffer("conv2d", "x", x), wb = cuda.buffer("conv2d", "w", w);
        ConvGeometry g = ConvGeometry.conv2d(x.shape(), w.shape(), spec);
        DeviceBuffer bb = bias(g.y(), "conv2d", bias);
        CudaTensor y = cuda.allocate(g.y());
        return runInto(y, () -> {
            run(g, xb, wb, y.buffer());
            if (bb != null) addBias(y, bb);
        });
    }

    Tensor conv2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        DeviceBuffer dyb = cuda.buffer("conv2dBackwardData", "dy", dy), wb = cuda.buffer("conv2dBackwardData", "w", w);
        ConvGeometry g = ConvGeometry.conv2dBackwardData(dy.shape(), w.shape(), xShape, spec);
        CudaTensor dx = cuda.allocate(xShape);
        return runInto(dx, () -> run(g, dx.buffer(), wb, dyb));
    }

    Tensor conv2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        DeviceBuffer dyb = cuda.buffer("conv2dBackwardFilter", "dy", dy), xb = cuda.buffer("conv2dBackwardFilter", "x", x);
        ConvGeometry g = ConvGeometry.conv2dBackwardFilter(dy.shape(), x.shape(), wShape, spec);
        CudaTensor dw = cuda.allocate(wShape);
        return runInto(dw, () -> run(g, xb, dw.buffer(), dyb));
    }

    Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        DeviceBuffer xb = cuda.buffer("convTranspose2d", "x", x), wb = cuda.buffer("convTranspose2d", "w", w);
        ConvGeometry g = ConvGeometry.convTranspose2d(x.shape(), w.shape(), spec);
        DeviceBuffer bb = bias(g.x(), "convTranspose2d", bias);
        CudaTensor y = cuda.allocate(g.x());
        return runInto(y, () -> {
            run(g, y.buffer(), wb, xb); // cuDNN backward-data: the op's input in the gradient role
            if (bb != null) addBias(y, bb);
        });
    }

    Tensor convTranspose2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        DeviceBuffer dyb = cuda.buffer("convTranspose2dBackwardData", "dy", dy), wb = cuda.buffer("convTranspose2dBackwardData", "w", w);
        ConvGeometry g = ConvGeometry.convTranspose2dBackwardData(dy.shape(), w.shape(), xShape, spec);
        CudaTensor dx = cuda.allocate(xShape);
        return runInto(dx, () -> run(g, dyb, wb, dx.buffer())); // cuDNN forward of dy
    }

    Tensor convTranspose2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        DeviceBuffer dyb = cuda.buffer("convTranspose2dBackwardFilter", "dy", dy), xb = cuda.buffer("convTranspose2dBackwardFilter", "x", x);
        ConvGeometry g = ConvGeometry.convTranspose2dBackwardFilter(dy.shape(), x.shape(), wShape, spec);
        CudaTensor dw = cuda.allocate(wShape);
        return runInto(dw, () -> run(g, dyb, dw.buffer(), xb)); // dy as cuDNN's input, x as its gradient
    }

    private DeviceBuffer bias(Shape out, String op, Tensor bias) {
        if (bias == null) return null;
        DeviceBuffer b = cuda.buffer(op, "bias", bias);
        Checks.channels(op, "bias", bias, out.c());
        return b;
    }

    private void addBias(CudaTensor y, DeviceBuffer bias) {
        Shape s = y.shape();
        FloatPointer yp = DevicePointers.floats(y.buffer().address());
        cuda.kernels().channelAffineAct(yp, null, DevicePointers.floats(bias.address()), CudaKernels.ACT_NONE, yp, s.size(), s.c(),
                s.h() * s.w());
    }

    private static Tensor runInto(CudaTensor out, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** Runs the plan of g on buffers in cuDNN's roles (x, w, y), making the plan at the first call. */
    private void run(ConvGeometry g, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y) {
        if (cuda.precision() == Precision.BF16) {
            try (Bf16Operands b = new Bf16Operands(cuda, g, x, w, y)) {
                run(g, b.x(), b.w(), b.y());
                b.writeBack();
            }
        } else {
            run(g, x.pointer(), w.pointer(), y.pointer());
        }
    }

    /** Runs on pointers in cuDNN's roles, in the element type of the backend's precision. */
    private void run(ConvGeometry g, Pointer x, Pointer w, Pointer y) {
        ConvPlan plan = plans.get(g, cuda.precision());
        if (plan == null) {
            if (cuda.capturing()) {
                throw new IllegalStateException(cuda.name() + ": a new convolution plan (" + g + ", " + cuda.precision() + ") was needed "
                        + "inside a graph capture; run the body once uncaptured right before capturing it, and keep every shape the same");
            }
            plan = new ConvPlan(cudnn.handle(), g, cuda.precision(), cuda.allocator(), x, w, y,
                    Math.min(workspaceLimit(g.x().n()), cuda.deviceFreeBytes() / 4));
            plans.put(plan, cuda.precision());
        }
        Pointer ws = workspace.ensure(plan.workspaceBytes(), cuda.capturing());
        plan.run(cudnn.handle(), x, w, y, one, zero, ws);
    }

    /** Workspace a plan for a batch of n may use. */
    static long workspaceLimit(int n) {
        return Math.min(MAX_WORKSPACE_LIMIT, Math.max(MIN_WORKSPACE_LIMIT, n * DeviceMemory.CONV_WORKSPACE_PER_SEARCH));
    }

    int planCount() {
        return plans.size();
    }

    /** Bytes the shared workspace holds. */
    long workspaceBytes() {
        return workspace.bytes();
    }

    /** Frees the workspace when no graph holds it (it grows again at the next convolution). */
    void releaseIdle() {
        workspace.releaseIdle();
    }

    /** The last graph went: workspaces replaced while graphs were alive can go too. */
    void graphsGone() {
        workspace.freeRetired();
    }

    @Override
    public void close() {
        try {
            plans.close();
        } finally {
            try {
                workspace.close();
            } finally {
                one.close();
                zero.close();
            }
        }
    }
}
