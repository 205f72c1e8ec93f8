package org.anoscan.scan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.ModelFile;
import org.anoscan.io.Resample;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.FeatureTerms;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Images in, anomaly scores, heatmaps and decisions out: the library entry point for pipelines.
 *
 * <p>Each image is tiled into patches ({@link Tiler}), the patches of consecutive images are packed into
 * full batches ({@link PatchBatcher}) and searched together ({@link LatentSearch}), and each image's
 * residual maps are stitched back into a heatmap ({@link Stitcher}) as soon as its last patch is done.
 * Memory stays bounded by the batch: one patch buffer plus the few images whose patches are in flight.
 *
 * <p>Patch (y, x) of any image always starts its search from the same z ({@link #patchId}), so an image
 * gets the same result alone, in a stream, or from another thread.
 *
 * <p>Thread-safe: any number of threads may scan at once; the searches themselves take turns on the
 * backend (they lock the backend object, so scanners sharing one backend also take turns), while tiling,
 * stitching and thresholding run in the calling threads.
 *
 * <p>Several devices ({@code open(file, "cuda:0,cuda:1", log)}, {@link #open(Path, List, ScanConfig)}): one
 * engine per device, each with its own model copy, takes the next patch batch from one queue
 * ({@link EngineScheduler}); results are stitched in input order as before.
 *
 * <p>Closing frees the model when the scanner loaded it, and the backend when the scanner opened it.
 */
public sealed class AnomalyScanner implements AutoCloseable permits Scanner {
    private final Dcgan model;
    private final boolean ownsModel;
    private final Backend ownedBackend;
    private final Map<String, String> info;
    private final ScanConfig cfg;
    private final Tiler tiler;
    private final LatentSearch search;
    private final SearchEngine primary;
    private List<BatchEngine> extraEngines = List.of(); // set once by useEngines, before the scanner is shared
    private EngineScheduler scheduler; // null with one engine
    private final Thresholds thresholds;
    private final List<String> warnings;
    private final LocalMaps maps;
    private final MapKind mapKind;
    private final double smoothingPixels;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong primarySearched = new java.util.concurrent.atomic.AtomicLong(); // with no scheduler
    private volatile long maxImagePixels = ImageReader.DEFAULT_MAX_PIXELS;

    /**
     * Scans with an already loaded model (not owned: the caller closes it), with {@code cfg} exactly as given;
     * where it differs from the scoring settings the model was calibrated with, {@link #warnings()} says so.
     *
     * @param info the model file's info map, for calibrated thresholds and settings; empty for none
     */
    public AnomalyScanner(Dcgan model, Map<String, String> info, ScanConfig cfg) {
        this(model, false, null, info, null, cfg, List.of());
    }

    /**
     * Scans with an already loaded model (not owned) and the statistics of normal patches that the normalised
     * maps use ({@link MapStatistics}; null for none).
     */
    public AnomalyScanner(Dcgan model, Map<String, String> info, MapStatistics stats, ScanConfig cfg) {
        this(model, false, null, info, stats, cfg, List.of());
    }

    AnomalyScanner(Dcgan model, boolean ownsModel, Backend ownedBackend, Map<String, String> info, MapStatistics stats,
                   ScanConfig cfg, List<String> fileWarnings) {
        this.model = model;
        this.ownsModel = ownsModel;
        this.ownedBackend = ownedBackend;
        this.info = Map.copyOf(info);
        this.cfg = cfg;
        int patch = model.spec().imageSize();
        this.tiler = new Tiler(patch, cfg.strideFor(patch), cfg.pad()); // checks stride <= patch size
        SearchConfig s = cfg.search();
        long perBatch = (long) cfg.batchSize() * s.restarts();
        if (perBatch > Integer.MAX_VALUE) throw new IllegalArgumentException("batch x restarts is too large: " + perBatch);
        // one scan batch is one search batch: the batcher already sized it to fill the backend
        this.search = new LatentSearch(model, s.withMaxBatch(Math.max(s.maxBatch(), (int) perBatch)));
        this.primary = new SearchEngine(engineName(0, model.backend()), model, search, cfg, false, null); // closed with the scanner
        this.thresholds = Thresholds.resolve(cfg, this.info);
        List<ReceptiveField> fields = ReceptiveField.ofStages(model.features(), patch);
        int featureSize = model.features().outputShape(model.imageShape(1)).size();
        this.maps = new LocalMaps(patch, model.spec().channels(), fields.get(fields.size() - 1), LocalMaps.earlierFields(fields, patch),
                stats != null ? stats : MapStatistics.identity(patch * patch, featureSize, FeatureTerms.earlierSizes(model)));
        this.mapKind = cfg.map().resolve(stats != null, stats != null && stats.hasStages(), stats != null && stats.hasGaussians(),
                stats != null && stats.hasDetail());
        if (stats != null && !stats.hasStages() && mapKind.needsStages()) {
            throw new IllegalArgumentException("the " + mapKind.label() + " map needs the statistics of every stage of the discriminator's features, "
                    + "and this model was calibrated before they were gathered: run anoscan calibrate again");
        }
        if (stats != null && !stats.hasGaussians() && mapKind.needsGaussians()) {
            throw new IllegalArgumentException("the " + mapKind.label() + " map needs the Gaussians of the discriminator's features on normal patches, "
                    + "and this model was calibrated before they were gathered: run anoscan calibrate again");
        }
        if (stats != null && !stats.hasDetail() && mapKind.needsDetail()) {
            throw new IllegalArgumentException("the " + mapKind.label() + " map needs the statistics of the patches' finest detail on normal patches, "
                    + "and this model was calibrated before they were gathered: run anoscan calibrate again");
        }
        this.smoothingPixels = cfg.smoothingPixels(mapKind, patch);
        List<String> w = new ArrayList<>(fileWarnings); // the model file's own (e.g. an older format) first
        w.addAll(Thresholds.settingMismatches(cfg, patch, this.info));
        if (stats == null && mapKind != MapKind.RESIDUAL) {
            w.add("the " + mapKind.label() + " map is meant to be normalised by statistics of normal patches, and this model has none: "
                    + "it is shown on its raw scale; run anoscan calibrate on normal images first");
        }
        this.warnings = List.copyOf(w);
    }

    /** The statistics a model file holds for the normalised maps, or null; a damaged set is an IOException naming the file. */
    static MapStatistics statistics(Path file, ModelFile.Loaded loaded) throws IOException {
        int patch = loaded.model().spec().imageSize();
        try {
            Dcgan m = loaded.model();
            MapStatistics stats = MapStatistics.fromExtras(loaded.extra(), loaded.info(), patch * patch,
                    m.features().outputShape(m.imageShape(1)).size(), FeatureTerms.earlierSizes(m));
            return stats == null ? null : stats.withGaussians(loaded.extra(), FeatureView.all(FeatureView.shapes(m)));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private static final Maker<AnomalyScanner> OWNING = (m, b, info, stats, cfg, fileWarnings) ->
            new AnomalyScanner(m, true, b, info, stats, cfg, fileWarnings);

    /** Loads {@code modelFile} onto {@code backend}, which stays the caller's; {@code cfg} is used as given. */
    public static AnomalyScanner open(Path modelFile, Backend backend, ScanConfig cfg) throws IOException {
        return load(modelFile, backend, null, info -> cfg, msg -> {}, OWNING);
    }

    /**
     * Loads {@code modelFile} onto each of {@code backends} (they stay the caller's) and scans with one engine per
     * backend, sharing the patch batches through one queue; {@code cfg} is used as given.
     *
     * @param log told when a device fails (its batch is retried on another)
     */
    public static AnomalyScanner open(Path modelFile, List<Backend> backends, ScanConfig cfg, Consumer<String> log) throws IOException {
        if (backends.isEmpty()) throw new IllegalArgumentException("no backends");
        AnomalyScanner s = open(modelFile, backends.get(0), cfg);
        try {
            s.addEngines(modelFile, backends.subList(1, backends.size()), false, log);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Opens {@code device} ({@code auto | cpu | cuda:N}, or several: {@code cuda:0,cuda:1}, {@code cuda:all}) and loads {@code modelFile} onto it with the scoring
     * settings the model was calibrated with ({@link ScoringSettings}; {@link ScanConfig#defaults()} for the
     * rest, and for all of them when the model is not calibrated). Closing the scanner closes both.
     *
     * @param log told, once, which device {@code auto} picked and which settings the model gave
     */
    public static AnomalyScanner open(Path modelFile, String device, Consumer<String> log) throws IOException {
        return open(modelFile, device, UnaryOperator.identity(), log);
    }

    /**
     * As {@link #open(Path, String, Consumer)}, then {@code adjust} changes what the caller wants otherwise
     * (e.g. {@code c -> c.withBatchSize(64)}); a scoring setting it moves away from the model's is warned
     * through {@code log} and {@link #warnings()}.
     */
    public static AnomalyScanner open(Path modelFile, String device, UnaryOperator<ScanConfig> adjust, Consumer<String> log)
            throws IOException {
        boolean encoder = ModelFile.hasEncoder(modelFile); // hybrid by default when the model has one and no calibrated mode
        return openOn(modelFile, device, info -> {
            if (ScoringSettings.present(info)) log.accept("scoring settings from the model: " + ScoringSettings.describe(info));
            return adjust.apply(ScoringSettings.defaultMode(ScoringSettings.apply(ScanConfig.defaults(), info, Set.of()), info, encoder,
                    false, false));
        }, log, OWNING);
    }

    /**
     * Opens {@code device} and loads {@code modelFile} onto it, scanning with {@code cfg} exactly as given;
     * where it differs from the model's calibrated scoring settings, {@code log} and {@link #warnings()} say so.
     *
     * @param log told which device {@code auto} picked, and any warning
     */
    public static AnomalyScanner open(Path modelFile, String device, ScanConfig cfg, Consumer<String> log) throws IOException {
        return openOn(modelFile, device, info -> cfg, log, OWNING);
    }

    /** Makes a scanner that owns its model and maybe its backend (the deprecated {@link Scanner} makes its own kind). */
    interface Maker<S extends AnomalyScanner> {
        S make(Dcgan model, Backend ownedBackend, Map<String, String> info, MapStatistics stats, ScanConfig cfg,
               List<String> fileWarnings);
    }

    static <S extends AnomalyScanner> S openOn(Path modelFile, String device, Function<Map<String, String>, ScanConfig> config,
                                               Consumer<String> log, Maker<S> maker) throws IOException {
        List<Backend> backends = Devices.openAll(device, log);
        S s;
        try {
            s = load(modelFile, backends.get(0), backends.get(0), config, log, maker);
        } catch (IOException | RuntimeException e) {
            for (Backend b : backends) b.close();
            throw e;
        }
        try {
            s.addEngines(modelFile, backends.subList(1, backends.size()), true, log);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Loads the model file again onto each of {@code backends} as further engines (closing the backends with the
     * scanner when {@code ownBackends}; on failure those not yet taken are closed then too).
     */
    final void addEngines(Path modelFile, List<Backend> backends, boolean ownBackends, Consumer<String> log) throws IOException {
        if (backends.isEmpty()) return;
        List<BatchEngine> engines = new ArrayList<>();
        int i = 0;
        try {
            for (; i < backends.size(); i++) {
                Backend b = backends.get(i);
                Dcgan copy = ModelFile.load(modelFile, b).model();
                engines.add(new SearchEngine(engineName(i + 1, b), copy, new LatentSearch(copy, search.config()), cfg, true,
                        ownBackends ? b : null));
            }
        } catch (IOException | RuntimeException e) {
            for (BatchEngine en : engines) en.close();
            if (ownBackends) for (int j = i; j < backends.size(); j++) backends.get(j).close();
            throw e;
        }
        useEngines(engines, log);
    }

    /**
     * Scans with these engines besides this scanner's own from now on (they are closed with it): the scheduler's
     * entry for other devices, and for tests. Call once, before the scanner is shared.
     */
    void useEngines(List<? extends BatchEngine> engines, Consumer<String> log) {
        if (scheduler != null) throw new IllegalStateException("engines are set already");
        if (engines.isEmpty()) return;
        extraEngines = List.copyOf(engines);
        List<BatchEngine> all = new ArrayList<>();
        all.add(primary);
        all.addAll(extraEngines);
        scheduler = new EngineScheduler(all, log);
    }

    private static String engineName(int index, Backend backend) {
        return "engine " + index + " (" + backend.name() + ")";
    }

    /** The engines' names, one per device, in order. */
    public List<String> engines() {
        List<String> names = new ArrayList<>();
        names.add(primary.name());
        for (BatchEngine e : extraEngines) names.add(e.name());
        return names;
    }

    /** Patches each engine has searched so far (a batch that failed on one engine counts for the one that redid it). */
    public Map<String, Long> patchesPerEngine() {
        return scheduler != null ? scheduler.patchesPerEngine() : Map.of(primary.name(), primarySearched.get());
    }

    /** Engines that failed and were retired (one line each, their batches redone on others); empty when none. */
    public List<String> engineFailures() {
        return scheduler != null ? scheduler.failures() : List.of();
    }

    static <S extends AnomalyScanner> S load(Path modelFile, Backend backend, Backend owned,
                                             Function<Map<String, String>, ScanConfig> config, Consumer<String> log,
                                             Maker<S> maker) throws IOException {
        ModelFile.Loaded loaded = ModelFile.load(modelFile, backend);
        try {
            S s = maker.make(loaded.model(), owned, loaded.info(), statistics(modelFile, loaded), config.apply(loaded.info()),
                    loaded.warnings());
            for (String w : s.warnings()) log.accept(w);
            return s;
        } catch (IOException | RuntimeException e) {
            loaded.model().close();
            throw e;
        }
    }

    public DcganSpec spec() { return model.spec(); }

    public Backend backend() { return model.backend(); }

    public ScanConfig config() { return cfg; }

    public Tiler tiler() { return tiler; }

    /** The search settings actually used (the config's, with maxBatch raised to the scan batch). */
    public SearchConfig searchConfig() { return search.config(); }

    /** The model file's info map (empty for a model given directly without one). */
    public Map<String, String> info() { return info; }

    /**
     * Files of more pixels than this are refused by {@link #scanFiles} before decoding (and so are files
     * whose scan would not fit in the JVM's memory), with a failure naming the limit; the others go on.
     */
    public void setMaxImagePixels(long pixels) {
        if (pixels < 1) throw new IllegalArgumentException("pixel limit must be positive, got " + pixels);
        this.maxImagePixels = pixels;
    }

    /** The thresholds decisions use (explicit ones, else calibrated ones, else none). */
    public Thresholds thresholds() { return thresholds; }

    /** Warnings about the thresholds (e.g. calibrated with other scan settings); empty when none. */
    public List<String> warnings() { return warnings; }

    /** The map the heatmaps show (AUTO resolved). */
    public MapKind mapKind() { return mapKind; }

    /** The per-patch map maker, with the statistics it normalises by. */
    public LocalMaps maps() { return maps; }

    /**
     * The search id of the patch at {@code p}: its start z is drawn from (search seed, id, restart), so a
     * {@link LatentSearch} given this id reproduces the scanner's patch score.
     */
    public static long patchId(PatchPosition p) {
        return ((long) p.y() << 32) | (p.x() & 0xFFFFFFFFL);
    }

    /**
     * Scans one image (the model's channel count, values in [-1, 1]).
     *
     * @throws IllegalArgumentException when the channel count is wrong or the image is smaller than a patch
     *     without padding
     */
    public ScanResult scan(FloatImage image) {
        List<ScanResult> out = new ArrayList<>(1);
        scanAll(List.of(image).iterator(), out::add);
        return out.get(0);
    }

    /**
     * Reads and scans one image file.
     *
     * @throws IOException naming the file when it cannot be read, has a channel count the model cannot take,
     *     or is smaller than a patch without padding
     */
    public ScanResult scan(Path file) throws IOException {
        return scanAll(List.of(file)).get(0);
    }

    /**
     * Reads and scans image files, batching patches across them, and returns their results in input order.
     * Every readable file is scanned; then, if any failed, an {@link IOException} lists them (use
     * {@link #scanFiles} to keep the results of the others).
     */
    public List<ScanResult> scanAll(List<Path> files) throws IOException {
        List<ScanResult> out = new ArrayList<>(files.size());
        List<String> failed = new ArrayList<>();
        scanFiles(files, new ScanListener() {
            @Override
            public void onResult(Path file, ScanResult result) { out.add(result); }

            @Override
            public void onFailure(Path file, String message) { failed.add(message); }
        });
        if (!failed.isEmpty()) {
            throw new IOException(failed.size() + " of " + files.size() + " file(s) could not be scanned: " + String.join("; ", failed));
        }
        return out;
    }

    /** Scans an OpenCV image (8/16-bit, gray, BGR or BGRA, as {@link ImageReader#fromMat}); the Mat stays the caller's. */
    public ScanResult scan(Mat mat) {
        return scan(ImageReader.fromMat(mat, model.spec().channels(), "mat"));
    }

    /** Scans a CHW float image (copied) of the model's channel count, values in [-1, 1]. */
    public ScanResult scan(float[] chw, int channels, int height, int width) {
        return scan(ImageReader.fromFloats(chw, channels, height, width, "array"));
    }

    /**
     * Scans a stream of images, handing each result to {@code consumer} in input order as soon as its last
     * patch is searched. Images are pulled one at a time, so a lazy iterator keeps memory bounded.
     *
     * @throws IllegalArgumentException at the first image with the wrong channel count or smaller than a
     *     patch (results before it were delivered); use {@link #scanFiles} to skip bad inputs instead
     */
    public void scanAll(Iterator<FloatImage> images, Consumer<ScanResult> consumer) {
        scanAll(images, consumer, n -> {}, null);
    }

    /** As {@link #scanAll(Iterator, Consumer)}, telling {@code observer} (may be null) every searched patch's terms first. */
    public void scanAll(Iterator<FloatImage> images, Consumer<ScanResult> consumer, PatchObserver observer) {
        scanAll(images, consumer, n -> {}, observer);
    }

    private void scanAll(Iterator<FloatImage> images, Consumer<ScanResult> consumer, IntConsumer batchDone, PatchObserver observer) {
        checkOpen();
        boolean features = mapKind.needsFeatures() || observer != null;
        Deque<FloatImage> originals = new ArrayDeque<>(); // with a scale: the images as given, in order
        Iterator<FloatImage> tiled = cfg.scale() == 1 ? images : new Iterator<>() {
            @Override
            public boolean hasNext() { return images.hasNext(); }

            @Override
            public FloatImage next() {
                FloatImage original = images.next();
                originals.addLast(original);
                return Resample.to(original, Resample.scaled(original.height(), cfg.scale()), Resample.scaled(original.width(), cfg.scale()));
            }
        };
        PatchBatcher batcher = new PatchBatcher(tiled, tiler, model.spec().channels(), cfg.batchSize(), cfg.flatStd());
        int patchLength = model.imageShape(1).size();
        Map<Integer, InFlight> inFlight = new HashMap<>();
        EngineScheduler engines = scheduler;
        // with several engines, up to two batches per engine are queued ahead; results are taken in batch order
        int ahead = engines == null ? 0 : 2 * engines.engineCount();
        Deque<Queued> queued = new ArrayDeque<>();
        try {
            while (true) {
                while (queued.size() <= ahead && batcher.hasNext()) {
                    PatchBatch batch = batcher.next();
                    int n = batch.count();
                    CompletableFuture<BatchScores> scores = null;
                    if (n > 0) {
                        long[] ids = new long[n];
                        for (int i = 0; i < n; i++) ids[i] = patchId(batch.patches().get(i).position());
                        // the batcher reuses its buffer: a queued batch needs its own copy
                        float[] data = engines == null && n * patchLength == batch.data().length ? batch.data()
                                : Arrays.copyOf(batch.data(), n * patchLength);
                        if (engines != null) {
                            scores = engines.submit(data, ids, features);
                        } else {
                            scores = CompletableFuture.completedFuture(primary.score(data, ids, features));
                            primarySearched.addAndGet(n);
                        }
                    }
                    queued.addLast(new Queued(batch, scores));
                }
                Queued q = queued.pollFirst();
                if (q == null) break;
                stitch(q.batch(), q.scores() == null ? null : await(q.scores()), inFlight, observer);
                batchDone.accept(q.batch().count() + q.batch().skipped().size());
                for (int done : q.batch().completedImages()) {
                    consumer.accept(finish(inFlight.remove(done), originals.pollFirst())); // results come in input order
                }
            }
        } finally {
            for (Queued q : queued) if (q.scores() != null) q.scores().cancel(false); // a failed scan leaves no work queued
        }
    }

    private record Queued(PatchBatch batch, CompletableFuture<BatchScores> scores) {}

    private static BatchScores await(CompletableFuture<BatchScores> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) { // the engine's own exception, as one engine would throw it
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Adds one batch's results (null when it held only skipped patches) to its images' maps and scores. */
    private void stitch(PatchBatch batch, BatchScores scores, Map<Integer, InFlight> inFlight, PatchObserver observer) {
        int n = batch.count();
        if (n > 0) {
            List<SearchResult> results = scores.results();
            FeatureTerms terms = scores.terms();
            double share = scores.seconds() / n;
            for (int i = 0; i < n; i++) {
                PatchRef ref = batch.patches().get(i);
                SearchResult r = results.get(i);
                if (Float.isNaN(r.score())) {
                    throw new IllegalStateException(ref.image().source() + ": the latent search diverged (NaN) at patch (" + ref.position().y()
                            + ", " + ref.position().x() + "): the model gives non-finite values there; check the model file or retrain it");
                }
                InFlight f = inFlight.computeIfAbsent(ref.imageIndex(), k -> new InFlight(ref.image()));
                if (observer != null) observer.onPatch(ref.image(), ref.position(), r.residualMap(), terms, i);
                for (Map.Entry<MapTerm, Stitcher> e : f.stitchers.entrySet()) {
                    // the plain residual goes in with its channels (the stitcher averages them)
                    e.getValue().add(ref.position(), e.getKey() == MapTerm.RESIDUAL ? r.residualMap()
                            : maps.term(e.getKey(), r.residualMap(), terms, i), 0);
                }
                f.scores.add(new PatchScore(ref.position(), r.score(), false));
                f.seconds += share;
            }
        }
        for (PatchRef ref : batch.skipped()) {
            InFlight f = inFlight.computeIfAbsent(ref.imageIndex(), k -> new InFlight(ref.image()));
            for (Stitcher st : f.stitchers.values()) st.addSkipped(ref.position());
            f.scores.add(new PatchScore(ref.position(), 0f, true));
        }
    }

    /**
     * Reads and scans image files, batching patches across files. A file that cannot be read, has a
     * channel count the model cannot take, or is smaller than a patch (without padding) is reported to
     * {@code listener} and skipped; the others go on.
     */
    public void scanFiles(List<Path> files, ScanListener listener) {
        scanFiles(files, listener, null);
    }

    /** As {@link #scanFiles(List, ScanListener)}, telling {@code observer} (may be null) every searched patch's terms. */
    public void scanFiles(List<Path> files, ScanListener listener, PatchObserver observer) {
        scanEncoded(files, null, listener, observer);
    }

    /**
     * As {@link #scanFiles(List, ScanListener)}, for images whose encoded bytes (an image file's content) the caller
     * holds: {@code contents} gives the bytes of each of {@code names}, which only name the images (messages, the
     * listener); no file is read. A null {@code contents} reads the files.
     */
    public void scanEncoded(List<Path> names, Function<Path, byte[]> contents, ScanListener listener, PatchObserver observer) {
        Deque<Path> order = new ArrayDeque<>();
        scanAll(new FileImages(names, contents, listener, order), r -> listener.onResult(order.removeFirst(), r), listener::onBatch, observer);
    }

    /** @param original the image as given when it was resampled for tiling, else null */
    private ScanResult finish(InFlight f, FloatImage original) {
        List<PatchScore> patches = new ArrayList<>(f.scores);
        if (original != null) { // positions back in the original image's pixels
            patches.replaceAll(p -> new PatchScore(new PatchPosition((int) Math.round(p.position().y() / cfg.scale()),
                    (int) Math.round(p.position().x() / cfg.scale())), p.score(), p.skipped()));
        }
        patches.sort(Comparator.comparingInt((PatchScore p) -> p.position().y()).thenComparingInt(p -> p.position().x()));
        float[] sorted = new float[patches.size()];
        for (int i = 0; i < sorted.length; i++) sorted[i] = patches.get(i).score();
        Arrays.sort(sorted);
        int k = Math.min(cfg.topK(), sorted.length);
        double sum = 0;
        for (int i = 0; i < k; i++) sum += sorted[sorted.length - 1 - i];
        float max = sorted[sorted.length - 1];
        float topKMean = (float) (sum / k);
        FloatImage heatmap = LocalMaps.compose(mapKind, t -> MapSmoothing.gaussian(f.stitchers.get(t).heatmap(), smoothingPixels));
        FloatImage image = f.image;
        if (original != null) {
            heatmap = Resample.to(heatmap, original.height(), original.width());
            image = original;
        }
        AnomalyMask mask = thresholds.hasPixel() ? AnomalyMask.threshold(heatmap, (float) thresholds.pixel()) : null;
        Boolean anomalous = thresholds.hasImage() ? topKMean > thresholds.image() : null;
        return new ScanResult(image, List.copyOf(patches), max, topKMean, cfg.topK(), heatmap, mask, anomalous,
                thresholds, f.seconds);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("scanner is closed");
    }

    @Override
    public void close() {
        if (scheduler != null) scheduler.close(); // after the batches in flight
        for (BatchEngine e : extraEngines) e.close();
        synchronized (model.backend()) { // waits for a search in flight
            if (closed) return;
            closed = true;
            primary.close(); // a search that gets past checkOpen finds the engine closed
            if (ownsModel) model.close();
            if (ownedBackend != null) ownedBackend.close();
        }
    }

    /** An image whose patches are being searched. */
    private final class InFlight {
        final FloatImage image;
        final Map<MapTerm, Stitcher> stitchers = new EnumMap<>(MapTerm.class);
        final List<PatchScore> scores = new ArrayList<>();
        double seconds;

        InFlight(FloatImage image) {
            this.image = image;
            for (MapKind.Component c : mapKind.components()) {
                int channels = c.term() == MapTerm.RESIDUAL ? image.channels() : 1;
                stitchers.put(c.term(), new Stitcher(image.height(), image.width(), channels, tiler.patchSize(), image.source()));
            }
        }
    }

    /** Reads files (or decodes the bytes the caller holds) lazily, one ahead at most, reporting and skipping the bad ones. */
    private final class FileImages implements Iterator<FloatImage> {
        private final List<Path> files;
        private final Function<Path, byte[]> contents; // null: read the files
        private final ScanListener listener;
        private final Deque<Path> order;
        private int next;
        private FloatImage pending;
        private Path pendingFile;
        private boolean greyNoticed;

        FileImages(List<Path> files, Function<Path, byte[]> contents, ScanListener listener, Deque<Path> order) {
            this.files = files;
            this.contents = contents;
            this.listener = listener;
            this.order = order;
        }

        @Override
        public boolean hasNext() {
            while (pending == null && next < files.size() && !listener.stopRequested()) {
                Path file = files.get(next++);
                try {
                    FloatImage image = contents == null ? ImageReader.read(file, model.spec().channels(), this::converted, maxImagePixels)
                            : ImageReader.decode(contents.apply(file), file.toString(), model.spec().channels(), this::converted, maxImagePixels);
                    // refuses an image smaller than a patch now, not mid-batch
                    int patches = cfg.scale() == 1 ? tiler.positions(image).size() : scaledPositions(image);
                    listener.onTiled(file, patches);
                    pending = image;
                    pendingFile = file;
                } catch (IOException | IllegalArgumentException e) {
                    listener.onFailure(file, oneLine(e));
                } catch (OutOfMemoryError e) { // the size check missed it (a format without a readable header)
                    listener.onFailure(file, file + ": not enough memory to read it; give Java more memory (ANOSCAN_JAVA_OPTS=-Xmx...) "
                            + "or downscale the image");
                }
            }
            return pending != null;
        }

        /** Once per run: colour turned to grey is worth one line, not one per file. */
        private void converted(String message) {
            if (greyNoticed) return;
            greyNoticed = true;
            listener.onNotice(message + " (said once per run)");
        }

        @Override
        public FloatImage next() {
            if (!hasNext()) throw new NoSuchElementException();
            FloatImage image = pending;
            order.addLast(pendingFile);
            pending = null;
            pendingFile = null;
            return image;
        }
    }

    private int scaledPositions(FloatImage image) {
        int h = Resample.scaled(image.height(), cfg.scale()), w = Resample.scaled(image.width(), cfg.scale());
        try {
            return tiler.positions(h, w).size();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(image.source() + ": at scale " + cfg.scale() + " (" + h + "x" + w + ") "
                    + e.getMessage().replaceFirst("^image: ", ""), e);
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }
}
