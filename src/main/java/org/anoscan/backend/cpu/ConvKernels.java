package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.anoscan.backend.Activation;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The three im2col + sgemm kernels every CPU convolution maps onto, for a weight W [m, rows] and an
 * image batch with its column matrices (see {@link ConvGeometry}):
 * <ul>
 *   <li>{@link #forward}: out[m, cols] = W * columns(image) (conv2d, and conv-transpose2d backward-data);
 *   <li>{@link #backwardData}: image = col2im(W^T * grad) (conv2d backward-data, conv-transpose2d forward);
 *   <li>{@link #backwardFilter}: dW = sum over samples of grad * columns(image)^T.
 * </ul>
 * Threads: the batch is split into one contiguous range of samples per worker (a static split, so
 * results do not depend on scheduling), each worker with its own scratch and single-threaded
 * OpenBLAS. Samples with few output positions are grouped into tiles so that one GEMM covers several
 * samples side by side (a 4x4 feature map alone would make a GEMM 16 columns wide), and a dense
 * geometry (kernel = whole image) runs one GEMM per worker over its samples. In
 * {@link ConvBatching#PER_SAMPLE} mode forward and backward-data run one GEMM per sample instead, so
 * that a sample's result does not depend on its batch; backward-filter sums over the batch anyway and
 * always uses the wide tiles.
 */
final class ConvKernels implements AutoCloseable {
    /**
     * Floats of column matrix plus gathered tile that a batch tile aims at per worker: 1 MiB, about the
     * L2 cache of a core (DCGAN-32 search: a little faster than 4 MiB in two rounds on a shared machine).
     */
    private static final long TILE_BUDGET_FLOATS = 1L << 18;

    private final CpuBackend cpu;
    private final ConvWorkspace[] workspaces;
    private final boolean perSample;

    ConvKernels(CpuBackend cpu, ConvBatching batching) {
        Blas.init();
        this.cpu = cpu;
        this.perSample = batching == ConvBatching.PER_SAMPLE;
        this.workspaces = new ConvWorkspace[cpu.threads()];
        for (int i = 0; i < workspaces.length; i++) workspaces[i] = new ConvWorkspace();
    }

    /** A matrix operand: native storage and the float offset where it starts. */
    private record Operand(FloatPointer pointer, long offset) {}

    /** What runs fused onto a kernel's output, per element: + bias[channel] (null: none), then act (null: none). */
    record Epilogue(CpuTensor bias, Activation act) {
        static final Epilogue NONE = new Epilogue(null, null);

        boolean isNone() {
            return bias == null && act == null;
        }
    }

    /**
     * A kernel input that is a gradient at the output y of an activation act: the kernel multiplies it by
     * act'(from y) as it reads it (the activation's backward fused into the convolution's).
     */
    record Derivative(Activation act, CpuTensor y) {}

    /**
     * out = W * columns(img) per sample, then the epilogue; out is [n, m, oh, ow] and every element of it
     * is written (its contents on entry do not matter). img is scaled by dImg first when dImg is not null.
     */
    void forward(ConvGeometry g, int m, CpuTensor w, CpuTensor img, Derivative dImg, CpuTensor out, Epilogue epi) {
        final int k = g.rows(), p = g.cols(), outSize = m * p;
        eachWorker(img.shape().n(), (ws, from, to) -> {
            if (g.isDense()) { // out[j, m] = img[j, k] * W^T: rows = samples
                int step = perSample ? 1 : to - from;
                for (int j = from; j < to; j += step) {
                    Operand a = rows(ws, img, j, step, k, dImg);
                    Blas.sgemm(false, true, step, m, k, a.pointer(), a.offset(), k, w.pointer, 0, k, 0f, out.pointer, (long) j * m, m);
                    epilogue(ws, epi, out, j * m, step, m, 1);
                }
                return;
            }
            int tile = tile((long) (k + m) * p, to - from);
            for (int s0 = from; s0 < to; s0 += tile) {
                int nb = Math.min(tile, to - s0), cols = nb * p;
                Operand col = columns(ws, g, img, s0, nb, dImg);
                if (nb == 1) { // GEMM straight into the output, epilogue on it while in cache
                    Blas.sgemm(false, false, m, p, k, w.pointer, 0, k, col.pointer(), col.offset(), p, 0f, out.pointer, (long) s0 * outSize, p);
                    epilogue(ws, epi, out, s0 * outSize, 1, m, p);
                } else {
                    FloatBuffer t = ws.tile.ensure((long) m * cols);
                    Blas.sgemm(false, false, m, cols, k, w.pointer, 0, k, col.pointer(), col.offset(), cols, 0f, ws.tile.pointer(), 0, cols);
                    scatter(ws, t, nb, m, p, out.buffer, s0 * outSize, epi);
                }
            }
        });
    }

    /**
     * img = col2im(W^T * grad) per sample, then the epilogue (per image channel); every element of img is
     * written. grad is [n, m, oh, ow], img [n, c, h, w]; grad is scaled by dGrad first when dGrad is not null.
     */
    void backwardData(ConvGeometry g, int m, CpuTensor w, CpuTensor grad, Derivative dGrad, CpuTensor img, Epilogue epi) {
        final int k = g.rows(), p = g.cols(), imgSize = g.imageSize(), plane = g.h() * g.w();
        eachWorker(grad.shape().n(), (ws, from, to) -> {
            if (g.isDense()) { // img[j, k] = grad[j, m] * W: rows = samples
                int step = perSample ? 1 : to - from;
                for (int j = from; j < to; j += step) {
                    Operand a = rows(ws, grad, j, step, m, dGrad);
                    Blas.sgemm(false, false, step, k, m, a.pointer(), a.offset(), m, w.pointer, 0, k, 0f, img.pointer, (long) j * k, k);
                    epilogue(ws, epi, img, j * k, step, g.c(), plane);
                }
                return;
            }
            int tile = tile((long) (k + m) * p, to - from);
            for (int s0 = from; s0 < to; s0 += tile) {
                int nb = Math.min(tile, to - s0), cols = nb * p;
                Operand gt = gradTile(ws, grad, s0, nb, m, p, dGrad);
                if (nb == 1 && g.isIdentity()) { // the columns are the image: GEMM straight into it
                    Blas.sgemm(true, false, k, p, m, w.pointer, 0, k, gt.pointer(), gt.offset(), p, 0f, img.pointer, (long) s0 * imgSize, p);
                    epilogue(ws, epi, img, s0 * imgSize, 1, g.c(), plane);
                    continue;
                }
                FloatBuffer colNative = ws.columns.ensure((long) k * cols);
                Blas.sgemm(true, false, k, cols, m, w.pointer, 0, k, gt.pointer(), gt.offset(), cols, 0f, ws.columns.pointer(), 0, cols);
                float[] col = ws.columnArray(k * cols), image = ws.imageArray(imgSize);
                colNative.get(0, col, 0, k * cols);
                for (int j = 0; j < nb; j++) {
                    Arrays.fill(image, 0, imgSize, 0f);
                    Im2Col.col2im(g, col, j * p, cols, image, 0);
                    if (!epi.isNone()) {
                        for (int ch = 0; ch < g.c(); ch++) {
                            ActivationMath.biasActivation(epi.act(), bias(epi, ch), image, ch * plane, (ch + 1) * plane);
                        }
                    }
                    img.buffer.put((s0 + j) * imgSize, image, 0, imgSize);
                }
            }
        });
    }

    /**
     * dw [m, rows] = sum over samples of grad * columns(img)^T. Each worker sums its range into its own
     * partial (worker 0 straight into dw), and the partials are added in worker order: deterministic.
     */
    void backwardFilter(ConvGeometry g, int m, CpuTensor grad, CpuTensor img, CpuTensor dw) {
        final int k = g.rows(), p = g.cols();
        int workers = eachWorker(grad.shape().n(), (ws, from, to) -> {
            FloatPointer acc = dw.pointer;
            if (ws != workspaces[0]) {
                ws.partialGrad.ensure((long) m * k);
                acc = ws.partialGrad.pointer();
            }
            if (g.isDense()) { // dw = grad^T[m, nb] * img[nb, k]
                Blas.sgemm(true, false, m, k, to - from, grad.pointer, (long) from * m, m, img.pointer, (long) from * k, k, 0f, acc, 0, k);
                return;
            }
            int tile = tileSamples((long) (k + m) * p, to - from);
            float beta = 0f;
            for (int s0 = from; s0 < to; s0 += tile) {
                int nb = Math.min(tile, to - s0), cols = nb * p;
                Operand col = columns(ws, g, img, s0, nb, null);
                Operand gt = gradTile(ws, grad, s0, nb, m, p, null);
                Blas.sgemm(false, true, m, k, cols, gt.pointer(), gt.offset(), cols, col.pointer(), col.offset(), cols, beta, acc, 0, k);
                beta = 1f;
            }
        });
        for (int t = 1; t < workers; t++) Blas.addInto(m * k, workspaces[t].partialGrad.pointer(), dw.pointer);
    }

    /**
     * The column matrix [rows, nb*cols] of samples s0.. of img (times d's derivative when d is not null):
     * the image itself where it can be, else built in ws.
     */
    private static Operand columns(ConvWorkspace ws, ConvGeometry g, CpuTensor img, int s0, int nb, Derivative d) {
        int k = g.rows(), p = g.cols(), imgSize = g.imageSize(), cols = nb * p;
        if (g.isIdentity()) {
            if (nb == 1 && d == null) return new Operand(img.pointer, (long) s0 * imgSize);
            gather(ws, img.buffer, s0 * imgSize, nb, k, p, ws.columns.ensure((long) k * cols), d);
            return new Operand(ws.columns.pointer(), 0);
        }
        float[] col = ws.columnArray(k * cols), image = ws.imageArray(imgSize);
        for (int j = 0; j < nb; j++) {
            int off = (s0 + j) * imgSize;
            img.buffer.get(off, image, 0, imgSize);
            if (d != null) {
                float[] y = ws.outputArray(imgSize);
                d.y().buffer.get(off, y, 0, imgSize);
                ActivationMath.timesDerivative(d.act(), image, 0, imgSize, y, 0);
            }
            Im2Col.im2col(g, image, 0, col, j * p, cols);
        }
        ws.columns.ensure((long) k * cols).put(0, col, 0, k * cols);
        return new Operand(ws.columns.pointer(), 0);
    }

    /**
     * grad [m, nb*p] of samples s0.. (times d's derivative when d is not null): the tensor itself for one
     * sample, else gathered side by side in ws.
     */
    private static Operand gradTile(ConvWorkspace ws, CpuTensor grad, int s0, int nb, int m, int p, Derivative d) {
        if (nb == 1 && d == null) return new Operand(grad.pointer, (long) s0 * m * p);
        gather(ws, grad.buffer, s0 * m * p, nb, m, p, ws.tile.ensure((long) m * nb * p), d);
        return new Operand(ws.tile.pointer(), 0);
    }

    /** Rows [j, j + count) of a [n, width] matrix t: t itself, or times d's derivative in ws when d is not null. */
    private static Operand rows(ConvWorkspace ws, CpuTensor t, int j, int count, int width, Derivative d) {
        if (d == null) return new Operand(t.pointer, (long) j * width);
        int n = count * width, off = j * width;
        float[] v = ws.planeArray(n), y = ws.outputArray(n);
        t.buffer.get(off, v, 0, n);
        d.y().buffer.get(off, y, 0, n);
        ActivationMath.timesDerivative(d.act(), v, 0, n, y, 0);
        ws.tile.ensure(n).put(0, v, 0, n);
        return new Operand(ws.tile.pointer(), 0);
    }

    @FunctionalInterface
    private interface RangeBody {
        void run(ConvWorkspace ws, int from, int to);
    }

    /** Splits samples [0, n) into one contiguous range per worker, runs them in parallel; returns the worker count. */
    private int eachWorker(int n, RangeBody body) {
        int workers = Math.min(workspaces.length, n);
        cpu.parallelFor(workers, t -> body.run(workspaces[t], (int) ((long) n * t / workers), (int) ((long) n * (t + 1) / workers)));
        return workers;
    }

    /** Samples per forward / backward-data GEMM: one in per-sample mode, else as many as the budget allows. */
    private int tile(long floatsPerSample, int samples) {
        return perSample ? 1 : tileSamples(floatsPerSample, samples);
    }

    /** Samples per tile: as many as the budget allows (at least 1), split evenly over the range. */
    private static int tileSamples(long floatsPerSample, int samples) {
        long fit = Math.max(1, Math.min(samples, TILE_BUDGET_FLOATS / Math.max(1, floatsPerSample)));
        int tiles = (int) ((samples + fit - 1) / fit);
        return (samples + tiles - 1) / tiles;
    }

    /** dst[j][ch][0..p) = epilogue(tile[ch][j*p ..]): the tile's side-by-side samples back to NCHW. */
    private static void scatter(ConvWorkspace ws, FloatBuffer tile, int nb, int m, int p, FloatBuffer dst, int dstOff, Epilogue epi) {
        int cols = nb * p;
        float[] row = epi.isNone() ? null : ws.planeArray(cols);
        for (int ch = 0; ch < m; ch++) {
            if (row != null) { // a channel's row holds that channel of every sample: one bias, one pass
                tile.get(ch * cols, row, 0, cols);
                ActivationMath.biasActivation(epi.act(), bias(epi, ch), row, 0, cols);
            }
            for (int j = 0; j < nb; j++) {
                int d = dstOff + (j * m + ch) * p;
                if (row == null) dst.put(d, tile, ch * cols + j * p, p);
                else dst.put(d, row, j * p, p);
            }
        }
    }

    /**
     * tile[ch][j*p ..] = src[j][ch][0..p) (times d's derivative, read from d.y at the same place, when d
     * is not null): nb NCHW samples side by side as one [m, nb*p] matrix.
     */
    private static void gather(ConvWorkspace ws, FloatBuffer src, int srcOff, int nb, int m, int p, FloatBuffer tile, Derivative d) {
        int cols = nb * p, size = m * p;
        float[] v = d == null ? null : ws.planeArray(size), y = d == null ? null : ws.outputArray(size);
        for (int j = 0; j < nb; j++) {
            int off = srcOff + j * size;
            if (d == null) {
                for (int ch = 0; ch < m; ch++) tile.put(ch * cols + j * p, src, off + ch * p, p);
                continue;
            }
            src.get(off, v, 0, size);
            d.y().buffer.get(off, y, 0, size);
            ActivationMath.timesDerivative(d.act(), v, 0, size, y, 0);
            for (int ch = 0; ch < m; ch++) tile.put(ch * cols + j * p, v, ch * p, p);
        }
    }

    /**
     * The epilogue on t[off ..) holding samples x channels planes of plane floats (channel-major within
     * a sample), through a heap array: one bulk copy each way, loops that vectorise in between.
     */
    private static void epilogue(ConvWorkspace ws, Epilogue epi, CpuTensor t, int off, int samples, int channels, int plane) {
        if (epi.isNone()) return;
        int n = samples * channels * plane;
        float[] v = ws.planeArray(n);
        t.buffer.get(off, v, 0, n);
        for (int s = 0, i = 0; s < samples; s++) {
            for (int ch = 0; ch < channels; ch++, i += plane) ActivationMath.biasActivation(epi.act(), bias(epi, ch), v, i, i + plane);
        }
        t.buffer.put(off, v, 0, n);
    }

    private static float bias(Epilogue epi, int ch) {
        return epi.bias() == null ? 0f : epi.bias().buffer.get(ch);
    }

    @Override
    public void close() {
        for (ConvWorkspace ws : workspaces) ws.close();
    }
}
