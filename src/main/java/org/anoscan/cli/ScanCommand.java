package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.anoscan.backend.Backend;
import org.anoscan.io.ColorMap;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.DcganSpec;
import org.anoscan.report.ImageLabels;
import org.anoscan.report.OutputFolder;
import org.anoscan.report.ScanOutputs;
import org.anoscan.report.ScoredImage;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanListener;
import org.anoscan.scan.ScanResult;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.scan.Thresholds;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anoscan scan}: image files and folders -> scores, heatmaps, masks, csv/json and an HTML report. */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scan images for anomalies with a trained model.",
                "Writes to --out: maps/NAME.{heatmap,overlay,mask}.png per image, scores.csv and scores.jsonl (a row "
                        + "per image as it is done), scores.json and report.html (at the end). A file that cannot be "
                        + "scanned is reported and skipped.",
                "Decisions use the thresholds of 'anoscan calibrate' stored in the model, or --threshold and "
                        + "--pixel-threshold (which win); without any, scores and heatmaps come without decisions or masks."})
final class ScanCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Image files or folders (searched recursively).")
    List<Path> inputs;

    @Mixin
    ScanSettings settings;

    @Option(names = {"-o", "--out"}, defaultValue = "anoscan-out", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}). One scan at a time; a folder holding another run's "
                    + "outputs is refused unless --overwrite or --resume.")
    Path out;

    @Option(names = "--max-megapixels", defaultValue = "100", paramLabel = "MP",
            description = "Refuse (and report) images of more megapixels than this before decoding them (default: ${DEFAULT-VALUE}); "
                    + "images too large for the JVM's memory are refused too.")
    double maxMegapixels;

    @Option(names = "--overwrite", description = "Replace the outputs of an earlier scan in --out (other files there stay).")
    boolean overwrite;

    @Option(names = "--resume", description = "Continue the interrupted scan in --out (same model and settings, checked): "
            + "images it finished are kept, not scanned again.")
    boolean resume;

    @Option(names = "--threshold", paramLabel = "T", description = "Image threshold on the top-k mean score (overrides the calibrated one).")
    Double threshold;

    @Option(names = "--pixel-threshold", paramLabel = "T", description = "Heatmap threshold for masks and regions (overrides the calibrated one).")
    Double pixelThreshold;

    @Option(names = "--labels", paramLabel = "CSV",
            description = "file,label rows (good/bad, normal/anomalous, 0/1) for the report's ROC curve; "
                    + "without it, folders named good/ and bad/ (or MVTec's good/ next to defect folders) are used.")
    Path labels;

    @Option(names = "--colormap", defaultValue = "JET", description = "Heatmap colours: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ColorMap colorMap;

    @Option(names = "--thumbnails", defaultValue = "100", paramLabel = "N",
            description = "Panels (image, heatmap, mask) of the N highest-scoring images in the report (default: ${DEFAULT-VALUE}).")
    int thumbnails;

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        settings.config(cmd); // usage errors first
        if (thumbnails < 0) throw new CommandLine.ParameterException(cmd, "--thumbnails must be >= 0, got " + thumbnails);
        if (!(maxMegapixels > 0) || maxMegapixels > 1e6) {
            throw new CommandLine.ParameterException(cmd, "--max-megapixels must lie in (0, 1e6], got " + maxMegapixels);
        }
        if (overwrite && resume) throw new CommandLine.ParameterException(cmd, "--overwrite and --resume exclude each other");
        DcganSpec model = ModelFile.readSpec(settings.model); // a bad model fails here, before a device is opened
        ScanConfig cfg = settings.config(cmd, ModelFile.readInfo(settings.model), ModelFile.hasEncoder(settings.model), m -> System.err.println("anoscan scan: " + m))
                .withThresholds(finite(cmd, "--threshold", threshold), finite(cmd, "--pixel-threshold", pixelThreshold));
        checkStride(cmd, cfg, model);
        // the PNGs this command writes live in OUT/maps: never scan them back in
        Map<Path, String> unlisted = new LinkedHashMap<>(); // subfolders that cannot be read: reported, the rest goes on
        List<InputFiles.Entry> files = InputFiles.expand(inputs, out.resolve(org.anoscan.report.ScanOutputs.MAPS), unlisted::put);
        if (files.isEmpty()) {
            unlisted.forEach((folder, why) -> System.err.println("anoscan scan: " + folder + ": cannot read the folder (" + why + ")"));
            System.err.println("anoscan scan: no image files in " + inputs + " (looked for "
                    + String.join(", ", new java.util.TreeSet<>(InputFiles.IMAGE_EXTENSIONS)) + ")");
            return ExitCodes.FAILED;
        }
        ImageLabels truth = labels != null ? ImageLabels.fromCsv(labels) : ImageLabels.fromFolders();
        int patchPixels = (int) Math.round(model.imageSize() / cfg.scale()); // a patch in the original image's pixels
        OutputFolder.Mode mode = resume ? OutputFolder.Mode.RESUME : overwrite ? OutputFolder.Mode.OVERWRITE : OutputFolder.Mode.NEW;
        try (StopSignals stop = StopSignals.install();
             DeviceSet devices = settings.openDevices(cmd);
             AnomalyScanner scanner = AnomalyScanner.open(settings.model, devices.all(), settings.forBackend(cmd, cfg, devices.first()),
                     m -> System.err.println("anoscan scan: " + m));
             OutputFolder folder = OutputFolder.open(out, mode, RunFingerprint.of(settings.model, cfg, colorMap))) {
            scanner.setMaxImagePixels(Math.round(maxMegapixels * 1e6));
            try (ScanOutputs outputs = folder.resumed() ? ScanOutputs.resume(out, colorMap, thumbnails, truth, patchPixels)
                    : new ScanOutputs(out, colorMap, thumbnails, truth, patchPixels)) {
                for (Map.Entry<Path, String> u : unlisted.entrySet()) {
                    outputs.failure(u.getKey(), u.getKey() + ": cannot read the folder (" + u.getValue() + "); its images were not scanned");
                }
                return scan(scanner, outputs, files, folder, stop);
            } catch (IOException | RuntimeException e) {
                folder.interrupted(0, 0, Main.oneLine(e));
                throw e;
            }
        }
    }

    private int scan(AnomalyScanner scanner, ScanOutputs outputs, List<InputFiles.Entry> files, OutputFolder folder, StopSignals stop)
            throws IOException {
        Thresholds t = scanner.thresholds();
        List<String> notes = new ArrayList<>(scanner.warnings());
        if (!t.hasImage() && !t.hasPixel()) {
            notes.add("no thresholds: scores and heatmaps only, no decisions or masks; run 'anoscan calibrate' on normal "
                    + "images or pass --threshold and --pixel-threshold");
        } else if (!t.hasImage()) {
            notes.add("no image threshold: no anomalous yes/no; run 'anoscan calibrate' or pass --threshold");
        } else if (!t.hasPixel()) {
            notes.add("no pixel threshold: no masks or regions; run 'anoscan calibrate' or pass --pixel-threshold");
        }
        for (String n : notes) System.err.println("anoscan scan: " + n);
        Map<Path, String> names = new HashMap<>();
        List<Path> paths = new ArrayList<>(files.size());
        java.util.Set<String> done = outputs.done(); // a resumed run's finished images are not scanned again
        for (InputFiles.Entry e : files) {
            names.putIfAbsent(e.file(), e.name());
            if (!done.contains(e.file().toString())) paths.add(e.file());
        }
        if (folder.resumed()) {
            System.err.println("anoscan scan: resuming " + out + ": " + done.size() + " image(s) kept, " + paths.size() + " to scan");
        }
        int[] anomalous = {0};
        boolean[] cut = {false};
        long start = System.nanoTime();
        String stopped = null;
        try (ScanProgress progress = new ScanProgress("scan", paths.size(), !settings.noProgress)) {
            scanner.scanFiles(paths, progress.around("anoscan scan: ", new ScanListener() {
                @Override
                public void onResult(Path file, ScanResult r) {
                    try {
                        ScoredImage s = outputs.write(file, names.get(file), r);
                        if (Boolean.TRUE.equals(s.anomalous())) anomalous[0]++;
                        progress.imageDone(String.format(Locale.ROOT, "%s %.4g%s", s.name(), s.topKMean(),
                                Boolean.TRUE.equals(s.anomalous()) ? " ANOMALOUS" : ""));
                    } catch (IOException | RuntimeException e) {
                        onFailure(file, file + ": cannot write its outputs: " + Main.oneLine(e));
                    }
                }

                @Override
                public void onFailure(Path file, String message) {
                    try {
                        outputs.failure(file, message);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    progress.imageFailed("failed: " + file.getFileName());
                }

                @Override
                public boolean stopRequested() { // asked only while files remain: true leaves them unscanned
                    cut[0] |= stop.requested();
                    return cut[0];
                }
            }));
        } catch (RuntimeException e) { // the device or the search failed: keep a report of what was done
            stopped = Main.oneLine(e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int ok = outputs.images().size(), failed = outputs.failures().size();
        Map<String, Object> run = runInfo(scanner, ok, failed, anomalous[0], seconds);
        if (stopped != null) notes.add(0, "the scan stopped early: " + stopped);
        boolean interrupted = stopped != null || cut[0];
        if (cut[0]) {
            notes.add(0, "interrupted by SIG" + stop.name() + ": " + ok + " of " + (done.size() + paths.size())
                    + " image(s) done; 'anoscan scan --resume' with the same options continues it");
        }
        run.put("state", interrupted ? "interrupted" : "complete");
        String unwritten = null;
        try {
            outputs.finish(run, notes, t.image());
        } catch (IOException | RuntimeException e) { // the rows and PNGs are written already; say what is missing
            unwritten = Main.oneLine(e);
        }

        System.out.printf(Locale.ROOT, "scanned %d of %d file(s) in %.1f s (%.2f images/s) on %s%n", ok, done.size() + paths.size(), seconds,
                ok / Math.max(seconds, 1e-9), scanner.backend().name());
        System.out.println("thresholds: " + t);
        if (t.hasImage()) System.out.println("anomalous: " + anomalous[0] + " of " + ok);
        outputs.auroc().ifPresent(a -> System.out.printf(Locale.ROOT, "AUROC (labelled images): %.4f%n", a));
        System.out.println("outputs: " + out + " (" + ScanOutputs.REPORT + ", " + ScanOutputs.CSV + ", " + ScanOutputs.JSON
                + ", " + ScanOutputs.MAPS + "/)");
        printFailures("scan", outputs.failures());
        String reason = stopped != null ? stopped : stop.requested() ? "SIG" + stop.name() : null;
        if (interrupted) folder.interrupted(ok, failed, reason);
        else folder.complete(ok, failed);
        if (cut[0]) {
            System.err.println("anoscan scan: stopped by SIG" + stop.name() + ": kept " + ok + " scanned image(s) in " + out
                    + (unwritten == null ? " (" + ScanOutputs.CSV + ", " + ScanOutputs.JSON + ", " + ScanOutputs.REPORT + ")"
                    : " (" + ScanOutputs.CSV + "; " + ScanOutputs.JSON + " and " + ScanOutputs.REPORT + " could not be written: " + unwritten + ")")
                    + "; the image(s) in flight were finished; continue with --resume");
            return stop.exitCode();
        }
        if (stopped != null) {
            System.err.println("anoscan scan: stopped early: " + stopped);
            return ExitCodes.FAILED;
        }
        if (unwritten != null) {
            System.err.println("anoscan scan: could not write " + ScanOutputs.JSON + " or " + ScanOutputs.REPORT + ": " + unwritten
                    + "; " + ScanOutputs.CSV + " and " + ScanOutputs.JSON_LINES + " hold every result");
            return ExitCodes.FAILED;
        }
        return ok == 0 ? ExitCodes.FAILED : failed > 0 ? ExitCodes.PARTIAL : ExitCodes.OK;
    }

    private Map<String, Object> runInfo(AnomalyScanner scanner, int ok, int failed, int anomalous, double seconds) {
        Map<String, Object> run = new LinkedHashMap<>();
        ScanConfig c = scanner.config();
        DcganSpec s = scanner.spec();
        run.put("anoscan", VersionInfo.version());
        run.put("finished", Instant.now().toString());
        run.put("model", settings.model.toString());
        run.put("architecture", s.describe());
        run.put("device", scanner.backend().description());
        if (scanner.engines().size() > 1) { // several devices: who searched how many patches, and what failed
            run.put("patches_per_engine", scanner.patchesPerEngine());
            run.put("engine_failures", scanner.engineFailures());
        }
        run.put("precision", scanner.backend().precision().label()); // what the search ran in (the CPU: fp32 always)
        run.put("patch", s.imageSize());
        run.put("stride", scanner.tiler().stride());
        run.put("iterations", c.search().iterations());
        run.put("restarts", c.search().restarts());
        run.put("batch", c.batchSize());
        run.put("top_k", c.topK());
        run.put("flat_std", c.flatStd());
        run.put("pad", c.pad());
        run.put("scale", c.scale());
        run.put("threshold_image", Double.isNaN(scanner.thresholds().image()) ? null : scanner.thresholds().image());
        run.put("threshold_pixel", Double.isNaN(scanner.thresholds().pixel()) ? null : scanner.thresholds().pixel());
        run.put("thresholds_from", scanner.thresholds().origin());
        run.put("images", ok);
        run.put("failed", failed);
        if (scanner.thresholds().hasImage()) run.put("anomalous", anomalous);
        run.put("seconds", Math.round(seconds * 1000) / 1000.0);
        return run;
    }

    static void printFailures(String command, Map<String, String> failures) {
        if (failures.isEmpty()) return;
        System.err.println("anoscan " + command + ": " + failures.size() + " file(s) failed and were skipped:");
        failures.forEach((file, m) -> System.err.println("  " + (m.contains(file) ? m : file + ": " + m)));
    }

    static void checkStride(CommandLine cmd, ScanConfig cfg, DcganSpec model) {
        if (cfg.stride() > model.imageSize()) {
            throw new CommandLine.ParameterException(cmd, "--stride " + cfg.stride() + " is larger than the model's patch size "
                    + model.imageSize() + " (it would leave pixels unscanned)");
        }
    }

    private static double finite(CommandLine cmd, String name, Double v) {
        if (v == null) return Double.NaN;
        if (!Double.isFinite(v)) throw new CommandLine.ParameterException(cmd, name + " must be a finite number, got " + v);
        return v;
    }
}
