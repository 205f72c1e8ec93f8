package org.anoscan.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.anoscan.backend.Activation;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.cpu.ConvBatching;
import org.anoscan.backend.cpu.ConvLibrary;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.tensor.Tensor;

/**
 * The CPU backend's two convolution paths side by side, layer by layer, on the DCGAN search's ops: the fused
 * forward (bias + activation) and the backward-data through the activation, each as the GEMM path
 * ({@link ConvLibrary#GEMM}) and as oneDNN ({@link ConvLibrary#ONEDNN}), alternating in one JVM, best of
 * the rounds. Prints the oneDNN / GEMM speed ratio and which path the per-layer rule ({@link ConvLibrary#PER_LAYER})
 * takes: the measurement behind that rule.
 *
 * <p>Usage: {@code ConvLibraryComparison [size=32] [batch=64] [rounds=3]}.
 */
public final class ConvLibraryComparison {
    private ConvLibraryComparison() {}

    static List<ConvBenchmark.Layer> dcgan(int size) {
        int top = size == 64 ? 512 : 256;
        List<ConvBenchmark.Layer> layers = new ArrayList<>();
        layers.add(new ConvBenchmark.Layer("G", true, 100, top, 1, 4, 1, 0));
        for (int c = top, s = 4; s < size; c /= 2, s *= 2) layers.add(new ConvBenchmark.Layer("G", true, c, s * 2 == size ? 1 : c / 2, s, 4, 2, 1));
        for (int c = 1, s = size, o = 64; s > 4; c = o, o *= 2, s /= 2) layers.add(new ConvBenchmark.Layer("D", false, c, o, s, 4, 2, 1));
        layers.add(new ConvBenchmark.Layer("D", false, top, 1, 4, 4, 1, 0));
        return layers;
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int threads = Runtime.getRuntime().availableProcessors();
        try (CpuBackend gemm = new CpuBackend(threads, ConvBatching.WIDE, ConvLibrary.GEMM);
             CpuBackend dnnl = new CpuBackend(threads, ConvBatching.WIDE, ConvLibrary.ONEDNN);
             CpuBackend perLayer = new CpuBackend(threads, ConvBatching.WIDE, ConvLibrary.PER_LAYER)) {
            System.out.printf(Locale.ROOT, "DCGAN-%d, batch %d, %d threads, best of %d alternating rounds; ms per op%n", size, batch, threads, rounds);
            System.out.printf(Locale.ROOT, "%-40s %-14s %10s %10s %8s  %s%n", "layer", "op", "GEMM", "oneDNN", "speedup", "per-layer rule");
            double[] total = new double[3];
            for (ConvBenchmark.Layer l : dcgan(size)) {
                for (String op : new String[] {"forward", "backward-data"}) {
                    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
                    CpuBackend[] backends = {gemm, dnnl};
                    double flop = l.flops(batch);
                    int reps = (int) Math.max(1, Math.min(50, 1.5e9 / flop));
                    for (int r = 0; r < rounds + 1; r++) {
                        for (int b = 0; b < 2; b++) {
                            double t = time(backends[b], l, op, batch, reps);
                            if (r > 0) best[b] = Math.min(best[b], t); // round 0 warms up (and builds the oneDNN plans)
                        }
                    }
                    boolean rule = pathOf(perLayer, l, op, batch);
                    total[0] += best[0];
                    total[1] += best[1];
                    total[2] += rule ? best[1] : best[0];
                    System.out.printf(Locale.ROOT, "%-40s %-14s %10.2f %10.2f %8.2f  %s%n", l, op, best[0] * 1e3, best[1] * 1e3,
                            best[0] / best[1], rule ? "oneDNN" : "GEMM");
                }
            }
            System.out.printf(Locale.ROOT, "total ms: GEMM %.1f, oneDNN %.1f, per-layer rule %.1f (speedup over GEMM %.2f)%n",
                    total[0] * 1e3, total[1] * 1e3, total[2] * 1e3, total[0] / total[2]);
        }
    }

    /** Whether the per-layer backend sends this op to oneDNN: its description of the op's library. */
    private static boolean pathOf(CpuBackend perLayer, ConvBenchmark.Layer l, String op, int batch) {
        boolean fwd = op.equals("forward");
        return perLayer.usesOneDnn(fwd ? l.transposed() : !l.transposed(), fwd ? l.x(batch) : l.y(batch), fwd ? l.y(batch) : l.x(batch),
                l.w(), ConvSpec.of(l.stride(), l.pad()));
    }

    /** Seconds per op, mean over reps calls. */
    private static double time(CpuBackend cpu, ConvBenchmark.Layer l, String op, int batch, int reps) {
        Random rnd = new Random(1);
        Activation a = l.net().equals("G") ? Activation.RELU : Activation.LEAKY_RELU;
        ConvSpec spec = ConvSpec.of(l.stride(), l.pad());
        try (Tensor x = cpu.fromHost(random(l.x(batch).size(), rnd, 1), l.x(batch));
             Tensor w = cpu.fromHost(random(l.w().size(), rnd, 0.05f), l.w());
             Tensor bias = cpu.fromHost(random(l.cout(), rnd, 0.1f), org.anoscan.tensor.Shape.of(l.cout()));
             Tensor y = cpu.convBiasActivation(l.transposed(), x, w, bias, a, spec);
             Tensor dy = cpu.fromHost(random(l.y(batch).size(), rnd, 1), l.y(batch))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                Tensor out = op.equals("forward") ? cpu.convBiasActivation(l.transposed(), x, w, bias, a, spec)
                        : cpu.convActivationBackwardData(l.transposed(), dy, y, a, w, l.x(batch), spec);
                out.close();
            }
            return (System.nanoTime() - t0) / 1e9 / reps;
        }
    }

    private static float[] random(int n, Random rnd, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian() * scale;
        return v;
    }
}
