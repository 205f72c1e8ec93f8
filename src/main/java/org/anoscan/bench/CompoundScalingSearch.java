package org.anoscan.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.Mnist;
import org.anoscan.nn.CompoundScaling;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Parameter;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;

/**
 * Compound scaling of the DCGAN family, measured: for each candidate (α, β, γ) with α·β²·γ² ≈ 2 (α, β, γ >= 1)
 * the φ = 1 member of the one-class quick base model, with its FLOPs per search iteration (per patch, and per
 * image area: times γ^(2φ), as a patch covers 1/γ^φ as much), parameters, CPU search throughput and MNIST one-class
 * AUROC on a few digits (the proxy). {@code --family} instead prints φ = 0..3 with the chosen coefficients next
 * to scaling only the width or only the depth to the same FLOPs.
 *
 * <p>MNIST digits have 28x28 pixels and no more: the resolution term cannot add any there, so the MNIST proxy
 * measures depth and width only, and γ shows in the FLOPs per image area. A texture proxy is what tests γ.
 *
 * <p>usage: CompoundScalingSearch [--family] [--digits 1,4,7] [--steps 600] [--normal 150] [--anomalous 150]
 * [--iterations 100] [--alpha A --beta B --gamma G] [--no-quality] [--device cpu] [--mnist DIR]
 */
public final class CompoundScalingSearch {
    private CompoundScalingSearch() {}

