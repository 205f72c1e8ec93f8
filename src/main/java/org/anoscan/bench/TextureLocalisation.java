package org.anoscan.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.anoscan.io.ColorMap;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.ImageWriter;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.report.EvalReport;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanResult;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.search.SearchConfig;
import org.anoscan.train.GanTrainer;
import org.anoscan.train.ImagePatchSource;
import org.anoscan.train.TrainConfig;
import org.anoscan.train.TrainListener;

/**
 * The texture localisation benchmark: train a DCGAN-32 on random crops of a texture's left 320 columns, scan
 * square crops of the held-out right columns, half of them with synthetic defects of known masks
 * ({@link DefectSet}), and report pixel AUROC, AUPRO and image AUROC (top-k mean score).
 *
 * <p>usage: TextureLocalisation [--quick | --full] [--texture brick] [--donor gravel] [--textures-dir data/textures]
 * [--steps N] [--iterations N] [--images N] [--size PX] [--stride PX] [--seed S] [--device D] [--out DIR]
 */
public final class TextureLocalisation {
    /** Columns of the texture used for training; the rest is held out for the test images. */
    public static final int TRAIN_COLUMNS = 320;

    private TextureLocalisation() {}

    /**
     * @param imageSize test images are imageSize x imageSize crops
     * @param images    test images, half normal
     * @param stride    pixels between scanned patches
     * @param seed      seeds the test set (training and search have their own seeds in train and search)
     */
    public record Settings(DcganSpec spec, TrainConfig train, SearchConfig search, int imageSize, int images, int stride, long seed) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s, %d steps of %d, search %d iterations (lambda %.2g), %d test images %dx%d, stride %d, seed %d",
                    spec, train.steps(), train.batchSize(), search.iterations(), search.lambda(), images, imageSize, imageSize, stride, seed);
        }
    }

    /** The scanned test set and its metrics; results[i] belongs to images[i]. */
    public record Outcome(List<DefectSet.LabelledImage> images, List<ScanResult> results, LocalisationMetrics localisation,
                          double imageAuroc, double trainSeconds, double scanSeconds) {}

    /** Minutes on two CPU cores: DCGAN-32 with nz 48 and widths 24, 800 steps, Γ = 80, 24 test images of 64x64, stride 16. */
    public static Settings quick() {
        return new Settings(new DcganSpec(32, 1, 48, 24, 24), new TrainConfig(800, 64, 2e-4f, 0.5f, 1f, 1L, 0),
                SearchConfig.defaults().withIterations(80), 64, 24, 16, 7L);
    }

    /** The GPU setting: DCGAN-32 (nz 100, widths 64), 10,000 steps, Γ = 500, 100 test images of 96x96, stride 8. */
    public static Settings full() {
        return new Settings(new DcganSpec(32, 1, 100, 64, 64), new TrainConfig(10000, 64, 2e-4f, 0.5f, 1f, 1L, 0),
                SearchConfig.defaults(), 96, 100, 8, 7L);
    }

    /** Trains on the texture's left columns, then scans a test set cut from the rest. */
    public static Outcome run(Backend backend, FloatImage texture, FloatImage donor, Settings s, TrainListener listener) throws IOException {
        long t0 = System.nanoTime();
        try (Dcgan model = train(backend, trainRegion(texture), s, listener)) {
            List<DefectSet.LabelledImage> images = DefectSet.make(heldOutRegion(texture), donor, s.images(), s.imageSize(), s.seed());
            return evaluate(model, images, s, (System.nanoTime() - t0) / 1e9);
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

    /** Scans the images with a trained model and computes the metrics from their heatmaps and top-k scores. */
    public static Outcome evaluate(Dcgan model, List<DefectSet.LabelledImage> images, Settings s, double trainSeconds) {
        ScanConfig cfg = ScanConfig.defaults().withStride(s.stride()).withSearch(s.search());
        List<ScanResult> results = new ArrayList<>(images.size());
        long t0 = System.nanoTime();
        try (AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), cfg)) {
            scanner.scanAll(images.stream().map(DefectSet.LabelledImage::image).iterator(), results::add);
        }
        double scanSeconds = (System.nanoTime() - t0) / 1e9;
        double[] scores = new double[images.size()];
        boolean[] labels = new boolean[images.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = results.get(i).topKMean();
            labels[i] = images.get(i).anomalous();
        }
        LocalisationMetrics loc = LocalisationMetrics.of(maps(results), masks(images));
        return new Outcome(images, results, loc, Roc.auroc(scores, labels), trainSeconds, scanSeconds);
    }

    public static List<AnomalyMap> maps(List<ScanResult> results) {
        List<AnomalyMap> maps = new ArrayList<>(results.size());
        for (ScanResult r : results) maps.add(new AnomalyMap(r.heatmap().width(), r.heatmap().height(), r.heatmap().data()));
        return maps;
    }

    public static List<GroundTruthMask> masks(List<DefectSet.LabelledImage> images) {
        return images.stream().map(DefectSet.LabelledImage::mask).toList();
    }

    public static void main(String[] args) throws IOException {
        Settings s = quick();
        String setting = "quick", texture = "brick", donor = null, device = "auto";
        Path texturesDir = Path.of("data/textures"), out = Path.of("texture-localisation-out");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { s = quick(); setting = "quick"; }
                case "--full" -> { s = full(); setting = "full"; }
                case "--texture" -> texture = args[++i];
                case "--donor" -> donor = args[++i];
                case "--textures-dir" -> texturesDir = Path.of(args[++i]);
                case "--device" -> device = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--steps" -> s = new Settings(s.spec(), s.train().withSteps(intArg(args, ++i)), s.search(), s.imageSize(), s.images(), s.stride(), s.seed());
                case "--iterations" -> s = new Settings(s.spec(), s.train(), s.search().withIterations(intArg(args, ++i)), s.imageSize(), s.images(), s.stride(), s.seed());
                case "--images" -> s = new Settings(s.spec(), s.train(), s.search(), s.imageSize(), intArg(args, ++i), s.stride(), s.seed());
                case "--size" -> s = new Settings(s.spec(), s.train(), s.search(), intArg(args, ++i), s.images(), s.stride(), s.seed());
                case "--stride" -> s = new Settings(s.spec(), s.train(), s.search(), s.imageSize(), s.images(), intArg(args, ++i), s.seed());
                case "--seed" -> {
                    long seed = Long.parseLong(args[++i]);
                    TrainConfig t = s.train();
                    s = new Settings(s.spec(), new TrainConfig(t.steps(), t.batchSize(), t.learningRate(), t.beta1(), t.realLabel(), seed, 0),
                            s.search().withSeed(seed), s.imageSize(), s.images(), s.stride(), seed);
                }
                default -> throw new IllegalArgumentException("unknown argument " + a + " (see the class comment for the options)");
            }
        }
        if (s.images() < 2) throw new IllegalArgumentException("--images must be at least 2 (half normal, half defective)");
        if (donor == null) donor = texture.equals("gravel") ? "brick" : "gravel";
        FloatImage tex = ImageReader.read(texturesDir.resolve(texture + ".png"), 1);
        FloatImage don = ImageReader.read(texturesDir.resolve(donor + ".png"), 1);
        try (Backend backend = Devices.open(device, System.err::println)) {
            System.out.println("# texture localisation, setting " + setting + ": " + texture + " (defects pasted from " + donor + "), " + s);
            System.out.println("# backend " + backend.description());
            Outcome o = run(backend, tex, don, s, progress(s.train().steps()));
            report(o, s, setting, texture, donor, backend.description(), out);
        }
    }

    private static void report(Outcome o, Settings s, String setting, String texture, String donor, String device, Path out)
            throws IOException {
        LocalisationMetrics l = o.localisation();
        System.out.printf(Locale.ROOT, "pixel AUROC %.4f  AUPRO@%.2g %.4f (%d regions)  image AUROC %.4f%n", l.pixelAuroc(),
                l.auproFprLimit(), l.aupro(), l.regionCount(), o.imageAuroc());
        System.out.printf(Locale.ROOT, "train %.1f s, scan %.1f s (%d images)%n", o.trainSeconds(), o.scanSeconds(), o.images().size());

        List<EvalReport.Item> items = new ArrayList<>();
        for (int i = 0; i < o.images().size(); i++) {
            DefectSet.LabelledImage im = o.images().get(i);
            items.add(new EvalReport.Item(im.image().source(), im.anomalous(), o.results().get(i).topKMean()));
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("benchmark", "texture localisation");
        run.put("setting", setting);
        run.put("settings", s.toString());
        run.put("texture", texture);
        run.put("donor", donor);
        run.put("device", device);
        run.put("train_seconds", Math.round(o.trainSeconds() * 10) / 10.0);
        run.put("scan_seconds", Math.round(o.scanSeconds() * 10) / 10.0);
        EvalReport.write(out, run, items, new EvalReport.PixelTruth(maps(o.results()), masks(o.images())));
        for (int i = 0; i < o.images().size(); i++) { // the first defect image as an example
            DefectSet.LabelledImage im = o.images().get(i);
            if (!im.anomalous()) continue;
            ImageWriter.writeOverlay(out.resolve("example-overlay.png"), im.image(), o.results().get(i).heatmap(), ColorMap.JET, 0.5);
            ImageWriter.writeImage(out.resolve("example-image.png"), im.image());
            ImageWriter.writeMask(out.resolve("example-mask.png"), im.mask().anomalous(), im.mask().height(), im.mask().width());
            System.out.println("example (" + im.defect() + "): " + out.resolve("example-overlay.png") + ", example-mask.png");
            break;
        }
        System.out.println("outputs: " + out + " (" + EvalReport.METRICS + ", roc.png, pr.png, pro.png)");
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

    private static int intArg(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return Integer.parseInt(args[i]);
    }
}
