package org.anoscan.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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

    /**
     * Best and median wall time of repeated runs, and the mean process CPU time per run (all threads), in
     * seconds. FLOPs per CPU-second hardly change when other processes share the cores, so they compare
     * convolutions and sgemm fairly on a busy machine; wall-clock rates do not.
     */
    record Timing(double best, double median, double cpu) {
        static Timing of(double[] seconds, double[] cpuSeconds) {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return new Timing(s[0], s[s.length / 2], Arrays.stream(cpuSeconds).average().orElse(Double.NaN));
        }
    }

    /**
     * Wall and CPU time of repeated runs of one thing. CPU time is summed over the JVM's live threads
     * (ns resolution; the process CPU clock ticks in 10 ms): the caller, the backend's pool and the
     * sgemm threads, all alive for the whole benchmark.
     */
    private static final class Stopwatch {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        final double[] wall, cpu;
        private int n;
        private long wall0, cpu0;

        Stopwatch(int repeats) {
            wall = new double[repeats];
            cpu = new double[repeats];
        }

        void start() {
            cpu0 = threadCpuNanos();
            wall0 = System.nanoTime();
        }

        void stop() {
            wall[n] = (System.nanoTime() - wall0) / 1e9;
            cpu[n++] = (threadCpuNanos() - cpu0) / 1e9;
        }

        private static long threadCpuNanos() {
            long sum = 0;
            for (long id : THREADS.getAllThreadIds()) sum += Math.max(0, THREADS.getThreadCpuTime(id));
            return sum;
        }

        Timing timing() {
            return Timing.of(wall, cpu);
        }
    }

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        try (CpuBackend cpu = new CpuBackend(threads)) {
            System.out.printf(Locale.ROOT, "AnoScan CPU convolution benchmark: DCGAN-64, batch %d, %s%n", batch, cpu.description());
            System.out.printf(Locale.ROOT, "warm-up %d, repeats %d; GFLOP/s from the best and the median wall time, and GFLOP per"
                    + " CPU-second of all threads (= per-core rate, little affected by other load)%n%n", WARMUP, repeats);

            // the per-thread sgemm rate is sampled before and after the convolutions (the machine may be shared)
            Stopwatch gemmBefore = sgemmPerThread(threads, repeats);
            System.out.printf(Locale.ROOT, "%-38s %-16s %7s %9s %9s %9s %9s %9s%n", "layer", "op", "GFLOP", "best ms", "median ms",
                    "GF/s best", "GF/s med", "GF/cpu-s");
            Totals[] totals = new Totals[OPS.length];
            for (int op = 0; op < OPS.length; op++) totals[op] = new Totals(OPS[op]);
            Random rnd = new Random(1);
            for (Layer layer : DCGAN64) {
                for (int op = 0; op < OPS.length; op++) {
                    Timing t = timeLayer(cpu, layer, op, batch, repeats, rnd);
                    double f = layer.flops(batch);
                    totals[op].add(f, t);
                    System.out.printf(Locale.ROOT, "%-38s %-16s %7.3f %9.2f %9.2f %9.1f %9.1f %9.1f%n", layer, OPS[op], f / 1e9,
                            t.best() * 1e3, t.median() * 1e3, f / t.best() / 1e9, f / t.median() / 1e9, f / t.cpu() / 1e9);
                }
            }
            Stopwatch gemmAfter = sgemmPerThread(threads, repeats);

            double gemmFlops = 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE * threads;
            Timing gemm = Timing.of(concat(gemmBefore.wall, gemmAfter.wall), concat(gemmBefore.cpu, gemmAfter.cpu));
            Totals sgemm = new Totals("sgemm");
            sgemm.add(gemmFlops, gemm);
            System.out.printf(Locale.ROOT, "%nsgemm %d^3 fp32, %d single-threaded OpenBLAS GEMMs at once, one per Java thread (as the convs"
                    + " run), sampled before and after the convs:%n  best %.1f, median %.1f GFLOP/s (median before %.1f, after %.1f),"
                    + " %.1f GFLOP per CPU-second%n", GEMM_SIZE, threads, sgemm.bestRate(), sgemm.medianRate(),
                    gemmFlops / gemmBefore.timing().median() / 1e9, gemmFlops / gemmAfter.timing().median() / 1e9, sgemm.cpuRate());
            Timing multi = sgemmMultiThreaded(threads, repeats);
            double oneGemm = gemmFlops / threads;
            System.out.printf(Locale.ROOT, "sgemm %d^3 fp32, one multi-threaded OpenBLAS GEMM (%d threads), for reference:"
                    + " best %.1f, median %.1f GFLOP/s (its threads are native: no CPU-second figure)%n", GEMM_SIZE, threads,
                    oneGemm / multi.best() / 1e9, oneGemm / multi.median() / 1e9);

            System.out.printf(Locale.ROOT, "%nFLOP-weighted totals over the 10 layers (sum of FLOPs / sum of times), and as a share of the"
                    + " per-thread sgemm rate (best to best, median to median, CPU-second to CPU-second):%n");
            System.out.printf(Locale.ROOT, "  %-16s %7s %9s %9s %9s %9s %9s %7s %7s %7s%n", "op", "GFLOP", "best ms", "median ms",
                    "GF/s best", "GF/s med", "GF/cpu-s", "best", "median", "cpu");
            Totals all = new Totals("all");
            for (Totals t : totals) {
                t.print(sgemm);
                all.add(t);
            }
            all.print(sgemm);
        }
    }

    /** FLOPs and times summed over layers. */
    private static final class Totals {
        final String name;
        double flops, best, median, cpu;

        Totals(String name) {
            this.name = name;
        }

        void add(double f, Timing t) {
            flops += f;
            best += t.best();
            median += t.median();
            cpu += t.cpu();
        }

        void add(Totals t) {
            flops += t.flops;
            best += t.best;
            median += t.median;
            cpu += t.cpu;
        }

        double bestRate() {
            return flops / best / 1e9;
        }

        double medianRate() {
            return flops / median / 1e9;
        }

        double cpuRate() {
            return flops / cpu / 1e9;
        }

        void print(Totals sgemm) {
            System.out.printf(Locale.ROOT, "  %-16s %7.2f %9.1f %9.1f %9.1f %9.1f %9.1f %6.0f%% %6.0f%% %6.0f%%%n", name, flops / 1e9,
                    best * 1e3, median * 1e3, bestRate(), medianRate(), cpuRate(),
                    100 * bestRate() / sgemm.bestRate(), 100 * medianRate() / sgemm.medianRate(), 100 * cpuRate() / sgemm.cpuRate());
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
            Stopwatch watch = new Stopwatch(repeats);
            for (int i = 0; i < repeats; i++) {
                watch.start();
                Tensor out = run.get();
                watch.stop();
                out.close();
            }
            return watch.timing();
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

    /** The per-thread sgemm rate (GFLOP/s of all threads together: best and median over repeats), for other benchmarks. */
    static double[] sgemmRate(int threads, int repeats) throws Exception {
        Timing t = sgemmPerThread(threads, repeats).timing();
        double flops = 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE * threads;
        return new double[] {flops / t.best() / 1e9, flops / t.median() / 1e9};
    }

    /** Timings (s) of all threads at once, each one single-threaded GEMM on its own operands; one timing = the slowest thread. */
    private static Stopwatch sgemmPerThread(int threads, int repeats) throws Exception {
        List<GemmOperands> operands = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) operands.add(new GemmOperands());
            Stopwatch watch = new Stopwatch(repeats);
            for (int i = -WARMUP; i < repeats; i++) {
                if (i >= 0) watch.start();
                List<Future<?>> done = new ArrayList<>();
                for (GemmOperands g : operands) done.add(pool.submit(g::multiply));
                for (Future<?> f : done) f.get();
                if (i >= 0) watch.stop();
            }
            return watch;
        } finally {
            pool.shutdown();
            operands.forEach(GemmOperands::close);
        }
    }

    /** One GEMM with OpenBLAS's own threads, then OpenBLAS back to single-threaded for the convolutions. */
    private static Timing sgemmMultiThreaded(int threads, int repeats) {
        try (GemmOperands g = new GemmOperands()) {
            openblas_nolapack.blas_set_num_threads(threads);
            Stopwatch watch = new Stopwatch(repeats);
            for (int i = -WARMUP; i < repeats; i++) {
                if (i >= 0) watch.start();
                g.multiply();
                if (i >= 0) watch.stop();
            }
            return watch.timing();
        } finally {
            openblas_nolapack.blas_set_num_threads(1);
        }
    }
}
