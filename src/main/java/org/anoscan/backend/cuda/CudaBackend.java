package org.anoscan.backend.cuda;

import org.anoscan.backend.FoldedConv;
import static org.bytedeco.cuda.global.cudart.cuCtxGetCurrent;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGraphDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphInstantiateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamBeginCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamCaptureModeThreadLocal;
import static org.bytedeco.cuda.global.cudart.cudaStreamEndCapture;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.cublas.cublasSaxpy_v2;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Backend;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.CapturedGraph;
import org.anoscan.backend.Checks;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.DeviceMemory;
import org.anoscan.backend.GraphCapable;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * One CUDA device: cuDNN convolutions with cached plans, the kernels of cuda-kernels/ (through their typed
 * launchers, {@link NativeKernels}), one stream for everything, a pool of device buffers, and CUDA graph capture. Ops only queue work; host copies
 * ({@link #toHost}) wait for it, and are where asynchronous kernel errors surface.
 *
 * <p>Beyond {@link Backend}: fused ops for inference ({@link #biasActivation}, {@link #foldBatchNorm}),
 * {@link GraphCapable}, {@link DeviceMemory}, and a {@link #timer()} for benchmarks. Used by one thread at a
 * time; another thread may take over (the device is made current again on its first call).
 */
public final class CudaBackend implements Backend, GraphCapable, DeviceMemory {
    private final int index;
    private final String name;
    private final String deviceName;
    private final int ccMajor;
    private final int ccMinor;
    private final int multiprocessors;
    private final long totalMemory;
    private final AtomicLong liveTensors = new AtomicLong();
    private final AtomicLong liveBytes = new AtomicLong();
    private final Set<CudaGraph> graphs = new LinkedHashSet<>();
    private final List<AutoCloseable> resources = new ArrayList<>(); // closed in reverse order
    private final CudaAllocator allocator;
    private final CudaStream stream;
    private final CublasHandle cublas;
    private final DevicePool pool;
    private final CudaKernels kernels;
    private final CudnnConvolutions conv;
    private final CudaOps ops;
    private final FloatPointer hostScalar = new FloatPointer(1);
    /** The device's primary context, which the runtime (cudart, cuDNN, cuBLAS) and the driver API calls share. */
    private final CUctx_st context = new CUctx_st();
    private Precision precision = Precision.FP32;
    private long graphCaptures;
    private Thread boundThread;
    private boolean closed;

    /** Opens device {@code index}; prefer {@link CudaBackendProvider#open(int)}, which checks that CUDA is there. */
    public CudaBackend(int index) {
        this.index = index;
        this.name = "cuda:" + index;
        CudaCheck.cuda(cudaSetDevice(index), "cudaSetDevice(" + index + ")");
        // cudaFree(NULL) creates the primary context and makes it current on this thread whatever the CUDA
        // version; the driver API (cuModuleLoadData, cuLaunchKernel) needs it current, so keep its handle
        // and make it current explicitly on every thread that takes the backend over (see enter)
        CudaCheck.cuda(cudaFree(null), "cudaFree(NULL) (creating the primary context of cuda:" + index + ")");
        CudaCheck.driver(cuInit(0), "cuInit");
        CudaCheck.driver(cuCtxGetCurrent(context), "cuCtxGetCurrent");
        if (context.isNull()) throw new IllegalStateException(name + ": no current CUDA context after cudaSetDevice and cudaFree");
        boundThread = Thread.currentThread();
        try (cudaDeviceProp props = new cudaDeviceProp()) {
            CudaCheck.cuda(cudaGetDeviceProperties(props, index), "cudaGetDeviceProperties(" + index + ")");
            deviceName = props.name().getString().trim();
            ccMajor = props.major();
            ccMinor = props.minor();
            multiprocessors = props.multiProcessorCount();
            totalMemory = props.totalGlobalMem();
        }
        resources.add(hostScalar);
        try {
            allocator = new CudaAllocator(this);
            stream = add(new CudaStream());
            CudnnHandle cudnn = add(new CudnnHandle(stream));
            cublas = add(new CublasHandle(stream));
            pool = add(new DevicePool(allocator, name));
            kernels = new CudaKernels(stream);
            conv = add(new CudnnConvolutions(this, cudnn));
            ops = new CudaOps(this, kernels);
        } catch (RuntimeException | Error e) {
            RuntimeException cleanup = closeResources(null);
            if (cleanup != null) e.addSuppressed(cleanup);
            throw e;
        }
    }

    private <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        String tf32 = precision == Precision.TF32 && "0".equals(System.getenv("NVIDIA_TF32_OVERRIDE"))
                ? " (NVIDIA_TF32_OVERRIDE=0 turns TF32 off)" : "";
        return String.format(Locale.ROOT, "%s %s (compute %d.%d, %d SMs, %.1f GiB), %s, %s convolutions%s", name, deviceName, ccMajor,
                ccMinor, multiprocessors, totalMemory / (1024.0 * 1024 * 1024), CudaProbe.get().versions(), precision, tf32);
    }

    @Override
    public Precision precision() {
        return precision;
    }

    /**
     * FP32: strict fp32 convolutions (no tensor cores); TF32: cuDNN may use TF32 tensor cores; BF16: convolutions read and
     * write bf16 copies of their operands (bf16 tensor cores, fp32 accumulation). Other ops are fp32 always.
     */
    @Override
    public void setPrecision(Precision precision) {
        if (precision == null) throw new IllegalArgumentException(name + ": precision is null");
        this.precision = precision;
    }

    /** TF32 from compute capability 8.0 (Ampere) on, where tensor cores take fp32 data as TF32. */
    @Override
    public Precision defaultPrecision() {
        return ccMajor >= 8 ? Precision.TF32 : Precision.FP32;
    }

    public String deviceName() {
        return deviceName;
    }

    // ---- memory ----

    @Override
    public Tensor zeros(Shape shape) {
        enter("zeros");
        try (OpScope op = scope()) {
            CudaTensor t = op.out(shape);
            CudaCheck.cuda(cudaMemsetAsync(t.buffer().pointer(), 0, 4L * shape.size(), stream.handle()), "cudaMemsetAsync");
            return op.done(t);
        }
    }

    @Override
    public Tensor fromHost(float[] data, Shape shape) {
        enter("fromHost");
        noHostCopyInCapture("fromHost");
        if (data.length != shape.size()) throw new IllegalArgumentException("fromHost: " + data.length + " values do not fill shape " + shape);
        try (OpScope op = scope(); FloatPointer host = new FloatPointer(data)) {
            CudaTensor t = op.out(shape);
            CudaCheck.cuda(cudaMemcpyAsync(t.buffer().pointer(), host, 4L * data.length, cudaMemcpyHostToDevice, stream.handle()),
                    "cudaMemcpyAsync(host to device, " + shape + ")");
            stream.synchronize("fromHost"); // the host buffer is freed next
            return op.done(t);
        }
    }

    @Override
    public float[] toHost(Tensor t) {
        enter("toHost");
        DeviceBuffer b = buffer("toHost", "t", t);
        noHostCopyInCapture("toHost");
        float[] out = new float[t.size()];
        try (FloatPointer host = new FloatPointer(out.length)) {
            CudaCheck.cuda(cudaMemcpyAsync(host, b.pointer(), 4L * out.length, cudaMemcpyDeviceToHost, stream.handle()),
                    "cudaMemcpyAsync(device to host, " + t.shape() + ")");
            stream.synchronize("toHost");
            host.get(out);
        }
        return out;
    }

    @Override
    public void copyInto(Tensor src, Tensor dst) {
        enter("copyInto");
        DeviceBuffer s = buffer("copyInto", "src", src), d = buffer("copyInto", "dst", dst);
        Checks.sameShape("copyInto", src, dst);
        if (s == d) return;
        CudaCheck.cuda(cudaMemcpyAsync(d.pointer(), s.pointer(), 4L * src.size(), cudaMemcpyDeviceToDevice, stream.handle()),
                "cudaMemcpyAsync(device to device, " + src.shape() + ")");
    }

    @Override
    public void fill(Tensor t, float value) {
        enter("fill");
        ops.fill(t, value);
    }

    @Override
    public long liveTensors() {
        return liveTensors.get();
    }

    @Override
    public long liveBytes() {
        return liveBytes.get();
    }

    /** Device bytes the pool holds (lent and idle), excluding convolution workspaces. */
    public long pooledBytes() {
        return closed ? 0 : pool.allocatedBytes();
    }

    /** cudaMalloc calls made by the pool so far: constant once a loop reached its steady state. */
    public long poolAllocations() {
        return closed ? 0 : pool.allocations();
    }

    /** Convolution plans made so far, and the bytes of the one workspace they share. */
    public int convPlans() {
        return closed ? 0 : conv.planCount();
    }

    public long convWorkspaceBytes() {
        return closed ? 0 : conv.workspaceBytes();
    }

    /** Free device memory plus the pool's idle buffers: what a new batch can count on. */
    @Override
    public long freeDeviceMemory() {
        enter("freeDeviceMemory");
        return deviceFreeBytes() + pool.idleBytes();
    }

    @Override
    public long totalDeviceMemory() {
        return totalMemory;
    }

    /** Frees the pool's idle buffers and the convolution workspace (unless a live graph holds it). */
    @Override
    public void releaseIdleMemory() {
        enter("releaseIdleMemory");
        pool.trim();
        conv.releaseIdle();
    }

    /** Graph captures made so far (a latent search on this backend makes one per batch). */
    public long graphCaptures() {
        return graphCaptures;
    }

    /** Free memory as the driver reports it. */
    long deviceFreeBytes() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            CudaCheck.cuda(cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return free.get();
        }
    }

    // ---- convolutions ----

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        enter("conv2d");
        return conv.conv2d(x, w, bias, spec);
    }

    @Override
    public Tensor conv2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        enter("conv2dBackwardData");
        return conv.conv2dBackwardData(dy, w, xShape, spec);
    }

    @Override
    public Tensor conv2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        enter("conv2dBackwardFilter");
        return conv.conv2dBackwardFilter(dy, x, wShape, spec);
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        enter("convTranspose2d");
        return conv.convTranspose2d(x, w, bias, spec);
    }

    @Override
    public Tensor convTranspose2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        enter("convTranspose2dBackwardData");
        return conv.convTranspose2dBackwardData(dy, w, xShape, spec);
    }

    @Override
    public Tensor convTranspose2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        enter("convTranspose2dBackwardFilter");
        return conv.convTranspose2dBackwardFilter(dy, x, wShape, spec);
    }

    @Override
    public Tensor biasBackward(Tensor dy) {
        enter("biasBackward");
        return ops.biasBackward(dy);
    }

    // ---- batch norm ----

    @Override
    public BatchNormState batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float momentum,
                                         float eps) {
        enter("batchNormTrain");
        return ops.batchNormTrain(x, gamma, beta, runningMean, runningVar, momentum, eps);
    }

    @Override
    public Tensor batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps) {
        enter("batchNormEval");
        return ops.batchNormEval(x, gamma, beta, runningMean, runningVar, eps);
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, boolean weightGrads) {
        enter("batchNormBackward");
        return ops.batchNormBackward(dy, x, gamma, saveMean, saveInvStd, weightGrads);
    }

    @Override
    public Tensor batchNormEvalBackward(Tensor dy, Tensor gamma, Tensor runningVar, float eps) {
        enter("batchNormEvalBackward");
        return ops.batchNormEvalBackward(dy, gamma, runningVar, eps);
    }

    // ---- fused inference ops (CUDA only) ----

    /**
     * y = a(y + bias[c]) in place over an NCHW tensor, in one pass; bias or a may be null. The epilogue of
     * a convolution whose eval-mode batch norm was folded into it by {@link #foldBatchNorm}.
     */
    @Override
    public void biasActivation(Tensor y, Tensor bias, Activation a) {
        enter("biasActivation");
        ops.biasActivation(y, bias, a);
    }

    /**
     * Folds an eval-mode batch norm (gamma, beta, running mean and variance, eps) that follows a
     * convolution with weight w (conv2d [Cout,Cin,k,k], or conv-transpose2d [Cin,Cout,k,k] when
     * {@code transposed}) and optional bias into a new weight and bias: conv + BN becomes one conv and one
     * {@link #biasActivation} pass.
     */
    @Override
    public FoldedConv foldBatchNorm(Tensor w, boolean transposed, Tensor bias, Tensor gamma, Tensor beta, Tensor runningMean,
                                    Tensor runningVar, float eps) {
        enter("foldBatchNorm");
        return ops.foldBatchNorm(w, transposed, bias, gamma, beta, runningMean, runningVar, eps);
    }

    // ---- element-wise ----

    @Override
    public Tensor activation(Activation a, Tensor x) {
        enter("activation");
        return ops.activation(a, x);
    }

    @Override
    public Tensor activationBackward(Activation a, Tensor x, Tensor y, Tensor dy) {
        enter("activationBackward");
        return ops.activationBackward(a, x, y, dy);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        enter("add");
        return ops.add(a, b);
    }

    /** cuBLAS saxpy (alpha is read now, so a captured graph keeps this alpha). */
    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        enter("axpy");
        DeviceBuffer xb = buffer("axpy", "x", x), yb = buffer("axpy", "y", y);
        Checks.sameShape("axpy", x, y);
        hostScalar.put(0, alpha);
        CudaCheck.cublas(cublasSaxpy_v2(cublas.handle(), x.size(), hostScalar, new FloatPointer(xb.pointer()), 1,
                new FloatPointer(yb.pointer()), 1), "cublasSaxpy(" + x.shape() + ")");
    }

    @Override
    public Tensor absDiff(Tensor a, Tensor b) {
        enter("absDiff");
        return ops.absDiff(a, b);
    }

    // ---- losses and reductions ----

    @Override
    public Tensor l1PerSample(Tensor a, Tensor b) {
        enter("l1PerSample");
        return ops.l1PerSample(a, b);
    }

    @Override
    public LossAndGrad l1LossWithGrad(Tensor pred, Tensor target, float weight) {
        enter("l1LossWithGrad");
        return ops.l1LossWithGrad(pred, target, weight);
    }

    @Override
    public LossAndGrad l2LossWithGrad(Tensor pred, Tensor target, float weight) {
        enter("l2LossWithGrad");
        return ops.l2LossWithGrad(pred, target, weight);
    }

    @Override
    public LossAndGrad bceWithLogits(Tensor logits, float target) {
        enter("bceWithLogits");
        return ops.bceWithLogits(logits, target);
    }

    // ---- optimisers ----

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, AdamConfig cfg) {
        enter("adamStep");
        ops.adamStep(param, grad, m, v, step, cfg);
    }

    @Override
    public void adamPerSampleStep(Tensor z, Tensor grad, Tensor m, Tensor v, Tensor steps, Tensor active, AdamConfig cfg) {
        enter("adamPerSampleStep");
        ops.adamPerSampleStep(z, grad, m, v, steps, active, cfg);
    }

    @Override
    public void keepBest(Tensor loss, Tensor bestLoss, Tensor z, Tensor bestZ) {
        enter("keepBest");
        ops.keepBest(loss, bestLoss, z, bestZ);
    }

    // ---- fused steps of the latent search (one kernel each) ----

    @Override
    public LossAndGrad residualTanhBackward(Tensor gz, Tensor x, Tensor dgz, float weight) {
        enter("residualTanhBackward");
        return ops.residualTanhBackward(gz, x, dgz, weight);
    }

    @Override
    public LossAndGrad featureLeakyBackward(Tensor fg, Tensor fx, float weight) {
        enter("featureLeakyBackward");
        return ops.featureLeakyBackward(fg, fx, weight);
    }

    @Override
    public Tensor searchUpdate(Tensor lossA, Tensor lossB, Tensor bestLoss, Tensor z, Tensor bestZ, Tensor grad, Tensor m, Tensor v,
                               Tensor steps, Tensor active, AdamConfig cfg) {
        enter("searchUpdate");
        return ops.searchUpdate(lossA, lossB, bestLoss, z, bestZ, grad, m, v, steps, active, cfg);
    }

    // ---- graphs ----

    /**
     * Captures {@code body} into a CUDA graph (stream capture in thread-local mode); see
     * {@link GraphCapable} for the contract. Nothing runs during the capture.
     */
    @Override
    public CapturedGraph capture(Runnable body) {
        enter("capture");
        if (pool.capturing()) throw new IllegalStateException(name + ": captures cannot nest");
        pool.beginCapture();
        CUgraph_st graph = new CUgraph_st();
        Throwable failure = null;
        int endStatus;
        try {
            CudaCheck.cuda(cudaStreamBeginCapture(stream.handle(), cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        } catch (RuntimeException e) {
            pool.endCapture(false);
            throw e;
        }
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            endStatus = cudaStreamEndCapture(stream.handle(), graph);
        }
        List<DeviceBuffer> reserved = pool.endCapture(failure == null && endStatus == cudaSuccess);
        CudaGraph made = null;
        try {
            if (failure instanceof RuntimeException r) throw r;
            if (failure instanceof Error err) throw err;
            CudaCheck.cuda(endStatus, "cudaStreamEndCapture (did the body copy to or from the host, or wait for the device?)");
            CUgraphExec_st exec = new CUgraphExec_st();
            CudaCheck.cuda(cudaGraphInstantiateWithFlags(exec, graph, 0), "cudaGraphInstantiateWithFlags");
            made = new CudaGraph(this, exec, reserved);
            graphs.add(made);
            graphCaptures++;
        } finally {
            if (made == null) pool.unreserve(reserved);
            // the executable graph does not need the graph; a failure to free it is reported unless another is on its way
            int destroyed = graph.isNull() ? cudaSuccess : cudaGraphDestroy(graph);
            if (made != null && destroyed != cudaSuccess) {
                made.close();
                CudaCheck.cuda(destroyed, "cudaGraphDestroy");
            }
        }
        return made;
    }

    void graphClosed(CudaGraph g, List<DeviceBuffer> reserved) {
        graphs.remove(g);
        if (!closed) {
            pool.unreserve(reserved);
            if (graphs.isEmpty()) conv.graphsGone();
        }
    }

    /** Whether a captured graph is alive (it holds the addresses it was recorded with). */
    boolean hasGraphs() {
        return !graphs.isEmpty();
    }

    boolean capturing() {
        return !closed && pool.capturing();
    }

    // ---- timing and synchronisation ----

    /** A device-side timer on this backend's stream (for benchmarks). */
    public CudaTimer timer() {
        enter("timer");
        return new CudaTimer(this);
    }

    /** Waits until all queued work has run; throws the first asynchronous error. */
    public void synchronize() {
        enter("synchronize");
        stream.synchronize("synchronize");
    }

    // ---- for the classes of this package ----

    /**
     * Makes this backend's device current on the calling thread (the runtime's device and the driver's
     * context are per thread) and throws once closed.
     */
    void enter(String op) {
        if (closed) throw new IllegalStateException(op + ": backend " + name + " is closed");
        Thread t = Thread.currentThread();
        if (t != boundThread) {
            CudaCheck.cuda(cudaSetDevice(index), "cudaSetDevice(" + index + ")");
            CudaCheck.driver(cuCtxSetCurrent(context), "cuCtxSetCurrent(primary context of " + name + ")");
            boundThread = t;
        }
    }

    /** Checks t (open, this backend's) and returns its buffer, recording it when a graph capture runs. */
    DeviceBuffer buffer(String op, String tensorName, Tensor t) {
        Checks.usable(op, tensorName, t, this);
        DeviceBuffer b = ((CudaTensor) t).buffer();
        pool.touch(b);
        return b;
    }

    CudaTensor allocate(Shape shape) {
        if (closed) throw new IllegalStateException(name + ": backend is closed");
        long bytes = 4L * shape.size();
        CudaTensor t = new CudaTensor(this, shape, pool.acquire(bytes));
        liveTensors.incrementAndGet();
        liveBytes.addAndGet(bytes);
        return t;
    }

    void releaseStorage(CudaTensor t, DeviceBuffer b) {
        liveTensors.decrementAndGet();
        liveBytes.addAndGet(-b.bytes());
        if (!closed) pool.release(b);
    }

    DeviceBuffer scratch(long bytes) {
        return pool.acquire(bytes);
    }

    void releaseScratch(DeviceBuffer b) {
        if (!closed) pool.release(b);
    }

    OpScope scope() {
        return new OpScope(this);
    }

    CudaKernels kernels() {
        return kernels;
    }

    CudaStream stream() {
        return stream;
    }

    BufferAllocator allocator() {
        return allocator;
    }

    private void noHostCopyInCapture(String op) {
        if (pool.capturing()) {
            throw new IllegalStateException(op + ": no host copies inside a graph capture (" + name + "); copy before or after the body");
        }
    }

    /**
     * Waits for queued work, closes open graphs, then frees plans, kernels, handles, the pool and the
     * stream. Tensors still open become unusable. A second close is harmless.
     */
    @Override
    public void close() {
        if (closed) return;
        RuntimeException first = null;
        try {
            enter("close");
            stream.synchronize("close");
        } catch (RuntimeException e) {
            first = e;
        }
        for (CudaGraph g : new ArrayList<>(graphs)) {
            try {
                g.close();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        closed = true;
        first = closeResources(first);
        if (first != null) throw first;
    }

    /** Closes the resources in reverse order of creation; returns the first failure, the others suppressed in it. */
    private RuntimeException closeResources(RuntimeException first) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(name + ": close failed", e);
                if (first == null) first = r; else first.addSuppressed(r);
            }
        }
        resources.clear();
        closed = true;
        return first;
    }
}
