package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.concurrent.Callable;
import org.anoscan.backend.Backend;
import org.anoscan.eval.AnomalyMap;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.io.ColorMap;
import org.anoscan.io.Mnist;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.report.EvalPanels;
import org.anoscan.report.EvalReport;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanListener;
import org.anoscan.scan.ScanResult;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anoscan eval}: a labelled set -> image (and pixel) metrics, metrics.json and ROC/PR/PRO plots. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a labelled set with a trained model and report AUROC, AP and best F1 (and, with masks, pixel "
                + "AUROC and AUPRO).",
                "Input: a folder DIR with good/ (normal) and bad/ (anomalous) images, scanned like 'anoscan scan' (image "
                        + "score: the top-k mean), optionally with --masks; or an MVTec AD category folder as unpacked "
                        + "(test/good, test/DEFECT/, ground_truth/DEFECT/NAME_mask.png: masks are found, and metrics are "
                        + "reported per defect type too); or --idx, an IDX image file with labels whose "
                        + "images are each one patch (e.g. MNIST one-class: --normal-label 0, the other digits anomalous).",
                "Writes to --out: metrics.json (metrics, settings, counts, time, every score), roc.png, pr.png and, with "
                        + "masks, pro.png; panels/NAME.png per image (image, ground truth, heatmap, mask side by side)."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Folder holding good/ and bad/ images, or an MVTec AD category (test/, ground_truth/).")
    Path dir;

    @Option(names = "--idx", paramLabel = "FILE", description = "IDX image file (idx3-ubyte, .gz or plain) instead of DIR.")
    Path idx;

    @Option(names = "--idx-labels", paramLabel = "FILE",
            description = "Its IDX label file (default: the image file's name with images-idx3 replaced by labels-idx1).")
    Path idxLabels;

    @Option(names = "--normal-label", paramLabel = "L", description = "With --idx: the label of normal images; the others are anomalous.")
    Integer normalLabel;

    @Option(names = "--max-per-class", paramLabel = "N", description = "With --idx: at most the first N images of each label.")
    Integer maxPerClass;

    @Option(names = "--masks", paramLabel = "DIR",
            description = "With DIR: ground-truth masks NAME.png (white = defect) for the bad/ images, for pixel AUROC and AUPRO.")
    Path masks;

    @Mixin
    ScanSettings settings;

    @Option(names = "--colormap", defaultValue = "JET", description = "Heatmap colours of the panels: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ColorMap colorMap;

    /** Side-by-side pictures per image, below the output folder. */
    static final String PANELS = "panels";

    @Option(names = {"-o", "--out"}, defaultValue = "anoscan-eval", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}); its earlier files are replaced.")
    Path out;

    /** What scoring produced: items in input order, pixel truth (folder mode with masks), files skipped. */
    private record Scored(List<EvalReport.Item> items, EvalReport.PixelTruth pixels, Map<String, String> failures) {}

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        checkInputChoice(cmd);
        settings.config(cmd); // usage errors first
        DcganSpec model = ModelFile.readSpec(settings.model); // a bad model fails here, before a device is opened
        ScanConfig cfg = settings.config(cmd, ModelFile.readInfo(settings.model), ModelFile.hasEncoder(settings.model), m -> System.err.println("anoscan eval: " + m));
        Map<String, Object> run = new LinkedHashMap<>();
        long start = System.nanoTime();
        Scored scored;
        String device;
        String precision;
        if (idx != null) {
            Mnist.Set set = readIdx(model);
            try (Backend backend = settings.openBackend(cmd)) {
                device = backend.description();
                precision = backend.precision().label();
                scored = scoreIdx(backend, cfg.search(), set);
            }
            run.put("batch", settings.batch);
            run.put("input", Map.of("idx", idx.toString(), "labels", labelFile().toString(), "normal_label", normalLabel,
                    "max_per_class", maxPerClass == null ? "all" : maxPerClass));
        } else {
            ScanCommand.checkStride(cmd, cfg, model);
            boolean mvtec = LabelledFolders.isMvtec(dir);
            Path maskDir = masks != null ? masks : mvtec ? LabelledFolders.mvtecMasks(dir) : null;
            Map<String, String> unlisted = new LinkedHashMap<>(); // subfolders that cannot be read: reported, the rest goes on
            BiConsumer<Path, String> unreadable = (folder, why) -> unlisted.put(folder.toString(),
                    folder + ": cannot read the folder (" + why + "); its images were not scored");
            List<LabelledFolders.Image> images = mvtec ? LabelledFolders.listMvtec(dir, maskDir, out, unreadable)
                    : LabelledFolders.list(dir, masks, out, unreadable);
            if (mvtec) System.err.println("anoscan eval: " + dir + " is an MVTec AD layout: test/good is normal, each other test/ folder "
                    + "a defect type" + (maskDir == null ? " (no ground_truth/: image metrics only)" : ", masks from " + maskDir));
            checkBothClasses(images.stream().filter(i -> !i.anomalous()).count(), images.stream().filter(LabelledFolders.Image::anomalous).count(),
                    dir.toString());
            try (DeviceSet devices = settings.openDevices(cmd); AnomalyScanner scanner = AnomalyScanner.open(settings.model, devices.all(),
                    settings.forBackend(cmd, cfg, devices.first()), m -> System.err.println("anoscan eval: " + m))) {
                Backend backend = devices.first();
                device = devices.description();
                scored = scanFolders(scanner, images, maskDir != null, unlisted);
                precision = backend.precision().label(); // as the scanner set it
                run.put("input", maskDir == null ? Map.of("folder", dir.toString(), "layout", mvtec ? "mvtec" : "good/bad")
                        : Map.of("folder", dir.toString(), "layout", mvtec ? "mvtec" : "good/bad", "masks", maskDir.toString()));
                run.put("stride", scanner.tiler().stride());
                run.put("batch", scanner.config().batchSize());
                run.put("top_k", cfg.topK());
                run.put("flat_std", cfg.flatStd());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long anomalies = scored.items().stream().filter(EvalReport.Item::anomalous).count();
        checkBothClasses(scored.items().size() - anomalies, anomalies, "the images scored");

        run.put("anoscan", VersionInfo.version());
        run.put("finished", Instant.now().toString());
        run.put("model", settings.model.toString());
        run.put("architecture", model.describe());
        run.put("device", device);
        run.put("precision", precision);
        run.put("iterations", cfg.search().iterations());
        run.put("restarts", cfg.search().restarts());
        run.put("seed", cfg.search().seed());
        run.put("normals", scored.items().size() - anomalies);
        run.put("anomalies", anomalies);
        run.put("failed", scored.failures());
        run.put("seconds", Math.round(seconds * 1000) / 1000.0);
        EvalReport.Metrics m = EvalReport.write(out, run, scored.items(), scored.pixels());

        System.out.printf(Locale.ROOT, "scored %d normal and %d anomalous in %.1f s on %s%n", scored.items().size() - anomalies,
                anomalies, seconds, device);
        System.out.printf(Locale.ROOT, "AUROC %.4f  AP %.4f (chance %.4f)  best F1 %.4f (threshold %.5g; flagging every image: %.4f)%n",
                m.detection().auroc(), m.detection().aupr(), (double) anomalies / scored.items().size(), m.detection().bestF1(),
                m.detection().bestF1Threshold(), m.detection().allAnomalousF1());
        if (m.localisation() != null) {
            System.out.printf(Locale.ROOT, "pixel AUROC %.4f  AUPRO@%.2g %.4f (%d regions)%n", m.localisation().pixelAuroc(),
                    m.localisation().auproFprLimit(), m.localisation().aupro(), m.localisation().regionCount());
        }
        m.perDefect().forEach((defect, d) -> System.out.printf(Locale.ROOT, "  %-16s AUROC %.4f  AP %.4f (%d anomalous)%s%n", defect,
                d.detection().auroc(), d.detection().aupr(), d.detection().anomalies(), d.localisation() == null ? ""
                        : String.format(Locale.ROOT, "  pixel AUROC %.4f  AUPRO %.4f", d.localisation().pixelAuroc(), d.localisation().aupro())));
        System.out.println("outputs: " + out + " (" + EvalReport.METRICS + ", " + EvalReport.ROC + ", " + EvalReport.PR
                + (m.localisation() != null ? ", " + EvalReport.PRO : "") + (idx == null ? ", " + PANELS + "/" : "") + ")");
        ScanCommand.printFailures("eval", scored.failures());
        return scored.failures().isEmpty() ? ExitCodes.OK : ExitCodes.PARTIAL;
    }

    private void checkInputChoice(CommandLine cmd) {
        if ((dir == null) == (idx == null)) throw new CommandLine.ParameterException(cmd, "give either a folder DIR or --idx FILE");
        if (idx != null && normalLabel == null) throw new CommandLine.ParameterException(cmd, "--idx needs --normal-label");
        if (idx == null && (normalLabel != null || maxPerClass != null || idxLabels != null)) {
            throw new CommandLine.ParameterException(cmd, "--normal-label, --max-per-class and --idx-labels go with --idx");
        }
        if (idx != null && masks != null) throw new CommandLine.ParameterException(cmd, "--masks goes with a folder DIR, not --idx");
        if (maxPerClass != null && maxPerClass < 1) {
            throw new CommandLine.ParameterException(cmd, "--max-per-class must be at least 1, got " + maxPerClass);
        }
    }

    /** An AUROC needs both classes: say which one is missing, before any scoring where possible. */
    private static void checkBothClasses(long normals, long anomalies, String where) {
        if (normals == 0 || anomalies == 0) {
            throw new IllegalArgumentException(where + ": " + normals + " normal and " + anomalies + " anomalous image(s); "
                    + "eval needs both classes");
        }
    }

    private Path labelFile() {
        return labelFileOf(idx, idxLabels);
    }

    /** The label file of IDX images: given, or the image file's name with images-idx3 replaced by labels-idx1. */
    static Path labelFileOf(Path idx, Path idxLabels) {
        if (idxLabels != null) return idxLabels;
        String name = idx.getFileName().toString();
        return idx.resolveSibling(name.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1"));
    }

    /** Reads IDX images with their labels for a model that must take them (1 channel, {@link Mnist#SIZE} pixels). */
    static Mnist.Set readIdx(Path idx, Path idxLabels, DcganSpec model, Path modelFile) throws IOException {
        if (model.imageSize() != Mnist.SIZE || model.channels() != 1) {
            throw new IllegalArgumentException("--idx needs a 1-channel " + Mnist.SIZE + "x" + Mnist.SIZE + " model; " + modelFile
                    + " is " + model.describe());
        }
        Path labels = labelFileOf(idx, idxLabels);
        if (labels.equals(idx) || !Files.exists(labels)) {
            throw new IOException(idx + ": no label file " + labels + " next to it; give one with --idx-labels");
        }
        return Mnist.read(idx, labels);
    }

    private Mnist.Set readIdx(DcganSpec model) throws IOException {
        Mnist.Set all = readIdx(idx, idxLabels, model, settings.model);
        Map<Integer, Integer> taken = new LinkedHashMap<>();
        List<Integer> keep = new ArrayList<>();
        long normals = 0;
        for (int i = 0; i < all.count(); i++) {
            int n = taken.merge(all.labels()[i], 1, Integer::sum);
            if (maxPerClass == null || n <= maxPerClass) {
                keep.add(i);
                if (all.labels()[i] == normalLabel) normals++;
            }
        }
        checkBothClasses(normals, keep.size() - normals, idx + " with --normal-label " + normalLabel);
        int per = Mnist.SIZE * Mnist.SIZE;
        float[] patches = new float[keep.size() * per];
        int[] ls = new int[keep.size()];
        for (int j = 0; j < keep.size(); j++) {
            System.arraycopy(all.patches(), keep.get(j) * per, patches, j * per, per);
            ls[j] = all.labels()[keep.get(j)];
        }
        return new Mnist.Set(patches, ls);
    }

    /** Each IDX image is one patch, searched directly; its id is its index, so batching does not change its score. */
    private Scored scoreIdx(Backend backend, SearchConfig search, Mnist.Set set) throws IOException {
        int per = Mnist.SIZE * Mnist.SIZE;
        List<EvalReport.Item> items = new ArrayList<>(set.count());
        try (Dcgan model = ModelFile.load(settings.model, backend).model();
             ScanProgress progress = new ScanProgress("eval", set.count(), !settings.noProgress)) {
            LatentSearch ls = new LatentSearch(model, search.withMaxBatch(Math.max(search.maxBatch(), settings.batch)));
            for (int start = 0; start < set.count(); start += settings.batch) {
                int n = Math.min(settings.batch, set.count() - start);
                long[] ids = new long[n];
                for (int i = 0; i < n; i++) ids[i] = start + i;
                float[] chunk = java.util.Arrays.copyOfRange(set.patches(), start * per, (start + n) * per);
                List<SearchResult> results = ls.search(chunk, ids);
                for (int i = 0; i < n; i++) {
                    int label = set.labels()[start + i];
                    items.add(new EvalReport.Item("#" + (start + i) + " label " + label, label != normalLabel, results.get(i).score()));
                }
                progress.patchImagesDone(n);
            }
        }
        return new Scored(items, null, Map.of());
    }

    /** Scores the images; {@code failures} holds what already failed (unreadable folders) and gets the images that fail. */
    private Scored scanFolders(AnomalyScanner scanner, List<LabelledFolders.Image> images, boolean withMasks, Map<String, String> failures) {
        Map<Path, LabelledFolders.Image> byFile = new LinkedHashMap<>();
        for (LabelledFolders.Image i : images) byFile.put(i.file(), i);
        List<EvalReport.Item> items = new ArrayList<>();
        List<AnomalyMap> maps = new ArrayList<>();
        List<GroundTruthMask> truth = new ArrayList<>();
        try (ScanProgress progress = new ScanProgress("eval", images.size(), !settings.noProgress)) {
            scanner.scanFiles(new ArrayList<>(byFile.keySet()), progress.around("anoscan eval: ", new ScanListener() {
                @Override
                public void onResult(Path file, ScanResult r) {
                    LabelledFolders.Image img = byFile.get(file);
                    GroundTruthMask gt = null;
                    if (withMasks) {
                        int w = r.heatmap().width(), h = r.heatmap().height();
                        try {
                            gt = img.mask() == null ? GroundTruthMask.normal(w, h) : LabelledFolders.readMask(img.mask(), w, h);
                            truth.add(gt);
                        } catch (IOException e) {
                            onFailure(file, Main.oneLine(e));
                            return;
                        }
                        maps.add(new AnomalyMap(w, h, r.heatmap().data()));
                    }
                    items.add(new EvalReport.Item(img.name(), img.anomalous(), r.topKMean(), img.defect()));
                    try {
                        EvalPanels.write(out.resolve(PANELS), img.name(), r, gt, colorMap);
                    } catch (IOException | RuntimeException e) {
                        progress.println("anoscan eval: " + img.name() + ": no panel (" + Main.oneLine(e) + ")");
                    }
                    progress.imageDone(String.format(Locale.ROOT, "%s %.4g", img.name(), r.topKMean()));
                }

                @Override
                public void onFailure(Path file, String message) {
                    failures.put(byFile.get(file).name(), message);
                    progress.imageFailed("failed: " + file.getFileName());
                }
            }));
        }
        return new Scored(items, withMasks ? new EvalReport.PixelTruth(maps, truth) : null, failures);
    }
}
