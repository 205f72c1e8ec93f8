package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.anoscan.backend.Backend;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.Mnist;
import org.anoscan.io.ModelFile;
import org.anoscan.scan.Calibration;
import org.anoscan.nn.DcganSpec;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScoringSettings;
import org.anoscan.scan.ScanListener;
import org.anoscan.scan.ScanResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code anoscan calibrate}: normal validation images -> image and pixel thresholds stored in the model file. */
@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Choose decision thresholds from normal images and store them in the model file.",
                "Scans held-out normal images (not the training ones; folders of image files, or the normal class of an IDX file) and takes the --quantile of their image scores "
                        + "and of their heatmap pixels: about (1 - quantile) of normal images and pixels will be flagged. "
                        + "Scan later with the same settings (iterations, stride, top-k)."})
final class CalibrateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--normal", arity = "1..*", paramLabel = "INPUT",
            description = "Normal images: files or folders (searched recursively).")
    List<Path> normals;

    @Option(names = "--idx", paramLabel = "FILE",
            description = "Instead of --normal: an IDX image file (idx3-ubyte, .gz or plain, e.g. MNIST); its images of --normal-label are the normal ones.")
    Path idx;

    @Option(names = "--idx-labels", paramLabel = "FILE",
            description = "Its IDX label file (default: the image file's name with images-idx3 replaced by labels-idx1).")
    Path idxLabels;

    @Option(names = "--normal-label", paramLabel = "L", description = "With --idx: the label of the normal images.")
    Integer normalLabel;

    @Option(names = "--max-images", paramLabel = "N", description = "With --idx: at most the first N normal images.")
    Integer maxImages;

    @Option(names = "--quantile", defaultValue = "" + Calibration.DEFAULT_QUANTILE, paramLabel = "Q",
            description = "Quantile of the normal scores to use as thresholds, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double quantile;

    @Mixin
    ScanSettings settings;

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        ScanConfig cfg = settings.config(cmd);
        if (!(quantile > 0 && quantile <= 1)) {
            throw new CommandLine.ParameterException(cmd, "--quantile must be in (0, 1], got " + quantile);
        }
        if ((normals == null) == (idx == null)) throw new CommandLine.ParameterException(cmd, "give either --normal INPUT... or --idx FILE");
        if (idx != null && normalLabel == null) throw new CommandLine.ParameterException(cmd, "--idx needs --normal-label");
        if (idx == null && (normalLabel != null || maxImages != null || idxLabels != null)) {
            throw new CommandLine.ParameterException(cmd, "--normal-label, --max-images and --idx-labels go with --idx");
        }
        if (maxImages != null && maxImages < 1) throw new CommandLine.ParameterException(cmd, "--max-images must be at least 1, got " + maxImages);
        DcganSpec model = ModelFile.readSpec(settings.model);
        cfg = settings.config(cmd, Map.of(), ModelFile.hasEncoder(settings.model)); // hybrid by default when the model has an encoder
        ScanCommand.checkStride(cmd, cfg, model);
        if (idx != null) return calibrateIdx(cmd, cfg, model);
        Map<String, String> failures = new LinkedHashMap<>(); // unreadable subfolders and files: reported, the rest goes on
        List<InputFiles.Entry> files = InputFiles.expand(normals, null,
                (folder, why) -> failures.put(folder.toString(), folder + ": cannot read the folder (" + why + "); its images were not used"));
        if (files.isEmpty()) {
            ScanCommand.printFailures("calibrate", failures);
            System.err.println("anoscan calibrate: no image files in " + normals);
            return ExitCodes.FAILED;
        }
        List<Path> paths = new ArrayList<>();
        for (InputFiles.Entry e : files) paths.add(e.file());
        long start = System.nanoTime();
        Calibration.Result r;
        try (DeviceSet devices = settings.openDevices(cmd);
             ScanProgress progress = new ScanProgress("calibrate", paths.size() * Calibration.passes(cfg), !settings.noProgress)) {
            r = Calibration.calibrate(settings.model, devices.all(), settings.forBackend(cmd, cfg, devices.first()), paths, quantile, progress.around("anoscan calibrate: ", new ScanListener() {
                @Override
                public void onResult(Path file, ScanResult result) {
                    progress.imageDone(String.format(Locale.ROOT, "%s %.4g", file.getFileName(), result.topKMean()));
                }

                @Override
                public void onFailure(Path file, String message) {
                    failures.put(file.toString(), message);
                    progress.imageFailed("failed: " + file.getFileName());
                }
            }));
        } catch (IllegalStateException e) { // no image could be scanned
            ScanCommand.printFailures("calibrate", failures);
            System.err.println("anoscan calibrate: " + Main.oneLine(e));
            return ExitCodes.FAILED;
        }
        report(r, cfg, model, (System.nanoTime() - start) / 1e9);
        ScanCommand.printFailures("calibrate", failures);
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.PARTIAL;
    }

    /** The normal images of an IDX file, each one patch of the model's size, as in {@code eval --idx}. */
    private Integer calibrateIdx(CommandLine cmd, ScanConfig cfg, DcganSpec model) throws IOException {
        Mnist.Set normal = EvalCommand.readIdx(idx, idxLabels, model, settings.model)
                .filter(normalLabel, true, maxImages == null ? Integer.MAX_VALUE : maxImages);
        if (normal.count() == 0) {
            System.err.println("anoscan calibrate: " + idx + " has no image of label " + normalLabel);
            return ExitCodes.FAILED;
        }
        Iterator<FloatImage> images = new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() { return next < normal.count(); }

            @Override
            public FloatImage next() {
                int i = next++;
                return ImageReader.fromFloats(normal.patch(i), 1, Mnist.SIZE, Mnist.SIZE, idx.getFileName() + " #" + i);
            }
        };
        long start = System.nanoTime();
        Calibration.Result r;
        try (DeviceSet devices = settings.openDevices(cmd);
             ScanProgress progress = new ScanProgress("calibrate", normal.count(), !settings.noProgress)) {
            r = Calibration.calibrate(settings.model, devices.all(), settings.forBackend(cmd, cfg, devices.first()), images, quantile,
                    res -> progress.patchImagesDone(1), m -> System.err.println("anoscan calibrate: " + m));
        }
        report(r, cfg, model, (System.nanoTime() - start) / 1e9);
        return ExitCodes.OK;
    }

    private void report(Calibration.Result r, ScanConfig cfg, DcganSpec model, double seconds) {
        System.out.printf(Locale.ROOT, "calibrated on %d normal image(s) in %.1f s%n", r.images(), seconds);
        System.out.printf(Locale.ROOT, "image threshold: %.6g (quantile %s of %d image scores, top-%d means)%n",
                r.imageThreshold(), r.quantile(), r.images(), cfg.topK());
        System.out.printf(Locale.ROOT, "pixel threshold: %.6g (quantile %s of %d heatmap pixels)%n",
                r.pixelThreshold(), r.quantile(), r.pixels());
        System.out.println("stored in " + settings.model + " (info keys threshold.*, and the statistics of normal patches for the normalised maps), with the scoring settings used (scoring.*: "
                + ScoringSettings.describe(ScoringSettings.of(cfg, model.imageSize()))
                + "); scan, eval and AnomalyScanner.open use them unless told otherwise");
        if (r.sampleWarning() != null) System.err.println("anoscan calibrate: " + r.sampleWarning());
    }
}
