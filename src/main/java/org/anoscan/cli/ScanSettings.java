package org.anoscan.cli;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.scan.MapKind;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScoringSettings;
import org.anoscan.search.ScoringMode;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Precision;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options scan and calibrate share: calibrating and scanning must use the same settings, since
 * scores move with them (the model file records the calibration's, and a scan with others is warned).
 */
final class ScanSettings {
    /** Sanity bounds: beyond them a run would not finish or would not fit in memory (one search batch is batch x restarts). */
    static final int MAX_ITERATIONS = 1_000_000, MAX_BATCH = 1 << 16, MAX_RESTARTS = 1024;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "Model file (from anoscan train).")
    Path model;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEV",
            description = "auto, cpu, cuda or cuda:N, or several: cuda:0,cuda:1 or cuda:all (one engine per device, batches shared "
                    + "from one queue) (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", paramLabel = "P",
            description = "Convolution arithmetic: fp32, tf32 or bf16 (bf16 operands, fp32 accumulation; on the GPU) "
                    + "(default: tf32 on a GPU with TF32 tensor cores, else fp32).")
    String precision;

    @Option(names = "--iterations", defaultValue = "" + ScanConfig.DEFAULT_ITERATIONS, paramLabel = "N",
            description = "Latent-search steps per patch, or the hybrid mode's steps from E(x) (default: the calibrated model's, else "
                    + "${DEFAULT-VALUE} in search mode, " + ScoringSettings.DEFAULT_HYBRID_ITERATIONS + " in hybrid mode; the paper uses 500).")
    int iterations;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "search (AnoGAN: the search from a random z), encoder (f-AnoGAN: z = E(x), no search) or hybrid (the search "
                    + "starts at E(x)). Default: the calibrated model's, else hybrid for a model with an encoder, search otherwise.")
    String mode;

    @Option(names = "--stride", defaultValue = "0", paramLabel = "PX",
            description = "Pixels between patches (default: the calibrated model's, else half the patch size).")
    int stride;

    @Option(names = "--batch", defaultValue = "" + ScanConfig.DEFAULT_BATCH, paramLabel = "N",
            description = "Patches searched together, across images (default: ${DEFAULT-VALUE} on a GPU, " + CPU_BATCH + " on the CPU).")
    int batch;

    /**
     * The CPU's default batch: as fast per patch as 256 there (the CPU backend parallelises over the batch and
     * a patch's result does not depend on its batch), and 4x as many progress steps.
     */
    static final int CPU_BATCH = 64;

    @Option(names = "--top-k", defaultValue = "" + ScanConfig.DEFAULT_TOP_K, paramLabel = "K",
            description = "Image score: mean of the K highest patch scores (default: the calibrated model's, else ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--restarts", defaultValue = "1", paramLabel = "N",
            description = "Searches per patch from different starts; the best counts (default: the calibrated model's, else ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--lambda", defaultValue = "0.1", paramLabel = "L",
            description = "Weight of the feature term in the search loss, in [0, 1] (default: the calibrated model's, else ${DEFAULT-VALUE}).")
    float lambda;

    @Option(names = "--flat-std", defaultValue = "0", paramLabel = "S",
            description = "Skip patches whose standard deviation (in [-1, 1] units) is below S as background (default: the calibrated model's, else 0, none).")
    double flatStd;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "F",
            description = "Resample each image by F before tiling (0.5: a quarter of the patches, about 4x faster; maps come back "
                    + "at the original size). Default: the calibrated model's, else 1.")
    double scale;

    @Option(names = "--pad", description = "Reflect-pad images smaller than a patch instead of refusing them.")
    boolean pad;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the search starts (default: the calibrated model's, else ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--map", defaultValue = "auto", paramLabel = "KIND",
            description = "The heatmap: auto (window-detail for a model calibrated by this version, window when calibrated with the feature Gaussians only, texture or deviation "
                    + "when calibrated earlier, else residual), residual (|x - G(z)|, AnoGAN's map), residual-z, feature, deviation, "
                    + "deviation-fine, deviation-middle, layers, energy-pixels, energy-fine, texture, mahalanobis (PaDiM's), window-mean, "
                    + "window-spread, window, detail-loss, window-detail, combined, combined-deviation, departure (default: the calibrated model's, else ${DEFAULT-VALUE}).")
    String map;

    @Option(names = "--smoothing", paramLabel = "S",
            description = "Gaussian smoothing of the heatmap, sigma in strides (default: the calibrated model's, else 0 for "
                    + "residual, " + ScanConfig.WINDOW_SMOOTHING + " for window and " + ScanConfig.DEFAULT_SMOOTHING + " for the others).")
    Double smoothing;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    /** The scoring settings each option sets: a calibrated model's value replaces the option's default. */
    private static final Map<String, ScoringSettings.Setting> OPTIONS = Map.ofEntries(Map.entry("--iterations", ScoringSettings.Setting.ITERATIONS),
            Map.entry("--restarts", ScoringSettings.Setting.RESTARTS), Map.entry("--lambda", ScoringSettings.Setting.LAMBDA),
            Map.entry("--seed", ScoringSettings.Setting.SEED), Map.entry("--stride", ScoringSettings.Setting.STRIDE),
            Map.entry("--top-k", ScoringSettings.Setting.TOP_K), Map.entry("--flat-std", ScoringSettings.Setting.FLAT_STD),
            Map.entry("--scale", ScoringSettings.Setting.SCALE), Map.entry("--map", ScoringSettings.Setting.MAP),
            Map.entry("--smoothing", ScoringSettings.Setting.SMOOTHING), Map.entry("--mode", ScoringSettings.Setting.MODE));

    /** The scan config from the options alone (calibrate: it sets the model's settings); a bad value is a usage error. */
    ScanConfig config(CommandLine cmd) {
        positive(cmd, "--iterations", iterations, 0);
        positive(cmd, "--stride", stride, 0);
        positive(cmd, "--batch", batch, 1);
        positive(cmd, "--top-k", topK, 1);
        positive(cmd, "--restarts", restarts, 1);
        atMost(cmd, "--iterations", iterations, MAX_ITERATIONS);
        atMost(cmd, "--batch", batch, MAX_BATCH);
        atMost(cmd, "--restarts", restarts, MAX_RESTARTS);
        if (!(flatStd >= 0) || Double.isInfinite(flatStd)) {
            throw new CommandLine.ParameterException(cmd, "--flat-std must be a finite number >= 0, got " + flatStd);
        }
        if (!(scale > 0 && scale <= ScanConfig.MAX_SCALE)) {
            throw new CommandLine.ParameterException(cmd, "--scale must be in (0, " + ScanConfig.MAX_SCALE + "], got " + scale);
        }
        if (!(lambda >= 0 && lambda <= 1)) throw new CommandLine.ParameterException(cmd, "--lambda must be in [0, 1], got " + lambda);
        ScoringMode scoring = ScoringMode.SEARCH;
        if (mode != null) {
            try {
                scoring = ScoringMode.parse(mode);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--mode: " + e.getMessage());
            }
        }
        boolean iterationsGiven = cmd.getParseResult().hasMatchedOption("--iterations");
        int steps = scoring == ScoringMode.HYBRID && !iterationsGiven ? ScoringSettings.DEFAULT_HYBRID_ITERATIONS : iterations;
        SearchConfig search = ScanConfig.defaults().search().withIterations(steps).withRestarts(restarts).withSeed(seed)
                .withLambda(lambda).withMode(scoring);
        MapKind kind;
        try {
            kind = MapKind.parse(map);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--map: " + e.getMessage());
        }
        if (smoothing != null && (!(smoothing >= 0) || smoothing.isInfinite())) {
            throw new CommandLine.ParameterException(cmd, "--smoothing must be a finite number >= 0, got " + smoothing);
        }
        return new ScanConfig(stride, search, batch, topK, flatStd, pad, Double.NaN, Double.NaN, precision(cmd, precision), scale)
                .withMap(kind, smoothing == null ? Double.NaN : smoothing);
    }

    /**
     * The options alone, with the mode defaulted for this model when neither --mode nor its calibration chose one
     * (hybrid for a model with an encoder); calibrate uses it, since it sets the model's settings.
     */
    ScanConfig config(CommandLine cmd, Map<String, String> info, boolean hasEncoder) {
        return ScoringSettings.defaultMode(config(cmd), info, hasEncoder, mode != null, cmd.getParseResult().hasMatchedOption("--iterations"));
    }

    /** --precision parsed, or null (the backend's default) when not given; a bad value is a usage error. */
    static Precision precision(CommandLine cmd, String value) {
        if (value == null) return null;
        try {
            return Precision.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--precision: " + e.getMessage());
        }
    }

    /** Sets the backend to {@code p}, or to its default when p is null; returns the precision now in use. */
    static Precision apply(Backend backend, Precision p) {
        backend.setPrecision(p != null ? p : backend.defaultPrecision());
        if (p != null && backend.precision() != p) {
            System.err.println("anoscan: " + backend.name() + " computes in " + backend.precision().label() + " only; --precision "
                    + p.label() + " has no effect there");
        }
        return backend.precision();
    }

    /**
     * The scan config for scoring with {@code model}: the options given on the command line, and for the
     * others the scoring settings the model was calibrated with (told to {@code log} once), else the defaults.
     */
    ScanConfig config(CommandLine cmd, Map<String, String> info, boolean hasEncoder, Consumer<String> log) {
        ScanConfig own = config(cmd, info, hasEncoder);
        if (!ScoringSettings.present(info)) return own;
        Set<ScoringSettings.Setting> given = EnumSet.noneOf(ScoringSettings.Setting.class);
        OPTIONS.forEach((option, setting) -> {
            if (cmd.getParseResult().hasMatchedOption(option)) given.add(setting);
        });
        log.accept("scoring settings from the model: " + ScoringSettings.describe(info)
                + (given.isEmpty() ? "" : " (options given on the command line win)"));
        try {
            return ScoringSettings.apply(own, info, given);
        } catch (IllegalArgumentException e) { // a malformed stored value: the model's fault, not a usage error
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** {@code cfg} with the CPU's default batch when the search runs on the CPU and --batch was not given. */
    ScanConfig forBackend(CommandLine cmd, ScanConfig cfg, Backend backend) {
        return forDevice(cmd, cfg, backend.name().equals("cpu"));
    }

    /** {@code cfg} with the CPU's default batch when {@code cpu} and --batch was not given. */
    static ScanConfig forDevice(CommandLine cmd, ScanConfig cfg, boolean cpu) {
        return cpu && !cmd.getParseResult().hasMatchedOption("--batch") ? cfg.withBatchSize(CPU_BATCH) : cfg;
    }

    /** Opens --device (one device only); a malformed choice is a usage error, a missing device a failure. */
    Backend openBackend(CommandLine cmd) {
        checkDevice(cmd);
        if (Devices.isList(device)) throw new CommandLine.ParameterException(cmd, "--device '" + device + "': this command runs on one device");
        Precision p = precision(cmd, precision);
        Backend b = Devices.open(device, notice -> System.err.println("anoscan: " + notice));
        apply(b, p);
        return b;
    }

    /** Opens every device --device names (one or a list); a malformed choice is a usage error, a missing device a failure. */
    DeviceSet openDevices(CommandLine cmd) {
        checkDevice(cmd);
        Precision p = precision(cmd, precision);
        List<Backend> all = Devices.openAll(device, notice -> System.err.println("anoscan: " + notice));
        for (Backend b : all) apply(b, p);
        return new DeviceSet(all);
    }

    private void checkDevice(CommandLine cmd) {
        if (!device.trim().toLowerCase(java.util.Locale.ROOT).matches(Devices.CHOICE_PATTERN)) {
            throw new CommandLine.ParameterException(cmd, "--device '" + device + "': use auto, cpu, cuda, cuda:N, a list of them "
                    + "(cuda:0,cuda:1) or cuda:all");
        }
    }

    private static void atMost(CommandLine cmd, String name, int value, int max) {
        if (value > max) throw new CommandLine.ParameterException(cmd, name + " must be at most " + max + ", got " + value);
    }

    private static void positive(CommandLine cmd, String name, int value, int min) {
        if (value < min) throw new CommandLine.ParameterException(cmd, name + " must be at least " + min + ", got " + value);
    }
}
