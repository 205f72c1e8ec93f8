package org.anoscan.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.anoscan.backend.Backend;
import org.anoscan.backend.BackendProvider;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.anoscan.backend.Devices;
import org.anoscan.backend.cuda.CudaBackend;
import org.anoscan.backend.cuda.CudaTimer;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * Times the DCGAN-64 convolutions of one latent-search step on a CUDA device: each layer's forward and
 * backward-data (G's conv-transposes, then f's convs), per batch size and precision, with CUDA events;
 * prints ms and TFLOP/s per layer and the step total as an upper bound on patch-iterations/s from the
 * convolutions alone. Where no CUDA device is found it says why and exits non-zero.
 *
 * <p>usage: CudaConvBenchmark [--device cuda:0] [--batches 64,256,1024,4096,8192] [--precisions fp32,tf32] [--reps 20]
 */
public final class CudaConvBenchmark {
    /** One DCGAN-64 layer: a conv-transpose of G or a conv of f, 4x4 kernels. */
    record Layer(String name, boolean transposed, int cin, int cout, int in, int stride, int padding) {
        Shape x(int batch) { return Shape.of(batch, cin, in, in); }

        Shape w() { return transposed ? Shape.of(cin, cout, 4, 4) : Shape.of(cout, cin, 4, 4); }

        ConvSpec spec() { return ConvSpec.of(stride, padding); }

        Shape y(int batch) {
            return transposed ? spec().convTransposeOutput(name, x(batch), w()) : spec().convOutput(name, x(batch), w());
        }

        /** 2 k^2 Cin Cout times the pixels of the smaller side (the conv's output, the transpose's input). */
        double flops(int batch) {
            Shape small = transposed ? x(batch) : y(batch);
            return 2.0 * batch * cin * cout * 16 * small.h() * small.w();
        }
    }

    static final List<Layer> DCGAN64 = List.of(
            new Layer("G1 convT 100->512 1->4", true, 100, 512, 1, 1, 0),
            new Layer("G2 convT 512->256 4->8", true, 512, 256, 4, 2, 1),
            new Layer("G3 convT 256->128 8->16", true, 256, 128, 8, 2, 1),
            new Layer("G4 convT 128->64 16->32", true, 128, 64, 16, 2, 1),
            new Layer("G5 convT 64->1 32->64", true, 64, 1, 32, 2, 1),
            new Layer("f1 conv 1->64 64->32", false, 1, 64, 64, 2, 1),
            new Layer("f2 conv 64->128 32->16", false, 64, 128, 32, 2, 1),
            new Layer("f3 conv 128->256 16->8", false, 128, 256, 16, 2, 1),
            new Layer("f4 conv 256->512 8->4", false, 256, 512, 8, 2, 1));

    static final String USAGE = "usage: CudaConvBenchmark [--device cuda:N] [--batches 64,256,1024,4096,8192] [--precisions fp32,tf32] [--reps 20]";

