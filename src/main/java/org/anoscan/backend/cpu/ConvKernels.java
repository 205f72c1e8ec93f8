package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
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

    /**
     * out = W * columns(img) per sample (+ bias[channel] when bias is not null); out is [n, m, oh, ow]
     * and every element of it is written (its contents on entry do not matter).
     */
    void forward(ConvGeometry g, int m, CpuTensor w, CpuTensor img, CpuTensor out, CpuTensor bias) {
        final int k = g.rows(), p = g.cols(), outSize = m * p;
        eachWorker(img.shape().n(), (ws, from, to) -> {
            if (g.isDense()) { // out[j, m] = img[j, k] * W^T: rows = samples
                int step = perSample ? 1 : to - from;
                for (int j = from; j < to; j += step) {
                    if (bias != null) for (int i = j; i < j + step; i++) fillChannels(out.buffer, i * m, bias.buffer, m, 1);
                    Blas.sgemm(false, true, step, m, k, img.pointer, (long) j * k, k, w.pointer, 0, k,
                            bias == null ? 0f : 1f, out.pointer, (long) j * m, m);
                }
                return;
            }
            int tile = tile((long) (k + m) * p, to - from);
            for (int s0 = from; s0 < to; s0 += tile) {
                int nb = Math.min(tile, to - s0), cols = nb * p;
                Operand col = columns(ws, g, img, s0, nb);
                if (nb == 1) { // GEMM straight into the output, on top of the bias
                    if (bias != null) fillChannels(out.buffer, s0 * outSize, bias.buffer, m, p);
                    Blas.sgemm(false, false, m, p, k, w.pointer, 0, k, col.pointer(), col.offset(), p,
                            bias == null ? 0f : 1f, out.pointer, (long) s0 * outSize, p);
                } else {
                    FloatBuffer t = ws.tile.ensure((long) m * cols);
                    Blas.sgemm(false, false, m, cols, k, w.pointer, 0, k, col.pointer(), col.offset(), cols, 0f, ws.tile.pointer(), 0, cols);
                    scatter(t, nb, m, p, out.buffer, s0 * outSize, bias == null ? null : bias.buffer);
                }
            }
        });
    }

    /**
     * img = col2im(W^T * grad) per sample, on top of bias[image channel] when bias is not null; every
     * element of img is written. grad is [n, m, oh, ow], img [n, c, h, w].
     */
    void backwardData(ConvGeometry g, int m, CpuTensor w, CpuTensor grad, CpuTensor img, CpuTensor bias) {
        final int k = g.rows(), p = g.cols(), imgSize = g.imageSize(), plane = g.h() * g.w();
        eachWorker(grad.shape().n(), (ws, from, to) -> {
            if (g.isDense()) { // img[j, k] = grad[j, m] * W (+ bias): rows = samples
                int step = perSample ? 1 : to - from;
                for (int j = from; j < to; j += step) {
                    if (bias != null) for (int i = j; i < j + step; i++) fillChannels(img.buffer, i * imgSize, bias.buffer, g.c(), plane);
                    Blas.sgemm(false, false, step, k, m, grad.pointer, (long) j * m, m, w.pointer, 0, k,
                            bias == null ? 0f : 1f, img.pointer, (long) j * k, k);
                }
                return;
            }
            int tile = tile((long) (k + m) * p, to - from);
            for (int s0 = from; s0 < to; s0 += tile) {
                int nb = Math.min(tile, to - s0), cols = nb * p;
                Operand gt = gradTile(ws, grad, s0, nb, m, p);
                if (nb == 1 && g.isIdentity()) { // the columns are the image: GEMM straight into it
                    if (bias != null) fillChannels(img.buffer, s0 * imgSize, bias.buffer, g.c(), plane);
                    Blas.sgemm(true, false, k, p, m, w.pointer, 0, k, gt.pointer(), gt.offset(), p,
                            bias == null ? 0f : 1f, img.pointer, (long) s0 * imgSize, p);
                    continue;
                }
                FloatBuffer colNative = ws.columns.ensure((long) k * cols);
                Blas.sgemm(true, false, k, cols, m, w.pointer, 0, k, gt.pointer(), gt.offset(), cols, 0f, ws.columns.pointer(), 0, cols);
                float[] col = ws.columnArray(k * cols), image = ws.imageArray(imgSize);
                colNative.get(0, col, 0, k * cols);
                for (int j = 0; j < nb; j++) {
                    if (bias == null) Arrays.fill(image, 0, imgSize, 0f);
                    else for (int ch = 0; ch < g.c(); ch++) Arrays.fill(image, ch * plane, (ch + 1) * plane, bias.buffer.get(ch));
                    Im2Col.col2im(g, col, j * p, cols, image, 0);
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
                Operand col = columns(ws, g, img, s0, nb);
                Operand gt = gradTile(ws, grad, s0, nb, m, p);
                Blas.sgemm(false, true, m, k, cols, gt.pointer(), gt.offset(), cols, col.pointer(), col.offset(), cols, beta, acc, 0, k);
                beta = 1f;
            }
        });
        for (int t = 1; t < workers; t++) Blas.addInto(m * k, workspaces[t].partialGrad.pointer(), dw.pointer);
    }

    /** The column matrix [rows, nb*cols] of samples s0.. of img: the image itself where it can be, else built in ws. */
    private static Operand columns(ConvWorkspace ws, ConvGeometry g, CpuTensor img, int s0, int nb) {
        int k = g.rows(), p = g.cols(), imgSize = g.imageSize(), cols = nb * p;
        if (g.isIdentity()) {
            if (nb == 1) return new Operand(img.pointer, (long) s0 * imgSize);
            gather(img.buffer, s0 * imgSize, nb, k, p, ws.columns.ensure((long) k * cols));
            return new Operand(ws.columns.pointer(), 0);
        }
        float[] col = ws.columnArray(k * cols), image = ws.imageArray(imgSize);
        for (int j = 0; j < nb; j++) {
            img.buffer.get((s0 + j) * imgSize, image, 0, imgSize);
            Im2Col.im2col(g, image, 0, col, j * p, cols);
        }
        ws.columns.ensure((long) k * cols).put(0, col, 0, k * cols);
        return new Operand(ws.columns.pointer(), 0);
    }

    /** grad [m, nb*p] of samples s0..: the tensor itself for one sample, else gathered side by side in ws. */
    private static Operand gradTile(ConvWorkspace ws, CpuTensor grad, int s0, int nb, int m, int p) {
        if (nb == 1) return new Operand(grad.pointer, (long) s0 * m * p);
        gather(grad.buffer, s0 * m * p, nb, m, p, ws.tile.ensure((long) m * nb * p));
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

    /** dst[j][ch][0..p) = tile[ch][j*p ..] (+ bias[ch]): the tile's side-by-side samples back to NCHW. */
    private static void scatter(FloatBuffer tile, int nb, int m, int p, FloatBuffer dst, int dstOff, FloatBuffer bias) {
        int cols = nb * p;
        for (int j = 0; j < nb; j++) {
            for (int ch = 0; ch < m; ch++) {
                int d = dstOff + (j * m + ch) * p, s = ch * cols + j * p;
                if (bias == null) {
                    dst.put(d, tile, s, p);
                } else {
                    float b = bias.get(ch);
                    for (int i = 0; i < p; i++) dst.put(d + i, tile.get(s + i) + b);
                }
            }
        }
    }

    /** tile[ch][j*p ..] = src[j][ch][0..p): nb NCHW samples side by side as one [m, nb*p] matrix. */
    private static void gather(FloatBuffer src, int srcOff, int nb, int m, int p, FloatBuffer tile) {
        int cols = nb * p;
        for (int j = 0; j < nb; j++) {
            for (int ch = 0; ch < m; ch++) tile.put(ch * cols + j * p, src, srcOff + (j * m + ch) * p, p);
        }
    }

    /** dst[ch][0..plane) = bias[ch] for one sample. */
    private static void fillChannels(FloatBuffer dst, int off, FloatBuffer bias, int channels, int plane) {
        for (int ch = 0; ch < channels; ch++) {
            float b = bias.get(ch);
            for (int i = 0, d = off + ch * plane; i < plane; i++) dst.put(d + i, b);
        }
    }

    @Override
    public void close() {
        for (ConvWorkspace ws : workspaces) ws.close();
    }
}
