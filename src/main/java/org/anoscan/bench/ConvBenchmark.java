package org.anoscan.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.anoscan.backend.Backend;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Prints GFLOP/s of the CPU backend's convolutions (forward, backward-data, backward-filter) at the
 * DCGAN-64 layer shapes, next to the sgemm rate of the same machine measured in the same run, in
 * the same threading regime as the convolutions (one single-threaded OpenBLAS GEMM per Java thread,
 * all threads at once) and, for reference, one multi-threaded OpenBLAS GEMM.
 *
 * <p>Usage: {@code ConvBenchmark [batch=64] [threads=all cores] [repeats=7]}. FLOPs of a layer are
 * 2 N Cout Hout Wout Cin k k for a conv (for a conv-transpose, the same count of its adjoint conv),
 * and the same for its two backward passes.
 */
public final class ConvBenchmark {
    private static final int WARMUP = 2;
    private static final int GEMM_SIZE = 1024;

    /** One DCGAN-64 layer: conv2d (D) or conv-transpose2d (G), square input of side in. */
    record Layer(String net, boolean transposed, int cin, int cout, int in, int k, int stride, int pad) {
        int out() {
            return transposed ? (in - 1) * stride - 2 * pad + k : (in + 2 * pad - k) / stride + 1;
        }

        /** 2 * multiply-adds: every input-output channel pair meets k*k times per position of the smaller side. */
        double flops(int batch) {
            int positions = transposed ? in * in : out() * out();
            return 2.0 * batch * cout * cin * k * k * positions;
        }

        Shape x(int batch) {
            return Shape.of(batch, cin, in, in);
        }

        Shape y(int batch) {
            return Shape.of(batch, cout, out(), out());
        }

