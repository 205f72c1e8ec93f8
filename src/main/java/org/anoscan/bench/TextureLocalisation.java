package org.anoscan.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.eval.AnomalyMap;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.eval.LocalisationMetrics;
import org.anoscan.eval.Roc;
import org.anoscan.io.AtomicFiles;
import org.anoscan.io.ColorMap;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.ImageWriter;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.scan.LocalMaps;
import org.anoscan.scan.MapKind;
import org.anoscan.scan.MapSmoothing;
import org.anoscan.scan.MapStatistics;
import org.anoscan.scan.MapTerm;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanResult;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.scan.Stitcher;
import org.anoscan.nn.Encoder;
import org.anoscan.search.FeatureTerms;
import org.anoscan.search.ScoringMode;
import org.anoscan.search.SearchConfig;
import org.anoscan.train.EncoderTrainConfig;
import org.anoscan.train.EncoderTrainer;
import org.anoscan.train.GanTrainer;
import org.anoscan.train.ImagePatchSource;
import org.anoscan.train.TrainConfig;
import org.anoscan.train.TrainListener;

/**
 * The texture localisation benchmark. For each texture (brick, grass, gravel): train a DCGAN-32 on random
 * crops of its left 320 columns; gather the statistics of normal patches ({@link MapStatistics}) from crops of
 * the top half of the held-out columns; scan test crops of the bottom half, half of them with one synthetic
 * defect each of known mask ({@link DefectSet}: pasted square of another texture, dark scratch, smooth stain,
 * brightened patch). Every map ({@link MapKind}, each at a few smoothings) is stitched from the same searches,
 * so all are scored on the same models and images: pixel AUROC, AUPRO (FPR <= 0.3) and image AUROC (top-k
 * mean score), overall and per defect kind (that kind's images with all normal ones).
 *
 * <p>usage: TextureLocalisation [--quick | --full] [--texture brick,grass,gravel] [--donor T] [--textures-dir data/textures]
 * [--models DIR] [--steps N] [--iterations N] [--images N] [--calibration N] [--size PX] [--stride PX] [--seed S] [--image-seed S]
 * [--device D] [--out DIR] [--mode search|encoder|hybrid] [--encoder-steps N]
 *
 * <p>{@code --mode encoder|hybrid} scores with the model's encoder ({@code --iterations} is then the hybrid's N), which is
 * trained for {@code --encoder-steps} (default 800) on the same training crops and kept with the cached model.
 *
 * <p>{@code --image-seed S} draws other test and calibration crops (from the same held-out columns) for the same
 * models: a check, on images nobody tuned on, of map settings chosen on the default crops.
 *
 * <p>Trained models are kept in {@code --models} (default OUT/models) and reused when their settings match, so
 * a second run with other maps costs only the scans.
 */
public final class TextureLocalisation {
    /** Columns of the texture used for training; the rest is held out for the test images. */
    public static final int TRAIN_COLUMNS = 320;
    public static final List<String> TEXTURES = List.of("brick", "grass", "gravel");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TextureLocalisation() {}

    /**
     * @param imageSize   test images are imageSize x imageSize crops
     * @param images      test images, half normal
     * @param calibration normal crops the statistics of normal patches come from
     * @param stride      pixels between scanned patches
     * @param seed        seeds the test set (training and search have their own seeds in train and search)
     */
    public record Settings(DcganSpec spec, TrainConfig train, SearchConfig search, int imageSize, int images, int calibration,
                           int stride, long seed) {
        /** What the model depends on: a cached model is reused only when this matches. */
        public String training() {
            return String.format(Locale.ROOT, "%s, %d steps of %d, lr %s, seed %d", specLabel(), train.steps(), train.batchSize(),
                    train.learningRate(), train.seed());
        }

        /** The spec as models cached before DcganSpec had blocks and scaling name it, when it has neither (so they are reused). */
        private String specLabel() {
            DcganSpec plain = new DcganSpec(spec.imageSize(), spec.channels(), spec.nz(), spec.ngf(), spec.ndf());
            return !spec.equals(plain) ? spec.toString() : String.format(Locale.ROOT, "DcganSpec[imageSize=%d, channels=%d, nz=%d, ngf=%d, ndf=%d]",
                    spec.imageSize(), spec.channels(), spec.nz(), spec.ngf(), spec.ndf());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s, search %d iterations (lambda %.2g), %d test images %dx%d, %d calibration images, stride %d, seed %d",
                    training(), search.iterations(), search.lambda(), images, imageSize, imageSize, calibration, stride, seed);
        }

