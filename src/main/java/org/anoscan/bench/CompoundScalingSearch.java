package org.anoscan.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.Mnist;
import org.anoscan.nn.CompoundScaling;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Parameter;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;

/**
 * Compound scaling of the DCGAN family, measured: for each candidate (α, β, γ) with α·β²·γ² ≈ 2 (α, β, γ >= 1)
 * the φ = 1 member, with its FLOPs per search iteration (per patch, and per image area: times γ^(2φ), as a patch
 * covers 1/γ^φ as much), parameters, search throughput and quality on two proxies: MNIST one-class AUROC on a few
 * digits (the one-class quick base) and texture localisation ({@link ScaledTextureProxy}: the texture quick base,
 * pixel AUROC and AUPRO of the plain residual map, or with {@code --map window-detail} of the calibrated map a scan
 * shows by default, the images resampled by the member's resolution before tiling).
 * {@code --family} instead prints φ = 0..3 ({@code --min-phi}/{@code --max-phi} to run part of it) with the chosen
 * coefficients next to scaling only the width or only the depth to the same FLOPs.
 *
 * <p>MNIST digits have 28x28 pixels and no more: the resolution term cannot add any there, so the MNIST proxy
 * measures depth and width only; the texture proxy is what tests γ. Rounding (widths to multiples of 8, blocks to
 * whole ones) collapses many candidates onto one network: each distinct network is trained and scored once on
 * MNIST, each distinct (network, resolution) once on the textures, and the rows that share say so.
 *
 * <p>usage: CompoundScalingSearch [--family] [--candidates A:B:G,...] [--digits 1,4,7|none] [--textures brick|none]
 * [--steps 600] [--normal 150] [--anomalous 150] [--iterations 100] [--texture-steps 800] [--alpha A --beta B --gamma G]
 * [--min-phi 0] [--max-phi 3] [--map residual|window-detail] [--no-quality] [--seed N] [--device cpu|cuda:N]
 * [--mnist DIR] [--textures-dir DIR]
 *
 * <p>{@code --seed N} trains every network of both proxies with another seed (default 1): one seed per run, so that
 * a second run tells how far a candidate's figures move with the seed alone.
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

    /** One row of the table: a label and the scaling, applied to each proxy's own base model. */
    record Candidate(String label, CompoundScaling scaling) {
        /** The network this candidate makes of base, without the scaling record (equal networks compare equal). */
        DcganSpec network(DcganSpec base) {
            return scaling.apply(base).withoutScalingRecord();
        }
    }

    /** What a texture result depends on: the network, and the factor its images are resampled by. */
    record TextureKey(DcganSpec network, double resolution) {}

    /** The candidates grouped by key (in first-seen order): each group is trained and scored once. */
    static <K> Map<K, List<Candidate>> distinct(List<Candidate> candidates, Function<Candidate, K> key) {
        Map<K, List<Candidate>> out = new LinkedHashMap<>();
        for (Candidate c : candidates) out.computeIfAbsent(key.apply(c), k -> new ArrayList<>()).add(c);
        return out;
    }

    /** Parses "1.2:1.1:1.15,1:1:1.4" into φ = 1 candidates. */
    static List<Candidate> parseCandidates(String list) {
        List<Candidate> out = new ArrayList<>();
        for (String item : list.split(",")) {
            String[] abg = item.trim().split(":");
            if (abg.length != 3) throw new IllegalArgumentException("--candidates: each item is alpha:beta:gamma, got '" + item + "'");
            CompoundScaling c = new CompoundScaling(1, Double.parseDouble(abg[0]), Double.parseDouble(abg[1]), Double.parseDouble(abg[2]));
            out.add(new Candidate(label(c), c));
        }
        return out;
    }

    private static String label(CompoundScaling c) {
        return String.format(Locale.ROOT, "α %.2f β %.2f γ %.2f", c.alpha(), c.beta(), c.gamma());
    }

    /** Thrown with the one-line reason the program cannot run (bad arguments, no such device): no stack trace. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    public static void main(String[] args) throws IOException {
        try {
            run(args);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new Failure("CompoundScalingSearch: " + e.getMessage());
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    private static List<String> listArg(String v) {
        return v.equals("none") ? List.of() : List.of(v.split(","));
    }

    private static void run(String[] args) throws IOException {
        List<Integer> digits = List.of(1, 4, 7);
        List<String> textures = List.of("brick");
        int steps = 600, normal = 150, anomalous = 150, iterations = 100, textureSteps = TextureLocalisation.quick().train().steps();
        double alpha = CompoundScaling.ALPHA, beta = CompoundScaling.BETA, gamma = CompoundScaling.GAMMA;
        boolean family = false, quality = true;
        String device = "cpu";
        long seed = 1;
        int minPhi = 0, maxPhi = 3;
        ScaledTextureProxy.ProxyMap map = ScaledTextureProxy.ProxyMap.RESIDUAL;
        List<Candidate> only = null;
        Path mnist = Path.of("data/mnist"), texturesDir = Path.of("data/textures");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--family" -> family = true;
                case "--digits" -> digits = listArg(value(args, ++i)).stream().map(Integer::parseInt).toList();
                case "--textures" -> textures = listArg(value(args, ++i));
                case "--candidates" -> only = parseCandidates(value(args, ++i));
                case "--steps" -> steps = Integer.parseInt(value(args, ++i));
                case "--texture-steps" -> textureSteps = Integer.parseInt(value(args, ++i));
                case "--normal" -> normal = Integer.parseInt(value(args, ++i));
                case "--anomalous" -> anomalous = Integer.parseInt(value(args, ++i));
                case "--iterations" -> iterations = Integer.parseInt(value(args, ++i));
                case "--alpha" -> alpha = Double.parseDouble(value(args, ++i));
                case "--beta" -> beta = Double.parseDouble(value(args, ++i));
                case "--gamma" -> gamma = Double.parseDouble(value(args, ++i));
                case "--no-quality" -> quality = false;
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--map" -> map = ScaledTextureProxy.ProxyMap.parse(value(args, ++i));
                case "--min-phi" -> minPhi = Integer.parseInt(value(args, ++i));
                case "--max-phi" -> maxPhi = Integer.parseInt(value(args, ++i));
                case "--device" -> device = value(args, ++i);
                case "--mnist" -> mnist = Path.of(value(args, ++i));
                case "--textures-dir" -> texturesDir = Path.of(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown argument " + a + " (see the class comment for the options)");
            }
        }
        if (maxPhi < 0 || maxPhi > 3) throw new IllegalArgumentException("--max-phi must lie in [0, 3], got " + maxPhi);
        if (minPhi < 0 || minPhi > maxPhi) throw new IllegalArgumentException("--min-phi must lie in [0, --max-phi], got " + minPhi);
        if (!quality) {
            digits = List.of();
            textures = List.of();
        }
        MnistOneClass.Settings base = OneClassBenchmark.quick();
        base = new MnistOneClass.Settings(base.spec(), base.train().withSteps(steps).withSeed(seed), base.search().withIterations(iterations),
                base.maxTrain(), normal, anomalous);
        TextureLocalisation.Settings tq = TextureLocalisation.quick();
        TextureLocalisation.Settings texBase = tq.with(tq.train().withSteps(textureSteps).withSeed(seed), tq.search(), tq.imageSize(), tq.images(), tq.calibration(),
                tq.stride(), tq.seed());
        DcganSpec mnistBase = base.spec();
        // the device first, so that a missing GPU is told before any data is read
        try (Backend backend = Devices.open(device, System.out::println)) {
            List<Candidate> candidates = new ArrayList<>();
            if (family) {
                CompoundScaling chosen = new CompoundScaling(0, alpha, beta, gamma);
                for (int phi = minPhi; phi <= maxPhi; phi++) {
                    CompoundScaling c = chosen.withPhi(phi);
                    candidates.add(new Candidate("compound φ " + phi, c));
                    if (phi == 0) continue;
                    // the same FLOPs per image area as the compound member, by width alone or by depth alone (closest whole step)
                    double target = flops(backend, c.apply(mnistBase)) * c.resolution() * c.resolution();
                    candidates.add(new Candidate("width only φ " + phi, closest(backend, target, b -> new CompoundScaling(1, 1, b, 1), mnistBase)));
                    candidates.add(new Candidate("depth only φ " + phi, closest(backend, target, x -> new CompoundScaling(1, x, 1, 1), mnistBase)));
                }
            } else {
                candidates.add(new Candidate("base φ 0", CompoundScaling.NONE));
                for (CompoundScaling c : only != null ? only.stream().map(Candidate::scaling).toList() : grid()) candidates.add(new Candidate(label(c), c));
            }
            Mnist.Set train = digits.isEmpty() ? null : Mnist.read(mnist, "train");
            Mnist.Set test = digits.isEmpty() ? null : Mnist.read(mnist, "t10k");
            Map<String, FloatImage[]> textureImages = new LinkedHashMap<>();
            for (String t : textures) {
                String donor = t.equals("gravel") ? "brick" : "gravel";
                textureImages.put(t, new FloatImage[] {ImageReader.read(texturesDir.resolve(t + ".png"), 1), ImageReader.read(texturesDir.resolve(donor + ".png"), 1)});
            }
            System.out.println("# backend " + backend.description() + "; MNIST base " + mnistBase.describe() + ", " + steps + " training steps (seed " + seed + "), Γ = "
                    + iterations + ", digits " + digits + " (" + normal + " normal / " + anomalous + " anomalous test images each)");
            System.out.println("# texture base (TextureLocalisation quick): " + texBase + "; textures " + textures
                    + "; " + (map.calibrated() ? "window-detail map (calibrated on the texture's calibration crops at the member's resolution)"
                    : "plain residual map") + ", images resampled by the member's resolution before tiling (ScaledTextureProxy)");

            // sizes and speed: once per distinct MNIST network
            Map<DcganSpec, List<Candidate>> networks = distinct(candidates, c -> c.network(mnistBase));
            Map<DcganSpec, double[]> size = new LinkedHashMap<>(); // FLOPs per iteration, parameters, patch-iterations/s
            for (DcganSpec n : networks.keySet()) {
                try (Dcgan model = new Dcgan(backend, n, 1L)) {
                    long params = 0;
                    for (Parameter p : model.state()) params += p.value().shape().size();
                    size.put(n, new double[] {Flops.searchIteration(model), params, throughput(model)});
                }
            }
            System.out.printf(Locale.ROOT, "# %d candidates: %d distinct MNIST networks, %d distinct texture (network, resolution) pairs%n",
                    candidates.size(), networks.size(), distinct(candidates, c -> new TextureKey(c.network(texBase.spec()), c.scaling().resolution())).size());

            // MNIST quality: once per distinct network (it depends on depth and width only), cheapest first
            Map<DcganSpec, double[]> auroc = new LinkedHashMap<>();
            List<DcganSpec> byCost = new ArrayList<>(networks.keySet());
            byCost.sort(Comparator.comparingDouble(n -> size.get(n)[0]));
            for (DcganSpec n : digits.isEmpty() ? List.<DcganSpec>of() : byCost) {
                double[] a = new double[digits.size()];
                MnistOneClass.Settings s = new MnistOneClass.Settings(networks.get(n).get(0).scaling().apply(mnistBase), base.train(), base.search(),
                        base.maxTrain(), normal, anomalous);
                for (int d = 0; d < digits.size(); d++) {
                    MnistOneClass.Outcome o = MnistOneClass.run(backend, train, test, digits.get(d), s, null);
                    a[d] = o.auroc();
                    System.out.printf(Locale.ROOT, "# mnist %-46s digit %d: AUROC %.4f (train %.0f s, score %.0f s)%n", shortName(n),
                            digits.get(d), o.auroc(), o.trainSeconds(), o.scoreSeconds());
                    System.out.flush();
                }
                auroc.put(n, a);
            }

            // texture quality: once per distinct (network, resolution), cheapest per image area first
            Map<TextureKey, List<Candidate>> textureRuns = distinct(candidates, c -> new TextureKey(c.network(texBase.spec()), c.scaling().resolution()));
            Map<TextureKey, Map<String, ScaledTextureProxy.Result>> localisation = new LinkedHashMap<>();
            List<TextureKey> keys = new ArrayList<>(textureRuns.keySet());
            keys.sort(Comparator.comparingDouble(k -> flops(backend, k.network()) * k.resolution() * k.resolution()));
            for (TextureKey k : textures.isEmpty() ? List.<TextureKey>of() : keys) {
                Map<String, ScaledTextureProxy.Result> m = new LinkedHashMap<>();
                TextureLocalisation.Settings s = new TextureLocalisation.Settings(textureRuns.get(k).get(0).scaling().apply(texBase.spec()),
                        texBase.train(), texBase.search(), texBase.imageSize(), texBase.images(), texBase.calibration(), texBase.stride(), texBase.seed());
                for (Map.Entry<String, FloatImage[]> t : textureImages.entrySet()) {
                    ScaledTextureProxy.Result r = ScaledTextureProxy.run(backend, t.getValue()[0], t.getValue()[1], s, k.resolution(), map, null);
                    m.put(t.getKey(), r);
                    System.out.printf(Locale.ROOT, "# texture %-44s resolution %.3f %s: pixel AUROC %.4f, AUPRO %.4f, image AUROC %.4f "
                            + "(%d patches; train %.0f s, scan %.0f s)%n", shortName(k.network()), k.resolution(), t.getKey(), r.pixelAuroc(),
                            r.aupro(), r.imageAuroc(), r.patches(), r.trainSeconds(), r.scanSeconds());
                    System.out.flush();
                }
                localisation.put(k, m);
            }

            System.out.println();
            System.out.println("# MFLOP/it: MNIST network, per patch and search iteration (G and f, forward and backward-data); per area: times resolution²");
            System.out.println("# the same network (or network and resolution) is trained and scored once; 'same as' names the row whose figures are shared");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-22s %-44s %9s %9s %8s %11s", "candidate", "MNIST network",
                    "MFLOP/it", "per area", "params", "patch-it/s"));
            if (!digits.isEmpty()) head.append(" | AUROC ").append(digits).append("; mean");
            for (String t : textures) head.append(" | ").append(t).append(" pixel AUROC / AUPRO");
            head.append(" | same as");
            System.out.println(head);
            for (Candidate c : candidates) {
                DcganSpec n = c.network(mnistBase);
                TextureKey k = new TextureKey(c.network(texBase.spec()), c.scaling().resolution());
                double[] sz = size.get(n);
                double r = c.scaling().resolution();
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-22s %-44s %9.2f %9.2f %8d %11.1f", c.label(), shortName(n),
                        sz[0] / 1e6, sz[0] / 1e6 * r * r, (long) sz[1], sz[2]));
                if (!digits.isEmpty()) {
                    double[] a = auroc.get(n);
                    row.append(" |");
                    for (double v : a) row.append(String.format(Locale.ROOT, " %.3f", v));
                    row.append(String.format(Locale.ROOT, "; %.4f", Arrays.stream(a).average().orElse(Double.NaN)));
                }
                for (String t : textures) {
                    ScaledTextureProxy.Result res = localisation.get(k).get(t);
                    row.append(String.format(Locale.ROOT, " | %.4f / %.4f", res.pixelAuroc(), res.aupro()));
                }
                List<String> same = new ArrayList<>();
                Candidate firstNet = networks.get(n).get(0), firstKey = textureRuns.get(k).get(0);
                if (firstNet != c) same.add("MNIST: " + firstNet.label());
                if (!textures.isEmpty() && firstKey != c) same.add("texture: " + firstKey.label());
                row.append(" | ").append(String.join(", ", same));
                System.out.println(row);
            }
        }
    }

    /** "nz 32, ngf 16, ndf 16, +1 block". */
    static String shortName(DcganSpec n) {
        return "nz " + n.nz() + ", ngf " + n.ngf() + ", ndf " + n.ndf() + (n.blocks() > 0 ? ", +" + n.blocks() + " block" + (n.blocks() > 1 ? "s" : "") : "");
    }

    private static double flops(Backend backend, DcganSpec spec) {
        try (Dcgan m = new Dcgan(backend, spec, 1L)) {
            return Flops.searchIteration(m);
        }
    }

    /** The scaling of {@code family} (a coefficient from 1 to 4 in steps of 0.01) whose network's search FLOPs are closest to target. */
    private static CompoundScaling closest(Backend backend, double target, DoubleFunction<CompoundScaling> family, DcganSpec base) {
        CompoundScaling best = null;
        double bestGap = Double.MAX_VALUE;
        DcganSpec last = null;
        for (int step = 0; step <= 300; step++) {
            CompoundScaling c;
            DcganSpec s;
            try {
                c = family.apply(1 + step / 100.0);
                s = c.apply(base).withoutScalingRecord();
            } catch (IllegalArgumentException e) { // past a bound (blocks, widths): the family ends here
                break;
            }
            if (s.equals(last)) continue;
            last = s;
            double gap = Math.abs(Math.log(flops(backend, s) / target));
            if (gap < bestGap) {
                bestGap = gap;
                best = c;
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

}
