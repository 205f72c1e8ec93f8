package org.anoscan.scan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.anoscan.backend.Backend;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.search.FeatureTerms;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * Picks the decision thresholds from normal images: scans held-out normal (validation) images, and takes
 * the q-quantile ({@link Quantiles nearest rank}, default 0.99) of their image scores (top-k means) as the
 * image threshold and of all their heatmap pixels as the pixel threshold. So about 1% of normal images,
 * and of normal pixels, fall above them: the false-alarm rate is chosen, not guessed, without needing any
 * anomalous example.
 *
 * <p>{@link #calibrate} also gathers the statistics of normal patches that the normalised maps divide by
 * ({@link MapStatistics}), and writes them and the thresholds into the model file ({@link Thresholds}'
 * {@code threshold.*} keys, with the scoring settings used ({@link ScoringSettings}), since scores move with
 * them; the statistics as extra tensors), re-saving the file atomically, so a model carries both to every later scan. A map that
 * needs the statistics takes a second pass over the images: its pixel threshold is a quantile of the
 * normalised map, which exists only once the statistics do.
 */
public final class Calibration {
    public static final double DEFAULT_QUANTILE = 0.99;

    private Calibration() {}

    /**
     * @param images how many images were scanned; below {@code 1 / (1 - quantile)} the image threshold is
     *     simply their largest score
     * @param failures one line per file that could not be scanned
     */
    public record Result(double imageThreshold, double pixelThreshold, double quantile, int images, long pixels,
                         List<String> failures) {
        /** A warning when there are too few images for the quantile to mean much, else null. */
        public String sampleWarning() {
            long needed = (long) Math.ceil(1 / (1 - Math.min(quantile, 0.999999)));
            return images >= needed ? null : "only " + images + " normal image(s): the " + quantile
                    + " quantile of their scores is their maximum; give at least " + needed + " for a meaningful threshold";
        }
    }

    /** Collects image scores and heatmap pixels while scanning; feed it results, then {@link #result}. */
    public static final class Collector implements ScanListener {
        private final List<Double> scores = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private final PixelQuantile pixels;

        /** For heatmaps of the plain residual. */
        public Collector() {
            this(MapKind.RESIDUAL);
        }

        /** For heatmaps of {@code kind} (resolved). */
        public Collector(MapKind kind) {
            pixels = PixelQuantile.forMap(kind);
        }

        public void add(ScanResult r) {
            scores.add((double) r.topKMean());
            pixels.add(r.heatmap().data());
        }

        @Override
        public void onResult(Path file, ScanResult result) { add(result); }

        @Override
        public void onFailure(Path file, String message) { failures.add(message); }

        public int images() { return scores.size(); }

        public Result result(double quantile) {
            if (scores.isEmpty()) throw new IllegalStateException("no normal image could be scanned; nothing to calibrate on");
            double[] s = scores.stream().mapToDouble(Double::doubleValue).toArray();
            return new Result(Quantiles.of(s, quantile), pixels.quantile(quantile), quantile, s.length, pixels.count(),
                    List.copyOf(failures));
        }
    }

    /**
     * Scans {@code normals} with {@code scanner} (its own thresholds play no part) and returns the
     * thresholds. Bad files are skipped and listed in the result; {@code listener} (may be null) hears
     * about every file too, e.g. for progress.
     *
     * @throws IllegalStateException when no file could be scanned
     */
    public static Result compute(AnomalyScanner scanner, List<Path> normals, double quantile, ScanListener listener) {
        return compute(scanner, normals, quantile, listener, null);
    }

    private static Result compute(AnomalyScanner scanner, List<Path> normals, double quantile, ScanListener listener,
                                  PatchObserver observer) {
        Quantiles.rank(quantile, 1); // checks the quantile before a long scan
        Collector c = new Collector(scanner.mapKind());
        scanner.scanFiles(normals, new ScanListener() {
            @Override
            public void onResult(Path file, ScanResult result) {
                c.onResult(file, result);
                if (listener != null) listener.onResult(file, result);
            }

            @Override
            public void onFailure(Path file, String message) {
                c.onFailure(file, message);
                if (listener != null) listener.onFailure(file, message);
            }

            @Override
            public void onTiled(Path file, int patches) {
                if (listener != null) listener.onTiled(file, patches);
            }

            @Override
            public void onBatch(int patches) {
                if (listener != null) listener.onBatch(patches);
            }

            @Override
            public void onNotice(String message) {
                if (listener != null) listener.onNotice(message);
            }
        }, observer);
        return c.result(quantile);
    }

    /** Passes over the normal images that {@link #calibrate} makes with {@code cfg}: 2 when its map needs the statistics. */
    public static int passes(ScanConfig cfg) {
        return cfg.map().resolve(true) == MapKind.RESIDUAL ? 1 : 2;
    }

    /** The info map with the thresholds of {@code r} and the settings of {@code cfg} put in. */
    public static Map<String, String> withThresholds(Map<String, String> info, Result r, ScanConfig cfg, int patchSize) {
        Map<String, String> out = new LinkedHashMap<>(info);
        out.put(Thresholds.IMAGE_KEY, Double.toString(r.imageThreshold()));
        out.put(Thresholds.PIXEL_KEY, Double.toString(r.pixelThreshold()));
        out.put(Thresholds.QUANTILE_KEY, Double.toString(r.quantile()));
        out.put(Thresholds.IMAGES_KEY, Integer.toString(r.images()));
        ScoringSettings.store(out, cfg, patchSize);
        return out;
    }

    /**
     * Loads {@code modelFile}, scans {@code normals} with {@code cfg} (explicit thresholds ignored), and
     * re-saves the file with the statistics of normal patches and the thresholds (atomically: a crash leaves
     * the old file). Weights and other extra tensors are written back unchanged (extra tensors as flat
     * vectors: the loader hands them back without their shapes); earlier statistics are replaced.
     * {@code listener} hears every file of every pass ({@link #passes}).
     */
    public static Result calibrate(Path modelFile, Backend backend, ScanConfig cfg, List<Path> normals, double quantile,
                                   ScanListener listener) throws IOException {
        return calibrate(modelFile, List.of(backend), cfg, normals, quantile, listener);
    }

    /**
     * As {@link #calibrate(Path, Backend, ScanConfig, List, double, ScanListener)} on several devices (one engine
     * each, the batches shared through one queue); the file is re-saved from the first. Failures of a device are
     * told to {@code listener}'s {@link ScanListener#onNotice}.
     */
    public static Result calibrate(Path modelFile, List<Backend> backends, ScanConfig cfg, List<Path> normals, double quantile,
                                   ScanListener listener) throws IOException {
        Quantiles.rank(quantile, 1); // checks the quantile before a long scan
        return calibrate(modelFile, backends, cfg, (scanner, observer) -> compute(scanner, normals, quantile, listener, observer),
                listener == null ? m -> {} : listener::onNotice);
    }

    /**
     * As {@link #calibrate(Path, Backend, ScanConfig, List, double, ScanListener)}, from images already in
     * memory (e.g. the normal class of an MNIST IDX file, each image one patch); {@code done} (may be null)
     * hears about each result of each pass.
     */
    public static Result calibrate(Path modelFile, Backend backend, ScanConfig cfg, Iterator<FloatImage> normals, double quantile,
                                   Consumer<ScanResult> done) throws IOException {
        return calibrate(modelFile, List.of(backend), cfg, normals, quantile, done, m -> {});
    }

    /** As the one-backend version, on several devices; {@code log} hears when a device fails. */
    public static Result calibrate(Path modelFile, List<Backend> backends, ScanConfig cfg, Iterator<FloatImage> normals, double quantile,
                                   Consumer<ScanResult> done, Consumer<String> log) throws IOException {
        Quantiles.rank(quantile, 1); // checks the quantile before a long scan
        List<FloatImage> images = new ArrayList<>(); // a second pass needs them again
        normals.forEachRemaining(images::add);
        return calibrate(modelFile, backends, cfg, (scanner, observer) -> {
            Collector c = new Collector(scanner.mapKind());
            scanner.scanAll(images.iterator(), r -> {
                c.add(r);
                if (done != null) done.accept(r);
            }, observer);
            return c.result(quantile);
        }, log);
    }

    /** One scan of the normal images with a scanner, telling an observer (may be null) every patch's terms. */
    private interface Pass {
        Result scan(AnomalyScanner scanner, PatchObserver observer);
    }

    private static Result calibrate(Path modelFile, List<Backend> backends, ScanConfig cfg, Pass pass, Consumer<String> log)
            throws IOException {
        Backend backend = backends.get(0);
        List<Backend> others = backends.subList(1, backends.size());
        ModelFile.Loaded loaded = ModelFile.load(modelFile, backend);
        List<Tensor> extras = new ArrayList<>();
        try {
            Dcgan model = loaded.model();
            int patch = model.spec().imageSize();
            MapKind kind = cfg.map().resolve(true);
            ScanConfig plain = cfg.withThresholds(Double.NaN, Double.NaN);
            MapStatistics.Accumulator acc = new MapStatistics.Accumulator(patch * patch,
                    model.features().outputShape(model.imageShape(1)).size(), FeatureTerms.earlierSizes(model));
            Result r;
            MapStatistics stats;
            try (AnomalyScanner first = new AnomalyScanner(model, Map.of(), null, kind == MapKind.RESIDUAL ? plain : plain.withMap(MapKind.RESIDUAL, 0))) {
                first.addEngines(modelFile, others, false, log);
                LocalMaps raw = first.maps();
                r = pass.scan(first, (image, p, residual, terms, index) -> acc.add(raw.residualPixels(residual), terms, index));
                stats = acc.result();
            }
            if (kind != MapKind.RESIDUAL) {
                try (AnomalyScanner second = new AnomalyScanner(model, Map.of(), stats, plain)) {
                    second.addEngines(modelFile, others, false, log);
                    r = pass.scan(second, null);
                }
            }
            Map<String, Tensor> extra = new LinkedHashMap<>();
            Map<String, float[]> values = new LinkedHashMap<>(loaded.extra());
            values.keySet().removeAll(MapStatistics.SUPERSEDED);
            values.putAll(stats.toExtras());
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                Tensor t = backend.fromHost(e.getValue(), Shape.of(e.getValue().length));
                extras.add(t);
                extra.put(e.getKey(), t);
            }
            Map<String, String> info = withThresholds(loaded.info(), r, cfg, patch);
            info.put(MapStatistics.PATCHES_KEY, Long.toString(stats.patches()));
            ModelFile.save(modelFile, model, info, extra);
            return r;
        } finally {
            for (Tensor t : extras) t.close();
            loaded.model().close();
        }
    }
}