        Shape w() {
            return transposed ? Shape.of(cin, cout, k, k) : Shape.of(cout, cin, k, k);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %s %d->%d k%d s%d p%d %dx%d->%dx%d", net, transposed ? "convT" : "conv ",
                    cin, cout, k, stride, pad, in, in, out(), out());
        }
    }

    static final List<Layer> DCGAN64 = List.of(
            new Layer("G", true, 100, 512, 1, 4, 1, 0),
            new Layer("G", true, 512, 256, 4, 4, 2, 1),
            new Layer("G", true, 256, 128, 8, 4, 2, 1),
            new Layer("G", true, 128, 64, 16, 4, 2, 1),
            new Layer("G", true, 64, 1, 32, 4, 2, 1),
            new Layer("D", false, 1, 64, 64, 4, 2, 1),
            new Layer("D", false, 64, 128, 32, 4, 2, 1),
            new Layer("D", false, 128, 256, 16, 4, 2, 1),
            new Layer("D", false, 256, 512, 8, 4, 2, 1),
            new Layer("D", false, 512, 1, 4, 4, 1, 0));

    private static final String[] OPS = {"forward", "backward-data", "backward-filter"};

    /** Best and median of repeated timings, in seconds. */
    record Timing(double best, double median) {
        static Timing of(double[] seconds) {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return new Timing(s[0], s[s.length / 2]);
        }
    }

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        try (CpuBackend cpu = new CpuBackend(threads)) {
            System.out.printf(Locale.ROOT, "AnoScan CPU convolution benchmark: DCGAN-64, batch %d, %s%n", batch, cpu.description());
            System.out.printf(Locale.ROOT, "warm-up %d, repeats %d; GFLOP/s from the best and the median time%n%n", WARMUP, repeats);

            // the per-thread sgemm rate is sampled before and after the convolutions (the machine may be shared)
            double[] gemmBefore = sgemmPerThread(threads, repeats);
            System.out.printf(Locale.ROOT, "%-38s %-16s %8s %9s %9s %9s %9s%n", "layer", "op", "GFLOP", "best ms", "median ms",
                    "GF/s best", "GF/s med");
            double[] opFlops = new double[OPS.length], opBest = new double[OPS.length], opMedian = new double[OPS.length];
            Random rnd = new Random(1);
            for (Layer layer : DCGAN64) {
                for (int op = 0; op < OPS.length; op++) {
                    Timing t = timeLayer(cpu, layer, op, batch, repeats, rnd);
                    double f = layer.flops(batch);
                    opFlops[op] += f;
                    opBest[op] += t.best();
                    opMedian[op] += t.median();
                    System.out.printf(Locale.ROOT, "%-38s %-16s %8.3f %9.2f %9.2f %9.1f %9.1f%n", layer, OPS[op], f / 1e9,
                            t.best() * 1e3, t.median() * 1e3, f / t.best() / 1e9, f / t.median() / 1e9);
                }
            }

            double[] gemmAfter = sgemmPerThread(threads, repeats);
            double gemmFlops = 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE * threads;
            Timing perThread = Timing.of(concat(gemmBefore, gemmAfter));
            Timing multi = sgemmMultiThreaded(threads, repeats);
            double perThreadRate = gemmFlops / perThread.median() / 1e9;
            System.out.printf(Locale.ROOT, "%nsgemm %d^3 fp32, %d x single-threaded OpenBLAS at once (one GEMM per Java thread, as the convs"
                    + " run), sampled before and after the convs:%n  best %.1f, median %.1f GFLOP/s (before: median %.1f, after: median %.1f)%n",
                    GEMM_SIZE, threads, gemmFlops / perThread.best() / 1e9, perThreadRate,
                    gemmFlops / Timing.of(gemmBefore).median() / 1e9, gemmFlops / Timing.of(gemmAfter).median() / 1e9);
            System.out.printf(Locale.ROOT, "sgemm %d^3 fp32, one multi-threaded OpenBLAS GEMM (%d threads), for reference:%n"
                    + "  best %.1f, median %.1f GFLOP/s%n", GEMM_SIZE, threads,
                    gemmFlops / threads / multi.best() / 1e9, gemmFlops / threads / multi.median() / 1e9);

            double gemmBest = gemmFlops / perThread.best() / 1e9;
            System.out.printf(Locale.ROOT, "%nFLOP-weighted totals over the 10 layers (sum of FLOPs / sum of times), as a share of the"
                    + " per-thread sgemm rate (best to best, median to median):%n");
            System.out.printf(Locale.ROOT, "  %-16s %8s %9s %9s %9s %9s %10s %10s%n", "op", "GFLOP", "best ms", "median ms",
                    "GF/s best", "GF/s med", "best/sgemm", "med/sgemm");
            double allFlops = 0, allBest = 0, allMedian = 0;
            for (int op = 0; op <= OPS.length; op++) {
                boolean all = op == OPS.length;
                double f = all ? allFlops : opFlops[op], best = all ? allBest : opBest[op], median = all ? allMedian : opMedian[op];
                if (!all) {
                    allFlops += f;
                    allBest += best;
                    allMedian += median;
                }
                System.out.printf(Locale.ROOT, "  %-16s %8.2f %9.1f %9.1f %9.1f %9.1f %9.0f%% %9.0f%%%n", all ? "all" : OPS[op], f / 1e9,
                        best * 1e3, median * 1e3, f / best / 1e9, f / median / 1e9,
                        100 * f / best / 1e9 / gemmBest, 100 * f / median / 1e9 / perThreadRate);
            }
        }
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
    /** Times one op of one layer on random data: warm-up, then repeats; every result is closed. */
    private static Timing timeLayer(Backend cpu, Layer l, int op, int batch, int repeats, Random rnd) {
        ConvSpec spec = ConvSpec.of(l.stride(), l.pad());
        try (Tensor x = random(cpu, l.x(batch), rnd); Tensor w = random(cpu, l.w(), rnd); Tensor dy = random(cpu, l.y(batch), rnd);
             Tensor bias = random(cpu, Shape.of(l.cout()), rnd)) {
            Supplier<Tensor> run = switch (op) {
                case 0 -> l.transposed() ? () -> cpu.convTranspose2d(x, w, bias, spec) : () -> cpu.conv2d(x, w, bias, spec);
                case 1 -> l.transposed() ? () -> cpu.convTranspose2dBackwardData(dy, w, x.shape(), spec)
                        : () -> cpu.conv2dBackwardData(dy, w, x.shape(), spec);
                default -> l.transposed() ? () -> cpu.convTranspose2dBackwardFilter(dy, x, w.shape(), spec)
                        : () -> cpu.conv2dBackwardFilter(dy, x, w.shape(), spec);
            };
            for (int i = 0; i < WARMUP; i++) run.get().close();
            double[] seconds = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                Tensor out = run.get();
                seconds[i] = (System.nanoTime() - t0) / 1e9;
                out.close();
            }
            return Timing.of(seconds);
        }
    }

    private static Tensor random(Backend cpu, Shape s, Random rnd) {
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return cpu.fromHost(v, s);
    }

    /** A square fp32 GEMM's operands in native memory. */
    private static final class GemmOperands implements AutoCloseable {
        final FloatPointer a = filled(), b = filled(), c = new FloatPointer((long) GEMM_SIZE * GEMM_SIZE);

        private static FloatPointer filled() {
            FloatPointer p = new FloatPointer((long) GEMM_SIZE * GEMM_SIZE);
            Random rnd = new Random(2);
            for (long i = 0; i < (long) GEMM_SIZE * GEMM_SIZE; i++) p.put(i, rnd.nextFloat() - 0.5f);
            return p;
        }

        void multiply() {
            int n = GEMM_SIZE;
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                    n, n, n, 1f, a, n, b, n, 0f, c, n);
        }

        @Override
        public void close() {
            a.close();
            b.close();
            c.close();
        }
    }

    /** Timings (s) of all threads at once, each one single-threaded GEMM on its own operands; one timing = the slowest thread. */
    private static double[] sgemmPerThread(int threads, int repeats) throws Exception {
        List<GemmOperands> operands = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) operands.add(new GemmOperands());
            double[] seconds = new double[repeats];
            for (int i = -WARMUP; i < repeats; i++) {
                long t0 = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (GemmOperands g : operands) done.add(pool.submit(g::multiply));
                for (Future<?> f : done) f.get();
                if (i >= 0) seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            return seconds;
        } finally {
            pool.shutdown();
            operands.forEach(GemmOperands::close);
        }
    }

    /** One GEMM with OpenBLAS's own threads, then OpenBLAS back to single-threaded for the convolutions. */
    private static Timing sgemmMultiThreaded(int threads, int repeats) {
        try (GemmOperands g = new GemmOperands()) {
            openblas_nolapack.blas_set_num_threads(threads);
            double[] seconds = new double[repeats];
            for (int i = -WARMUP; i < repeats; i++) {
                long t0 = System.nanoTime();
                g.multiply();
                if (i >= 0) seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            return Timing.of(seconds);
        } finally {
            openblas_nolapack.blas_set_num_threads(1);
        }
    }
}
