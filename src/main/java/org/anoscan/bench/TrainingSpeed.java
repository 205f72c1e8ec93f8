package org.anoscan.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import org.anoscan.backend.cpu.ConvBatching;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.train.GanTrainer;
import org.anoscan.train.PatchSource;

/**
 * GAN training steps per second on the CPU in the one-class quick setting (DCGAN-32, nz 32, widths 16,
 * batch 64), with the wide-GEMM convolutions (the default) and the per-sample reference ones (the
 * convolution path before wide GEMMs). Both trainers stay alive and take turns, a few steps each, for
 * many rounds, so that both see the same share of a shared machine; the median of the per-round ratios
 * is the figure to quote. Patches are random: a step's cost does not depend on them.
 *
 * <p>usage: TrainingSpeed [--rounds 20] [--steps 5] (steps per turn)
 */
public final class TrainingSpeed {
    public static void main(String[] args) {
        int rounds = 20;
        int steps = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        MnistOneClass.Settings s = OneClassBenchmark.quick();
        System.out.println("# setting quick: " + s.spec() + ", " + s.train());
        int threads = Runtime.getRuntime().availableProcessors();
        ConvBatching[] modes = ConvBatching.values();
        double[] seconds = new double[modes.length];
        double[] ratios = new double[rounds];
        PatchSource noise = new RandomPatches(s.spec().channels(), s.spec().imageSize());
        try (CpuBackend wide = new CpuBackend(threads, ConvBatching.WIDE); CpuBackend perSample = new CpuBackend(threads, ConvBatching.PER_SAMPLE);
             Dcgan wideModel = new Dcgan(wide, s.spec(), 1L); Dcgan perSampleModel = new Dcgan(perSample, s.spec(), 1L);
             GanTrainer wideTrainer = new GanTrainer(wideModel, s.train()); GanTrainer perSampleTrainer = new GanTrainer(perSampleModel, s.train())) {
            GanTrainer[] trainers = {wideTrainer, perSampleTrainer};
            for (GanTrainer t : trainers) {
                for (int i = 0; i < 3; i++) t.trainStep(noise); // JIT, buffer pool
            }
            for (int r = 0; r < rounds; r++) {
                double[] turn = new double[modes.length];
                for (int k = 0; k < modes.length; k++) {
                    int m = (k + r) % modes.length; // alternate which goes first
                    long t0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) trainers[m].trainStep(noise);
                    turn[m] = (System.nanoTime() - t0) / 1e9;
                    seconds[m] += turn[m];
                }
                ratios[r] = turn[ConvBatching.PER_SAMPLE.ordinal()] / turn[ConvBatching.WIDE.ordinal()];
            }
        }
        for (ConvBatching m : modes) {
            System.out.printf(Locale.ROOT, "%-11s %5d steps %8.2f s  %6.2f steps/s%n", m, rounds * steps, seconds[m.ordinal()],
                    rounds * steps / seconds[m.ordinal()]);
        }
        double[] sorted = ratios.clone();
        java.util.Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "wide / per-sample steps/s: overall %.2f, median of %d turns %.2f (range %.2f-%.2f)%n",
                seconds[ConvBatching.PER_SAMPLE.ordinal()] / seconds[ConvBatching.WIDE.ordinal()], rounds, sorted[rounds / 2], sorted[0],
                sorted[rounds - 1]);
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