    /** The grid of the search: every (α, β, γ) on these steps with |α·β²·γ² − 2| <= 0.15. */
    static List<CompoundScaling> grid() {
        List<CompoundScaling> out = new ArrayList<>();
        for (double a = 1.0; a <= 2.001; a += 0.2) {
            for (double b = 1.0; b <= 1.41; b += 0.1) {
                for (double g = 1.0; g <= 1.41; g += 0.1) {
                    double p = a * b * b * g * g;
                    if (Math.abs(p - 2) <= 0.15) out.add(new CompoundScaling(1, round(a), round(b), round(g)));
                }
            }
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    public static void main(String[] args) throws IOException {
        List<Integer> digits = List.of(1, 4, 7);
        int steps = 600, normal = 150, anomalous = 150, iterations = 100;
        double alpha = CompoundScaling.ALPHA, beta = CompoundScaling.BETA, gamma = CompoundScaling.GAMMA;
        boolean family = false, quality = true;
        String device = "cpu";
        Path mnist = Path.of("data/mnist");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--family" -> family = true;
                case "--digits" -> digits = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--normal" -> normal = Integer.parseInt(args[++i]);
                case "--anomalous" -> anomalous = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--alpha" -> alpha = Double.parseDouble(args[++i]);
                case "--beta" -> beta = Double.parseDouble(args[++i]);
                case "--gamma" -> gamma = Double.parseDouble(args[++i]);
                case "--no-quality" -> quality = false;
                case "--device" -> device = args[++i];
                case "--mnist" -> mnist = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        MnistOneClass.Settings base = OneClassBenchmark.quick();
        base = new MnistOneClass.Settings(base.spec(), base.train().withSteps(steps), base.search().withIterations(iterations),
                base.maxTrain(), normal, anomalous);
        List<Row> rows = new ArrayList<>();
        DcganSpec baseSpec = base.spec();
        if (family) {
            CompoundScaling chosen = new CompoundScaling(0, alpha, beta, gamma);
            try (Backend sizing = Devices.open("cpu", m -> { })) {
                for (int phi = 0; phi <= 3; phi++) {
                    CompoundScaling c = chosen.withPhi(phi);
                    DcganSpec member = c.apply(base.spec());
                    rows.add(new Row("compound φ " + phi, member, c.resolution()));
                    if (phi == 0) continue;
                    // the same FLOPs per image area as the compound member, by width alone or by depth alone (closest whole step)
                    double target = flops(sizing, member) * c.resolution() * c.resolution();
                    DcganSpec wide = closest(sizing, target, b -> new CompoundScaling(1, 1, b, 1).apply(baseSpec), 1, 4, 0.01);
                    DcganSpec deep = closest(sizing, target, a -> new CompoundScaling(1, a, 1, 1).apply(baseSpec), 1, 4, 0.01);
                    rows.add(new Row("width only φ " + phi, wide, 1));
                    rows.add(new Row("depth only φ " + phi, deep, 1));
                }
            }
        } else {
            rows.add(new Row("base φ 0", base.spec(), 1));
            for (CompoundScaling c : grid()) rows.add(new Row(String.format(Locale.ROOT, "α %.2f β %.2f γ %.2f", c.alpha(), c.beta(), c.gamma()),
                    c.apply(base.spec()), c.resolution()));
        }
        Mnist.Set train = quality ? Mnist.read(mnist, "train") : null;
        Mnist.Set test = quality ? Mnist.read(mnist, "t10k") : null;
        try (Backend backend = Devices.open(device, System.out::println)) {
            System.out.println("# backend " + backend.description() + "; base " + base.spec().describe() + ", " + steps + " training steps, Γ = "
                    + iterations + ", digits " + digits + " (" + normal + " normal / " + anomalous + " anomalous test images each)");
            System.out.println("# MFLOP/it: per patch and search iteration (G and f, forward and backward-data); per area: times resolution²");
            System.out.printf(Locale.ROOT, "%-22s %-70s %9s %9s %8s %11s %s%n", "candidate", "architecture", "MFLOP/it", "per area",
                    "params", "patch-it/s", quality ? "AUROC per digit; mean" : "");
            for (Row r : rows) {
                try (Dcgan model = new Dcgan(backend, r.spec, 1L)) {
                    double flops = Flops.searchIteration(model);
                    long params = 0;
                    for (Parameter p : model.state()) params += p.value().shape().size();
                    double rate = throughput(model);
                    StringBuilder q = new StringBuilder();
                    if (quality) {
                        double sum = 0;
                        MnistOneClass.Settings s = new MnistOneClass.Settings(r.spec, base.train(), base.search(), base.maxTrain(), normal, anomalous);
                        for (int d : digits) {
                            double auroc = MnistOneClass.run(backend, train, test, d, s, null).auroc();
                            sum += auroc;
                            q.append(String.format(Locale.ROOT, "%d:%.3f ", d, auroc));
                        }
                        q.append(String.format(Locale.ROOT, "; %.4f", sum / digits.size()));
                    }
                    System.out.printf(Locale.ROOT, "%-22s %-70s %9.2f %9.2f %8d %11.1f %s%n", r.label, r.spec.describe().replaceAll(", φ.*", ""),
                            flops / 1e6, flops / 1e6 * r.resolution * r.resolution, params, rate, q);
                    System.out.flush();
                }
            }
        }
    }

    private static double flops(Backend backend, DcganSpec spec) {
        try (Dcgan m = new Dcgan(backend, spec, 1L)) {
            return Flops.searchIteration(m);
        }
    }

    /** The member of {@code family} (over the coefficient from lo to hi in steps) whose search FLOPs are closest to target. */
    private static DcganSpec closest(Backend backend, double target, java.util.function.DoubleFunction<DcganSpec> family, double lo, double hi,
                                     double step) {
        DcganSpec best = null;
        double bestGap = Double.MAX_VALUE;
        DcganSpec last = null;
        for (double v = lo; v <= hi + 1e-9; v += step) {
            DcganSpec s;
            try {
                s = family.apply(Math.min(hi, v));
            } catch (IllegalArgumentException e) { // past a bound (blocks, widths): the family ends here
                break;
            }
            if (s.equals(last)) continue;
            last = s;
            double gap = Math.abs(Math.log(flops(backend, s) / target));
            if (gap < bestGap) {
                bestGap = gap;
                best = s;
            }
        }
        return best;
    }

    /**
     * Patch-iterations per second of the batched search (B = 64): searches of 1 and of 1 + n iterations (n sized
     * to about 2 s from a warm-up), each the fastest of 3, and the difference timed, so that setup cancels out.
     */
    private static double throughput(Dcgan model) {
        int batch = 64;
        float[] x = new float[batch * model.spec().channels() * model.spec().imageSize() * model.spec().imageSize()];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        SearchConfig cfg = SearchConfig.defaults();
        double warm = fastest(model, x, batch, cfg.withIterations(6), 1) / 6;
        int n = (int) Math.max(5, Math.min(2000, 2.0 / warm));
        double one = fastest(model, x, batch, cfg.withIterations(1), 3);
        double many = fastest(model, x, batch, cfg.withIterations(1 + n), 3);
        return batch * (double) n / Math.max(1e-9, many - one);
    }

    private static double fastest(Dcgan model, float[] x, int batch, SearchConfig cfg, int repeats) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            new LatentSearch(model, cfg).search(x, batch);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    private record Row(String label, DcganSpec spec, double resolution) {}
}