        Settings with(TrainConfig t, SearchConfig sc, int size, int n, int cal, int str, long sd) {
            return new Settings(spec, t, sc, size, n, cal, str, sd);
        }
    }

    /** A map and the smoothing it is scored with (sigma in strides). */
    public record Variant(MapKind kind, double smoothing) {
        public String label() {
            return smoothing == 0 ? kind.label() : String.format(Locale.ROOT, "%s s%.2g", kind.label(), smoothing);
        }
    }

    /** The variants scored by default: the plain residual (AnoGAN's map) first. */
    public static final List<Variant> VARIANTS = List.of(new Variant(MapKind.RESIDUAL, 0), new Variant(MapKind.RESIDUAL, 0.25),
            new Variant(MapKind.COMBINED, 0.25), new Variant(MapKind.DEVIATION, 0.25), new Variant(MapKind.LAYERS, 0.25),
            new Variant(MapKind.ENERGY_PIXELS, 0.25), new Variant(MapKind.TEXTURE, 0.25), new Variant(MapKind.MAHALANOBIS, 0.25),
            new Variant(MapKind.WINDOW_MEAN, 0.25), new Variant(MapKind.WINDOW_SPREAD, 0.25), new Variant(MapKind.WINDOW, 0.25),
            new Variant(MapKind.WINDOW, 0.375), new Variant(MapKind.WINDOW, 0.5), new Variant(MapKind.DETAIL_LOSS, 0.375),
            new Variant(MapKind.WINDOW_DETAIL, 0.25), new Variant(MapKind.WINDOW_DETAIL, 0.375));

    /** Pixel AUROC, AUPRO and image AUROC of one map on one group of images. */
    public record Score(double pixelAuroc, double aupro, double imageAuroc, int regions) {}

    /**
     * One texture's outcome: the test images, their scan results (heatmap: the plain residual), each variant's
     * heatmaps (in image order) and scores (key "all" and each defect kind).
     */
    public record Outcome(List<DefectSet.LabelledImage> images, List<ScanResult> results, Map<Variant, List<FloatImage>> maps,
                          Map<Variant, Map<String, Score>> scores, Map<String, Double> residualContrast, MapStatistics statistics,
                          double trainSeconds, double calibrateSeconds, double scanSeconds) {
        /** The overall metrics of the plain residual map. */
        public LocalisationMetrics localisation() {
            return LocalisationMetrics.of(TextureLocalisation.maps(maps.get(VARIANTS.get(0))), masks(images));
        }

        public double imageAuroc() {
            return scores.get(VARIANTS.get(0)).get("all").imageAuroc();
        }
    }

    /** Minutes on two CPU cores per texture: DCGAN-32 with nz 48 and widths 24, 800 steps, Γ = 80, 40 test images of 64x64, stride 16. */
    public static Settings quick() {
        return new Settings(new DcganSpec(32, 1, 48, 24, 24), new TrainConfig(800, 64, 2e-4f, 0.5f, 1f, 1L, 0),
                SearchConfig.defaults().withIterations(80), 64, 40, 16, 16, 7L);
    }

    /** The GPU setting: DCGAN-32 (nz 100, widths 64), 10,000 steps, Γ = 500, 200 test images of 96x96, 64 calibration images, stride 8. */
    public static Settings full() {
        return new Settings(new DcganSpec(32, 1, 100, 64, 64), new TrainConfig(10000, 64, 2e-4f, 0.5f, 1f, 1L, 0),
                SearchConfig.defaults(), 96, 200, 64, 8, 7L);
    }

    /** Trains on the texture's left columns, then calibrates and scans. */
    public static Outcome run(Backend backend, FloatImage texture, FloatImage donor, Settings s, TrainListener listener) throws IOException {
        long t0 = System.nanoTime();
        try (Dcgan model = train(backend, trainRegion(texture), s, listener)) {
            return evaluate(model, texture, donor, s, VARIANTS, (System.nanoTime() - t0) / 1e9);
        }
    }

    public static FloatImage trainRegion(FloatImage texture) {
        checkWidth(texture);
        return Defects.crop(texture, 0, 0, texture.height(), TRAIN_COLUMNS, texture.source() + " (train)");
    }

    public static FloatImage heldOutRegion(FloatImage texture) {
        checkWidth(texture);
        return Defects.crop(texture, 0, TRAIN_COLUMNS, texture.height(), texture.width() - TRAIN_COLUMNS, texture.source() + " (held out)");
    }

    /** The top half of the held-out columns: normal crops for the statistics. */
    public static FloatImage calibrationRegion(FloatImage texture) {
        FloatImage h = heldOutRegion(texture);
        return Defects.crop(h, 0, 0, h.height() / 2, h.width(), texture.source() + " (calibration)");
    }

    /** The bottom half of the held-out columns: the test crops. */
    public static FloatImage testRegion(FloatImage texture) {
        FloatImage h = heldOutRegion(texture);
        return Defects.crop(h, h.height() / 2, 0, h.height() - h.height() / 2, h.width(), texture.source() + " (test)");
    }

    private static void checkWidth(FloatImage texture) {
        if (texture.channels() != 1 || texture.width() <= TRAIN_COLUMNS) {
            throw new IllegalArgumentException(texture.source() + ": need a gray texture wider than " + TRAIN_COLUMNS + " px, got "
                    + texture.channels() + "x" + texture.height() + "x" + texture.width());
        }
    }

    /** A DCGAN trained on random patches of region (the caller closes it). */
    public static Dcgan train(Backend backend, FloatImage region, Settings s, TrainListener listener) throws IOException {
        Dcgan model = new Dcgan(backend, s.spec(), s.train().seed());
        try (GanTrainer trainer = new GanTrainer(model, s.train())) {
            trainer.train(new ImagePatchSource(List.of(region), s.spec().imageSize()), listener, null);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /**
     * Gathers the statistics of normal patches on calibration crops, scans the test set once, and scores every
     * variant's heatmaps.
     */
    public static Outcome evaluate(Dcgan model, FloatImage texture, FloatImage donor, Settings s, List<Variant> variants,
                                   double trainSeconds) {
        List<DefectSet.LabelledImage> images = DefectSet.make(testRegion(texture), donor, s.images(), s.imageSize(), s.seed());
        ScanConfig cfg = ScanConfig.defaults().withStride(s.stride()).withSearch(s.search()).withMap(MapKind.RESIDUAL, 0);
        int patch = model.spec().imageSize();
        long t0 = System.nanoTime();
        MapStatistics stats = statistics(model, calibrationNormals(texture, donor, s), cfg);
        double calibrateSeconds = (System.nanoTime() - t0) / 1e9;

        Map<FloatImage, Map<MapTerm, Stitcher>> stitchers = new IdentityHashMap<>();
        List<ScanResult> results = new ArrayList<>(images.size());
        t0 = System.nanoTime();
        try (AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), stats, cfg)) {
            LocalMaps maps = scanner.maps();
            scanner.scanAll(images.stream().map(DefectSet.LabelledImage::image).iterator(), results::add, (image, p, residual, terms, index) -> {
                Map<MapTerm, Stitcher> st = stitchers.computeIfAbsent(image, im -> new EnumMap<>(MapTerm.class));
                for (MapTerm t : MapTerm.values()) {
                    st.computeIfAbsent(t, tt -> new Stitcher(image.height(), image.width(), 1, patch, image.source()))
                            .add(p, maps.term(t, residual, terms, index), 0);
                }
            });
        }
        double scanSeconds = (System.nanoTime() - t0) / 1e9;

        double[] scores = new double[images.size()];
        for (int i = 0; i < scores.length; i++) scores[i] = results.get(i).topKMean();
        Map<Variant, List<FloatImage>> heatmaps = new LinkedHashMap<>();
        Map<Variant, Map<String, Score>> table = new LinkedHashMap<>();
        for (Variant v : variants) {
            List<FloatImage> hm = new ArrayList<>(images.size());
            for (DefectSet.LabelledImage im : images) {
                Map<MapTerm, Stitcher> st = stitchers.get(im.image());
                hm.add(LocalMaps.compose(v.kind(), t -> MapSmoothing.gaussian(st.get(t).heatmap(), v.smoothing() * s.stride())));
            }
            heatmaps.put(v, hm);
            table.put(v, scoreByKind(images, hm, scores));
        }
        return new Outcome(images, results, heatmaps, table, residualContrast(images, results), stats, trainSeconds,
                calibrateSeconds, scanSeconds);
    }

    /** The normal crops of the texture's calibration region that the statistics of normal patches come from. */
    static List<FloatImage> calibrationNormals(FloatImage texture, FloatImage donor, Settings s) {
        return DefectSet.make(calibrationRegion(texture), donor, 2 * s.calibration(), s.imageSize(), s.seed() + 1)
                .stream().filter(im -> !im.anomalous()).map(DefectSet.LabelledImage::image).toList();
    }

    /** The statistics of normal patches (what {@code calibrate} gathers) over normals scanned with cfg (a plain residual map). */
    static MapStatistics statistics(Dcgan model, List<FloatImage> normals, ScanConfig cfg) {
        int patch = model.spec().imageSize();
        try (AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), cfg)) {
            int featureSize = model.features().outputShape(model.imageShape(1)).size();
            MapStatistics.Accumulator acc = new MapStatistics.Accumulator(patch * patch, featureSize, FeatureTerms.earlierSizes(model));
            LocalMaps raw = scanner.maps();
            scanner.scanAll(normals.iterator(), r -> { }, (image, p, residual, terms, index) ->
                    acc.add(raw.residualPixels(residual), terms, index));
            return acc.result();
        }
    }

    /**
     * Per defect kind, the mean plain residual |x − G(z)| on the defect's pixels over its mean on normal images'
     * pixels: near 1, G reproduces the defect and no residual map can show it; the search is the limit there.
     */
    static Map<String, Double> residualContrast(List<DefectSet.LabelledImage> images, List<ScanResult> results) {
        double normalSum = 0;
        long normalCount = 0;
        Map<String, double[]> inside = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            DefectSet.LabelledImage im = images.get(i);
            float[] h = results.get(i).heatmap().data();
            boolean[] m = im.mask().anomalous();
            for (int p = 0; p < h.length; p++) {
                if (!im.anomalous()) {
                    normalSum += h[p];
                    normalCount++;
                } else if (m[p]) {
                    double[] a = inside.computeIfAbsent(im.defect(), k -> new double[2]);
                    a[0] += h[p];
                    a[1]++;
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        double normalMean = normalSum / Math.max(1, normalCount);
        for (String kind : DefectSet.KINDS) {
            double[] a = inside.get(kind);
            if (a != null && normalMean > 0) out.put(kind, a[0] / a[1] / normalMean);
        }
        return out;
    }

    /** Scores over all images ("all") and over each defect kind's images with every normal one. */
    static Map<String, Score> scoreByKind(List<DefectSet.LabelledImage> images, List<FloatImage> heatmaps, double[] imageScores) {
        Map<String, Score> out = new LinkedHashMap<>();
        List<String> groups = new ArrayList<>(List.of("all"));
        groups.addAll(DefectSet.KINDS);
        for (String g : groups) {
            List<AnomalyMap> maps = new ArrayList<>();
            List<GroundTruthMask> masks = new ArrayList<>();
            List<Double> sc = new ArrayList<>();
            List<Boolean> labels = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                DefectSet.LabelledImage im = images.get(i);
                if (im.anomalous() && !g.equals("all") && !g.equals(im.defect())) continue;
                FloatImage h = heatmaps.get(i);
                maps.add(new AnomalyMap(h.width(), h.height(), h.data()));
                masks.add(im.mask());
                sc.add(imageScores[i]);
                labels.add(im.anomalous());
            }
            if (!labels.contains(true) || !labels.contains(false)) continue;
            LocalisationMetrics l = LocalisationMetrics.of(maps, masks);
            double[] s = sc.stream().mapToDouble(Double::doubleValue).toArray();
            boolean[] lab = new boolean[labels.size()];
            for (int i = 0; i < lab.length; i++) lab[i] = labels.get(i);
            out.put(g, new Score(l.pixelAuroc(), l.aupro(), Roc.auroc(s, lab), l.regionCount()));
        }
        return out;
    }

    public static List<AnomalyMap> maps(List<FloatImage> heatmaps) {
        List<AnomalyMap> maps = new ArrayList<>(heatmaps.size());
        for (FloatImage h : heatmaps) maps.add(new AnomalyMap(h.width(), h.height(), h.data()));
        return maps;
    }

    public static List<GroundTruthMask> masks(List<DefectSet.LabelledImage> images) {
        return images.stream().map(DefectSet.LabelledImage::mask).toList();
    }

    public static void main(String[] args) throws IOException {
        Settings s = quick();
        String setting = "quick", donorArg = null, device = "auto";
        List<String> textures = TEXTURES;
        int encoderSteps = 800;
        Path texturesDir = Path.of("data/textures"), out = Path.of("texture-localisation-out"), models = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            TrainConfig t = s.train();
            switch (a) {
                case "--quick" -> { s = quick(); setting = "quick"; }
                case "--full" -> { s = full(); setting = "full"; }
                case "--texture" -> textures = List.of(value(args, ++i).split(","));
                case "--donor" -> donorArg = value(args, ++i);
                case "--textures-dir" -> texturesDir = Path.of(value(args, ++i));
                case "--models" -> models = Path.of(value(args, ++i));
                case "--device" -> device = value(args, ++i);
                case "--mode" -> s = s.with(t, s.search().withMode(ScoringMode.parse(value(args, ++i))), s.imageSize(), s.images(),
                        s.calibration(), s.stride(), s.seed());
                case "--encoder-steps" -> encoderSteps = intArg(args, ++i);
                case "--out" -> out = Path.of(value(args, ++i));
                case "--steps" -> s = s.with(t.withSteps(intArg(args, ++i)), s.search(), s.imageSize(), s.images(), s.calibration(), s.stride(), s.seed());
                case "--iterations" -> s = s.with(t, s.search().withIterations(intArg(args, ++i)), s.imageSize(), s.images(), s.calibration(), s.stride(), s.seed());
                case "--images" -> s = s.with(t, s.search(), s.imageSize(), intArg(args, ++i), s.calibration(), s.stride(), s.seed());
                case "--calibration" -> s = s.with(t, s.search(), s.imageSize(), s.images(), intArg(args, ++i), s.stride(), s.seed());
                case "--size" -> s = s.with(t, s.search(), intArg(args, ++i), s.images(), s.calibration(), s.stride(), s.seed());
                case "--stride" -> s = s.with(t, s.search(), s.imageSize(), s.images(), s.calibration(), intArg(args, ++i), s.seed());
                case "--seed" -> {
                    long seed = Long.parseLong(value(args, ++i));
                    s = s.with(new TrainConfig(t.steps(), t.batchSize(), t.learningRate(), t.beta1(), t.realLabel(), seed, 0),
                            s.search().withSeed(seed), s.imageSize(), s.images(), s.calibration(), s.stride(), seed);
                }
                // new test and calibration crops for the same models: a held-out check of settings chosen on the default crops
                case "--image-seed" -> s = s.with(t, s.search(), s.imageSize(), s.images(), s.calibration(), s.stride(), Long.parseLong(value(args, ++i)));
                default -> throw new IllegalArgumentException("unknown argument " + a + " (see the class comment for the options)");
            }
        }
        if (s.images() < 2) throw new IllegalArgumentException("--images must be at least 2 (half normal, half defective)");
        if (s.calibration() < 1) throw new IllegalArgumentException("--calibration must be at least 1");
        if (models == null) models = out.resolve("models");
        Files.createDirectories(models);
        System.out.println("# texture localisation, setting " + setting + ": " + s + ", scoring mode " + s.search().mode().label()
                + (s.search().mode().needsEncoder() ? " (encoder: " + encoderSteps + " steps)" : ""));
        try (Backend backend = Devices.open(device, System.err::println)) {
            System.out.println("# backend " + backend.description());
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("setting", setting);
            doc.put("settings", s.toString());
            doc.put("device", backend.description());
            Map<String, Object> perTexture = new LinkedHashMap<>();
            doc.put("textures", perTexture);
            List<String> table = new ArrayList<>();
            List<String> markdown = new ArrayList<>(List.of(
                    "| texture | map | pixel AUROC | AUPRO@0.3 | image AUROC | paste | scratch | stain | bright |",
                    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"));
            for (String texture : textures) {
                String donor = donorArg != null ? donorArg : texture.equals("gravel") ? "brick" : "gravel";
                FloatImage tex = ImageReader.read(texturesDir.resolve(texture + ".png"), 1);
                FloatImage don = ImageReader.read(texturesDir.resolve(donor + ".png"), 1);
                long t0 = System.nanoTime();
                Path modelFile = models.resolve(texture + "-" + setting + ".safetensors");
                Outcome o;
                try (Dcgan model = cachedModel(backend, modelFile, tex, s, encoderSteps)) {
                    o = evaluate(model, tex, don, s, VARIANTS, (System.nanoTime() - t0) / 1e9);
                }
                Path dir = out.resolve(texture);
                Files.createDirectories(dir);
                System.out.printf(Locale.ROOT, "%n## %s (pasted squares from %s): train %.0f s, statistics %.0f s (%d patches), scan %.0f s (%d images)%n",
                        texture, donor, o.trainSeconds(), o.calibrateSeconds(), o.statistics().patches(), o.scanSeconds(), o.images().size());
                printTable(o, texture, table);
                markdownRows(o, texture, markdown);
                StringBuilder contrast = new StringBuilder("plain residual on defect pixels / on normal pixels:");
                o.residualContrast().forEach((k, v) -> contrast.append(String.format(Locale.ROOT, " %s %.2f", k, v)));
                System.out.println(contrast);
                writeExamples(o, dir);
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("donor", donor);
                t.put("train_seconds", round(o.trainSeconds()));
                t.put("statistics_seconds", round(o.calibrateSeconds()));
                t.put("scan_seconds", round(o.scanSeconds()));
                Map<String, Object> sc = new LinkedHashMap<>();
                o.scores().forEach((v, m) -> sc.put(v.label(), m));
                t.put("scores", sc);
                t.put("residual_contrast", o.residualContrast());
                perTexture.put(texture, t);
            }
            Files.createDirectories(out);
            AtomicFiles.write(out.resolve("metrics.json"), JSON.writeValueAsBytes(doc));
            System.out.println("\n## summary (pixel AUROC / AUPRO@0.3 / image AUROC)\n");
            table.forEach(System.out::println);
            System.out.println("\n## the README table (per kind: pixel AUROC / AUPRO@0.3)\n");
            markdown.forEach(System.out::println);
            System.out.println("\noutputs: " + out + " (metrics.json, per texture example overlays)");
        }
    }

    /** The model trained with these settings: loaded from file when one with the same training settings is there, else trained and saved. */
    private static Dcgan cachedModel(Backend backend, Path file, FloatImage texture, Settings s, int encoderSteps) throws IOException {
        Dcgan model = cachedModel(backend, file, texture, s);
        if (!s.search().mode().needsEncoder() || (model.encoder() != null
                && Integer.toString(encoderSteps).equals(ModelFile.readInfo(file).get("benchmark.encoder_steps")))) {
            return model;
        }
        try { // f-AnoGAN's izi_f on the same training crops, kept with the cached model
            model.setEncoder(new Encoder(backend, model.spec(), model.spec().ndf(), s.train().seed() + 1));
            long t0 = System.nanoTime();
            try (EncoderTrainer t = new EncoderTrainer(model, EncoderTrainConfig.defaults(encoderSteps).withSeed(s.train().seed()))) {
                t.train(new ImagePatchSource(List.of(trainRegion(texture)), s.spec().imageSize()), progress(encoderSteps), null);
            }
            System.err.printf(Locale.ROOT, "encoder trained in %.0f s%n", (System.nanoTime() - t0) / 1e9);
            Map<String, String> info = new LinkedHashMap<>(ModelFile.readInfo(file));
            info.put("benchmark.encoder_steps", Integer.toString(encoderSteps));
            ModelFile.save(file, model, info, Map.of());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private static Dcgan cachedModel(Backend backend, Path file, FloatImage texture, Settings s) throws IOException {
        if (Files.exists(file) && s.training().equals(ModelFile.readInfo(file).get("benchmark.training"))) {
            System.err.println("using the trained model " + file);
            return ModelFile.load(file, backend).model();
        }
        Dcgan model = train(backend, trainRegion(texture), s, progress(s.train().steps()));
        try {
            ModelFile.save(file, model, Map.of("benchmark.training", s.training(), "texture", texture.source()), Map.of());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private static void printTable(Outcome o, String texture, List<String> summary) {
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-22s", "map"));
        List<String> groups = new ArrayList<>(o.scores().get(VARIANTS.get(0)).keySet());
        for (String g : groups) head.append(String.format(Locale.ROOT, " | %-20s", g));
        System.out.println(head);
        for (Map.Entry<Variant, Map<String, Score>> e : o.scores().entrySet()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-22s", e.getKey().label()));
            for (String g : groups) {
                Score sc = e.getValue().get(g);
                row.append(String.format(Locale.ROOT, " | %.3f / %.3f / %.3f", sc.pixelAuroc(), sc.aupro(), sc.imageAuroc()));
            }
            System.out.println(row);
            Score all = e.getValue().get("all");
            double worst = e.getValue().entrySet().stream().filter(x -> !x.getKey().equals("all"))
                    .mapToDouble(x -> x.getValue().pixelAuroc()).min().orElse(Double.NaN);
            summary.add(String.format(Locale.ROOT, "%-8s %-22s pixel AUROC %.3f  AUPRO %.3f  image AUROC %.3f  worst kind pixel AUROC %.3f",
                    texture, e.getKey().label(), all.pixelAuroc(), all.aupro(), all.imageAuroc(), worst));
        }
    }

    /** The map a calibrated model's scans show by default, with its default smoothing. */
    public static final Variant DEFAULT = new Variant(MapKind.AUTO.resolve(true), ScanConfig.defaults().smoothingStrides(MapKind.AUTO.resolve(true)));

    /** README rows: the plain residual, the deviation and texture maps, PaDiM's, the window maps, the detail term alone, and the default map. */
    private static void markdownRows(Outcome o, String texture, List<String> out) {
        List<Variant> shown = List.of(VARIANTS.get(0), new Variant(MapKind.DEVIATION, 0.25), new Variant(MapKind.TEXTURE, 0.25),
                new Variant(MapKind.MAHALANOBIS, 0.25), new Variant(MapKind.WINDOW_MEAN, 0.25), new Variant(MapKind.WINDOW, 0.375),
                new Variant(MapKind.DETAIL_LOSS, 0.375), DEFAULT);
        for (Variant v : shown) {
            Map<String, Score> sc = o.scores().get(v);
            if (sc == null) continue;
            Score all = sc.get("all");
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s%s | %.3f | %.3f | %.3f |", texture, v.label(),
                    v.equals(DEFAULT) ? " (default)" : "", all.pixelAuroc(), all.aupro(), all.imageAuroc()));
            for (String kind : DefectSet.KINDS) {
                Score k = sc.get(kind);
                row.append(k == null ? " - |" : String.format(Locale.ROOT, " %.3f / %.3f |", k.pixelAuroc(), k.aupro()));
            }
            out.add(row.toString());
        }
    }

    /** The first image of each defect kind: the image, its mask, and the overlays of the plain residual and the default map. */
    private static void writeExamples(Outcome o, Path dir) throws IOException {
        Variant plain = VARIANTS.get(0), combined = DEFAULT;
        for (String kind : DefectSet.KINDS) {
            for (int i = 0; i < o.images().size(); i++) {
                DefectSet.LabelledImage im = o.images().get(i);
                if (!im.defect().equals(kind)) continue;
                ImageWriter.writeImage(dir.resolve(kind + "-image.png"), im.image());
                ImageWriter.writeMask(dir.resolve(kind + "-mask.png"), im.mask().anomalous(), im.mask().height(), im.mask().width());
                for (Variant v : List.of(plain, combined)) {
                    if (!o.maps().containsKey(v)) continue;
                    ImageWriter.writeOverlay(dir.resolve(kind + "-" + v.kind().label() + ".png"), im.image(), o.maps().get(v).get(i), ColorMap.JET, 0.5);
                }
                break;
            }
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }

    /** Training progress on stderr, every 10% of the steps. */
    private static TrainListener progress(int steps) {
        int every = Math.max(1, steps / 10);
        return (step, total, lossD, lossG, patchesPerSecond) -> {
            if (step % every == 0 || step == total) {
                System.err.printf(Locale.ROOT, "train step %d/%d  D %.3f  G %.3f  %.0f patches/s%n", step, total, lossD, lossG, patchesPerSecond);
            }
        };
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    private static int intArg(String[] args, int i) {
        return Integer.parseInt(value(args, i));
    }
}
