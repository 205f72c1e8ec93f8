package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Backend;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.Checks;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.FoldedConv;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * The reference backend: native float32 storage, convolutions as im2col + OpenBLAS sgemm, all cores
 * (Java threads over the batch, OpenBLAS single-threaded per call). Every other backend is tested
 * against this one. Convolutions group samples into wide GEMMs by default; {@link ConvBatching#PER_SAMPLE}
 * makes a sample's results independent of its batch mates, bit for bit (see {@link ConvBatching}).
 */
public final class CpuBackend implements Backend {
    private final ForkJoinPool pool;
    private final int threads;
    private final ConvBatching batching;
    private final ConvLibrary library;
    private final AtomicLong liveTensors = new AtomicLong();
    private final AtomicLong liveBytes = new AtomicLong();
    private final CpuConvolutions conv;
    private final CpuOps ops;
    private final CpuFolding folding;
    private final CpuBufferPool buffers = new CpuBufferPool();
    private volatile boolean closed;

    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        this(threads, ConvBatching.WIDE);
    }

    /**
     * Wide batching: oneDNN on the layers it suits when its jars are here and this backend has every core, else
     * GEMMs only (also when its native library then fails to load, on first use).
     */
    public CpuBackend(int threads, ConvBatching batching) {
        this(threads, batching, batching == ConvBatching.WIDE && threads == Runtime.getRuntime().availableProcessors()
                && OneDnnLibrary.present() ? ConvLibrary.PER_LAYER : ConvLibrary.GEMM);
    }

    /**
     * library: who runs the wide convolutions (the per-sample mode always runs GEMMs). oneDNN spreads each
     * convolution over all cores (its OpenMP threads), whatever threads says; asking for it when it does not
     * load is an error.
     */
    public CpuBackend(int threads, ConvBatching batching, ConvLibrary library) {
        if (threads <= 0) throw new IllegalArgumentException("cpu: threads must be positive, got " + threads);
        if (batching == null) throw new IllegalArgumentException("cpu: batching is null");
        if (library == null) throw new IllegalArgumentException("cpu: library is null");
        if (library != ConvLibrary.GEMM && batching == ConvBatching.PER_SAMPLE) {
            throw new IllegalArgumentException("cpu: the per-sample mode runs GEMMs only, not " + library);
        }
        String missing = library == ConvLibrary.ONEDNN ? OneDnnLibrary.unavailableReason() : null;
        if (missing != null) throw new IllegalStateException("cpu: oneDNN is not available: " + missing);
        this.threads = threads;
        this.batching = batching;
        this.library = library;
        this.pool = new ForkJoinPool(threads);
        this.conv = new CpuConvolutions(this, batching, library);
        this.ops = new CpuOps(this);
        this.folding = new CpuFolding(this);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        if (batching == ConvBatching.PER_SAMPLE) return "CPU (" + threads + " threads, OpenBLAS sgemm, per-sample GEMMs)";
        return "CPU (" + threads + " threads, " + switch (library) {
            case GEMM -> "OpenBLAS sgemm)";
            case PER_LAYER -> "oneDNN on the wide layers, OpenBLAS sgemm on the rest)";
            case ONEDNN -> "oneDNN on every layer)";
        };
    }

    @Override
    public Precision precision() {
        return Precision.FP32;
    }

    /** The CPU always computes in fp32; other precisions are accepted and ignored. */
    @Override
    public void setPrecision(Precision precision) {
    }

    public int threads() {
        return threads;
    }

    public ConvBatching batching() {
        return batching;
    }

    public ConvLibrary library() {
        return library;
    }

    /**
     * Whether this backend runs the op from src to dst with weight w on oneDNN: a deconvolution (conv-transpose2d
     * forward, conv2d backward-data) when deconv is set, else a convolution (conv2d forward, conv-transpose2d
     * backward-data).
     */
    public boolean usesOneDnn(boolean deconv, Shape src, Shape dst, Shape w, ConvSpec spec) {
        return conv.usesOneDnn(deconv, src, dst, w, spec);
    }

    // ---- storage helpers for the op classes of this package ----

    /** Checks t (open, this backend's) and returns its storage as a buffer indexed from 0. */
    FloatBuffer buf(String op, String name, Tensor t) {
        return plain(checked(op, name, t)).buffer;
    }

    /** Checks t (open, this backend's) and returns it as it lies, NCHW or NHWC ({@link CpuTensor#channelsLast}). */
    CpuTensor checked(String op, String name, Tensor t) {
        Checks.usable(op, name, t, this);
        return (CpuTensor) t;
    }

    /** t, with its storage converted to NCHW in place if oneDNN left it in NHWC order. */
    CpuTensor plain(CpuTensor t) {
        if (t.channelsLast() != null) conv.toPlain(t);
        return t;
    }

    CpuBufferPool buffers() {
        return buffers;
    }

    CpuTensor alloc(Shape shape) {
        if (closed) throw new IllegalStateException("cpu: backend is closed");
        return new CpuTensor(this, shape, true);
    }

    /** A tensor whose contents are undefined: for ops that write every element. */
    CpuTensor allocUninitialised(Shape shape) {
        if (closed) throw new IllegalStateException("cpu: backend is closed");
        return new CpuTensor(this, shape, false);
    }

    void track(CpuTensor t, int sign) {
        liveTensors.addAndGet(sign);
        liveBytes.addAndGet(sign * 4L * t.size());
    }

    /** Runs body(i) for i in [0, n) on this backend's threads. */
    void parallelFor(int n, java.util.function.IntConsumer body) {
        if (n == 1 || threads == 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }

    // ---- memory ----

    @Override
    public Tensor zeros(Shape shape) {
        return alloc(shape);
    }

    @Override
    public Tensor fromHost(float[] data, Shape shape) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("fromHost: " + data.length + " values do not fill shape " + shape);
        }
        CpuTensor t = alloc(shape);
        t.buffer.put(0, data);
        return t;
    }

    @Override
    public float[] toHost(Tensor t) {
        FloatBuffer b = buf("toHost", "t", t);
        float[] out = new float[t.size()];
        b.get(0, out);
        return out;
    }

    @Override
    public void copyInto(Tensor src, Tensor dst) {
        FloatBuffer s = buf("copyInto", "src", src);
        FloatBuffer d = buf("copyInto", "dst", dst);
        Checks.sameShape("copyInto", src, dst);
        d.put(0, s, 0, src.size());
    }

    @Override
    public void fill(Tensor t, float value) {
        FloatBuffer b = buf("fill", "t", t);
        for (int i = 0, n = t.size(); i < n; i++) b.put(i, value);
    }

    @Override
    public long liveTensors() {
        return liveTensors.get();
    }

    @Override
    public long liveBytes() {
        return liveBytes.get();
    }

    // ---- convolutions ----

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        return conv.conv2d(x, w, bias, spec);
    }

    @Override
    public Tensor conv2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        return conv.conv2dBackwardData(dy, w, xShape, spec);
    }

    @Override
    public Tensor conv2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        return conv.conv2dBackwardFilter(dy, x, wShape, spec);
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        return conv.convTranspose2d(x, w, bias, spec);
    }

    @Override
    public Tensor convTranspose2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec) {
        return conv.convTranspose2dBackwardData(dy, w, xShape, spec);
    }

    @Override
    public Tensor convTranspose2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec) {
        return conv.convTranspose2dBackwardFilter(dy, x, wShape, spec);
    }

    @Override
    public Tensor convBiasActivation(boolean transposed, Tensor x, Tensor w, Tensor bias, Activation a, ConvSpec spec) {
        return conv.convBiasActivation(transposed, x, w, bias, a, spec);
    }

    @Override
    public Tensor convActivationBackwardData(boolean transposed, Tensor dy, Tensor y, Activation a, Tensor w, Shape xShape,
                                             ConvSpec spec) {
        return conv.convActivationBackwardData(transposed, dy, y, a, w, xShape, spec);
    }

    @Override
    public Tensor biasBackward(Tensor dy) {
        return ops.biasBackward(dy);
    }

    // ---- batch norm ----

    @Override
    public BatchNormState batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                         float momentum, float eps) {
        return ops.batchNormTrain(x, gamma, beta, runningMean, runningVar, momentum, eps);
    }

    @Override
    public Tensor batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps) {
        return ops.batchNormEval(x, gamma, beta, runningMean, runningVar, eps);
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                            boolean weightGrads) {
        return ops.batchNormBackward(dy, x, gamma, saveMean, saveInvStd, weightGrads);
    }

    @Override
    public Tensor batchNormEvalBackward(Tensor dy, Tensor gamma, Tensor runningVar, float eps) {
        return ops.batchNormEvalBackward(dy, gamma, runningVar, eps);
    }

    @Override
    public FoldedConv foldBatchNorm(Tensor w, boolean transposed, Tensor bias, Tensor gamma, Tensor beta, Tensor runningMean,
                                    Tensor runningVar, float eps) {
        return folding.foldBatchNorm(w, transposed, bias, gamma, beta, runningMean, runningVar, eps);
    }

    @Override
    public void biasActivation(Tensor y, Tensor bias, Activation a) {
        folding.biasActivation(y, bias, a);
    }

    // ---- element-wise, losses, optimisers ----

    @Override
    public Tensor activation(Activation a, Tensor x) {
        return ops.activation(a, x);
    }

    @Override
    public Tensor activationBackward(Activation a, Tensor x, Tensor y, Tensor dy) {
        return ops.activationBackward(a, x, y, dy);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return ops.add(a, b);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        ops.axpy(alpha, x, y);
    }

    @Override
    public Tensor absDiff(Tensor a, Tensor b) {
        return ops.absDiff(a, b);
    }

    @Override
    public Tensor l1PerSample(Tensor a, Tensor b) {
        return ops.l1PerSample(a, b);
    }

    @Override
    public LossAndGrad l1LossWithGrad(Tensor pred, Tensor target, float weight) {
        return ops.l1LossWithGrad(pred, target, weight);
    }

    @Override
    public LossAndGrad l2LossWithGrad(Tensor pred, Tensor target, float weight) {
        return ops.l2LossWithGrad(pred, target, weight);
    }

    @Override
    public LossAndGrad bceWithLogits(Tensor logits, float target) {
        return ops.bceWithLogits(logits, target);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, AdamConfig cfg) {
        ops.adamStep(param, grad, m, v, step, cfg);
    }

    @Override
    public void adamPerSampleStep(Tensor z, Tensor grad, Tensor m, Tensor v, Tensor steps, Tensor active, AdamConfig cfg) {
        ops.adamPerSampleStep(z, grad, m, v, steps, active, cfg);
    }

    @Override
    public void keepBest(Tensor loss, Tensor bestLoss, Tensor z, Tensor bestZ) {
        ops.keepBest(loss, bestLoss, z, bestZ);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        conv.close();
        buffers.close();
        pool.shutdown();
    }
}