    /** The benchmark could not run; main's only way out with a non-zero status (no System.exit outside cli/). */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false); // the message says it all: no stack trace
        }
    }

    private CudaConvBenchmark() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) throw new Failure("CudaConvBenchmark failed (status " + status + "), see above");
    }

    /** Runs the benchmark; returns 0, 2 for bad arguments, 3 when no CUDA device is found. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String device = "cuda:0";
        List<Integer> batches = List.of(64, 256, 1024, 4096, 8192);
        List<Precision> precisions = List.of(Precision.FP32, Precision.TF32);
        int reps = 20;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null) throw new IllegalArgumentException(a + " needs a value");
                switch (a) {
                    case "--device" -> device = v;
                    case "--batches" -> batches = ints(v);
                    case "--precisions" -> precisions = precisions(v);
                    case "--reps" -> reps = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                i++;
            }
            if (reps <= 0) throw new IllegalArgumentException("--reps must be positive");
        } catch (IllegalArgumentException e) {
            err.println("CudaConvBenchmark: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        BackendProvider cuda = Devices.providers().stream().filter(p -> p.kind().equals("cuda")).findFirst().orElse(null);
        if (cuda == null || cuda.deviceCount() == 0) {
            err.println("CudaConvBenchmark: no CUDA device: " + (cuda == null ? "the CUDA backend is not on the class path" : cuda.unavailableReason()));
            return 3;
        }
        try (Backend b = Devices.open(device, out::println)) {
            if (!(b instanceof CudaBackend backend)) {
                err.println("CudaConvBenchmark: " + device + " is not a CUDA device");
                return 2;
            }
            out.println("# CudaConvBenchmark " + Instant.now() + " on " + backend.description());
            out.println("# DCGAN-64 convolutions, ms per call (CUDA events, mean of " + reps + "), TFLOP/s; step = G fwd+bwd-data + f fwd+bwd-data");
            for (Precision p : precisions) {
                backend.setPrecision(p);
                for (int batch : batches) benchBatch(backend, p, batch, reps, out);
            }
        }
        return 0;
    }

    private static void benchBatch(CudaBackend b, Precision p, int batch, int reps, PrintStream out) {
        double stepMs = 0, stepFlops = 0;
        Random rnd = new Random(1);
        try {
            for (Layer layer : DCGAN64) {
                double flops = layer.flops(batch);
                try (Tensor x = b.zeros(layer.x(batch)); Tensor w = b.fromHost(random(layer.w().size(), rnd), layer.w());
                     Tensor dy = b.zeros(layer.y(batch))) {
                    b.fill(x, 0.01f);
                    b.fill(dy, 0.01f);
                    double fwd = time(b, reps, () -> layer.transposed() ? b.convTranspose2d(x, w, null, layer.spec())
                            : b.conv2d(x, w, null, layer.spec()));
                    double bwd = time(b, reps, () -> layer.transposed() ? b.convTranspose2dBackwardData(dy, w, x.shape(), layer.spec())
                            : b.conv2dBackwardData(dy, w, x.shape(), layer.spec()));
                    out.printf(Locale.ROOT, "%-5s B=%-5d %-25s fwd %9.3f ms %7.1f TFLOP/s   bwd-data %9.3f ms %7.1f TFLOP/s%n", p, batch,
                            layer.name(), fwd, flops / fwd / 1e9, bwd, flops / bwd / 1e9);
                    stepMs += fwd + bwd;
                    stepFlops += 2 * flops;
                }
            }
            out.printf(Locale.ROOT, "%-5s B=%-5d step convs %9.3f ms %7.1f TFLOP/s  %.1f MFLOP/patch  <= %.0f patch-iterations/s from convs alone%n",
                    p, batch, stepMs, stepFlops / stepMs / 1e9, stepFlops / batch / 1e6, batch / (stepMs / 1000));
        } catch (DeviceOutOfMemoryException e) {
            out.printf(Locale.ROOT, "%-5s B=%-5d skipped: %s%n", p, batch, e.getMessage());
        }
    }

    /** Mean device ms of one call, after warm-up calls that also make the cuDNN plan. */
    private static double time(CudaBackend b, int reps, java.util.function.Supplier<Tensor> op) {
        for (int i = 0; i < 3; i++) op.get().close();
        try (CudaTimer timer = b.timer()) {
            timer.start();
            for (int i = 0; i < reps; i++) op.get().close(); // outputs go back to the pool: no cudaMalloc in the loop
            return timer.stopMillis() / reps;
        }
    }

    private static float[] random(int n, Random rnd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * 0.02);
        return a;
    }

    private static List<Integer> ints(String v) {
        List<Integer> list = new ArrayList<>();
        for (String s : v.split(",")) {
            int n = Integer.parseInt(s.trim());
            if (n <= 0) throw new IllegalArgumentException("batch sizes must be positive, got " + n);
            list.add(n);
        }
        return list;
    }

    private static List<Precision> precisions(String v) {
        List<Precision> list = new ArrayList<>();
        for (String s : v.split(",")) list.add(Precision.parse(s));
        return list;
    }
}
