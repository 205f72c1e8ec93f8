package org.anoscan.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.cpu.ConvBatching;
import org.anoscan.backend.cpu.ConvLibrary;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.train.GanTrainer;
import org.anoscan.train.PatchSource;

/**
 * GAN training steps per second on the CPU in the one-class quick setting (DCGAN-32, nz 32, widths 16,
 * batch 64; {@code --width W} sets ngf = ndf = W), with the default convolutions (oneDNN on the wide layers,
 * {@link ConvLibrary#PER_LAYER}), the wide-GEMM path alone ({@link ConvLibrary#GEMM}: the path before oneDNN)
 * and the per-sample reference ones (the path before wide GEMMs). The trainers stay alive and take turns, a
 * few steps each, for many rounds, so that all see the same share of a shared machine; the medians of the
 * per-round ratios are the figures to quote. Patches are random: a step's cost does not depend on them.
 *
 * <p>usage: TrainingSpeed [--rounds 20] [--steps 5] (steps per turn) [--width 16]
 */
public final class TrainingSpeed {
    private record Mode(String name, ConvBatching batching, ConvLibrary library) {}

    private static final List<Mode> MODES = List.of(new Mode("PER_LAYER", ConvBatching.WIDE, ConvLibrary.PER_LAYER),
            new Mode("GEMM", ConvBatching.WIDE, ConvLibrary.GEMM), new Mode("PER_SAMPLE", ConvBatching.PER_SAMPLE, ConvLibrary.GEMM));

    public static void main(String[] args) {
        int rounds = 20;
        int steps = 5;
        int width = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--width" -> width = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        MnistOneClass.Settings s = OneClassBenchmark.quick();
        DcganSpec spec = width > 0 ? new DcganSpec(s.spec().imageSize(), s.spec().channels(), s.spec().nz(), width, width) : s.spec();
        System.out.println("# setting quick: " + spec + ", " + s.train());
        int threads = Runtime.getRuntime().availableProcessors();
        int n = MODES.size();
        double[] seconds = new double[n];
        double[][] ratios = new double[n][rounds]; // per round: mode m's speed / GEMM's
        PatchSource noise = new RandomPatches(spec.channels(), spec.imageSize());
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            GanTrainer[] trainers = new GanTrainer[n];
            for (int m = 0; m < n; m++) {
                CpuBackend cpu = new CpuBackend(threads, MODES.get(m).batching(), MODES.get(m).library());
                owned.add(cpu);
                Dcgan model = new Dcgan(cpu, spec, 1L);
                owned.add(model);
                trainers[m] = new GanTrainer(model, s.train());
                owned.add(trainers[m]);
                for (int i = 0; i < 3; i++) trainers[m].trainStep(noise); // JIT, buffer pool, oneDNN plans
            }
            for (int r = 0; r < rounds; r++) {
                double[] turn = new double[n];
                for (int k = 0; k < n; k++) {
                    int m = (k + r) % n; // alternate which goes first
                    long t0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) trainers[m].trainStep(noise);
                    turn[m] = (System.nanoTime() - t0) / 1e9;
                    seconds[m] += turn[m];
                }
                for (int m = 0; m < n; m++) ratios[m][r] = turn[1] / turn[m];
            }
        } finally {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception e) {
                    System.err.println("close: " + e.getMessage());
                }
            }
        }
        for (int m = 0; m < n; m++) {
            double[] sorted = ratios[m].clone();
            java.util.Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%-11s %5d steps %8.2f s  %6.2f steps/s  speed / GEMM: overall %.2f, median of %d turns %.2f"
                    + " (range %.2f-%.2f)%n", MODES.get(m).name(), rounds * steps, seconds[m], rounds * steps / seconds[m],
                    seconds[1] / seconds[m], rounds, sorted[rounds / 2], sorted[0], sorted[rounds - 1]);
        }
    }

    /** Uniform noise in [-1, 1]. */
    private record RandomPatches(int channels, int patchSize) implements PatchSource {
        @Override
        public float[] sample(int batch, SplittableRandom rnd) {
            float[] x = new float[batch * channels * patchSize * patchSize];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
            return x;
        }
    }
}
