package org.anoscan.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.anoscan.cli.ScanOptions;
import org.anoscan.io.ColorMap;
import org.anoscan.io.HeatScale;
import org.anoscan.report.ImageLabels;
import org.anoscan.report.OutputFolder;
import org.anoscan.report.ScanOutputs;
import org.anoscan.report.ScoredImage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code spark-submit --class org.anoscan.spark.ScanJob anoscan.jar --model M --input GLOB --out DIR [scan options]}:
 * scans the images on the cluster ({@link SparkScan}) and writes, into DIR, the results as Parquet
 * ({@code results.parquet}), the maps (by the executors) and the same {@code scores.csv}, {@code scores.json} and
 * {@code report.html} as {@code anoscan scan} (built here on the driver from the results), under the same
 * {@code run.json} manifest and lock. Any other option is one of {@code anoscan scan}'s scoring options
 * ({@code --iterations}, {@code --batch}, {@code --mode}, ...), passed to every executor as given.
 */
@Command(name = "org.anoscan.spark.ScanJob", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Scans images on Spark; writes results.parquet and anoscan scan's scores.csv, scores.json, report.html and maps/.")
public final class ScanJob implements Callable<Integer> {
    public static final String PARQUET = "results.parquet";

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "Model file, on storage every node mounts.")
    Path model;

    @Option(names = "--input", required = true, split = ",", paramLabel = "GLOB",
            description = "Image files: a path glob (/data/line3/*.png), several separated by commas; on storage every node mounts.")
    List<String> inputs;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder, on storage every node mounts.")
    Path out;

    @Option(names = "--overwrite", description = "Replace the outputs of an earlier scan in --out.")
    boolean overwrite;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions to scan (default: enough for every task slot, and at most 256 images each).")
    Integer partitions;

    @Option(names = "--threshold", paramLabel = "T", description = "Image threshold on the top-k mean score (overrides the calibrated one).")
    Double threshold;

    @Option(names = "--pixel-threshold", paramLabel = "T", description = "Heatmap threshold for masks and regions (overrides the calibrated one).")
    Double pixelThreshold;

    @Option(names = "--colormap", defaultValue = "JET", description = "Heatmap colours: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ColorMap colorMap;

    @Option(names = "--thumbnails", defaultValue = "100", paramLabel = "N", description = "Panels of the N highest-scoring images in the report.")
    int thumbnails;

    @Unmatched
    List<String> scoring = new ArrayList<>();

    private final SparkSession spark;
    private int failAfter = -1;

    ScanJob(SparkSession spark) {
        this.spark = spark;
    }

    /** A test hook: the first attempt of the first partition fails after this many images (a killed task). */
    ScanJob failFirstAttemptAfter(int images) {
        this.failAfter = images;
        return this;
    }

    public static void main(String[] args) {
        int code = run(SparkSession.builder().appName("anoscan scan").getOrCreate(), args);
        if (code != 0) throw new Failed("anoscan ScanJob failed (exit " + code + "); see the line above");
    }

    /** Runs the job on {@code spark} (left open); returns the exit code anoscan scan would (0 ok, 2 usage, 3 some files failed). */
    public static int run(SparkSession spark, String[] args) {
        return run(new ScanJob(spark), args);
    }

    static int run(ScanJob job, String[] args) {
        CommandLine cmd = new CommandLine(job).setUnmatchedOptionsArePositionalParams(false);
        cmd.setExecutionExceptionHandler((e, c, p) -> {
            System.err.println("anoscan ScanJob: " + oneLine(e));
            return 1;
        });
        return cmd.execute(args);
    }

    /** Ends main without a stack trace: the message is the report. */
    static final class Failed extends RuntimeException {
        Failed(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = new CommandLine(this);
        if (!Files.isRegularFile(model)) throw new CommandLine.ParameterException(cmd, "--model " + model + ": no such file");
        try { // the scoring options are checked here, once, before any executor sees them
            ScanOptions.parse(model, scoring, true, m -> System.err.println("anoscan ScanJob: " + m));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        Path dir = out.toAbsolutePath();
        Map<String, String> fingerprint = new LinkedHashMap<>();
        fingerprint.put("model", model.toAbsolutePath().toString());
        fingerprint.put("options", String.join(" ", scoring));
        long start = System.nanoTime();
        try (OutputFolder folder = OutputFolder.open(dir, overwrite ? OutputFolder.Mode.OVERWRITE : OutputFolder.Mode.NEW, fingerprint)) {
            // files on shared storage are listed here and read by path; on another file system (hdfs:, s3a:, ...)
            // Spark's binaryFile source lists them and hands each task its files' bytes
            boolean remote = inputs.stream().anyMatch(SparkScan::remote);
            List<String> files = remote ? null : SparkScan.listFiles(spark, inputs);
            Dataset<Row> remoteImages = remote ? SparkScan.list(spark, inputs) : null;
            long count = remote ? remoteImages.count() : files.size();
            if (count == 0) {
                System.err.println("anoscan ScanJob: no image files match " + inputs);
                folder.interrupted(0, 0, "no image files");
                return 1;
            }
            int slots = spark.sparkContext().defaultParallelism();
            int n = partitions != null ? partitions : (int) Math.max(slots, Math.min(Integer.MAX_VALUE, (count + 255) / 256));
            ScanSpec spec = new ScanSpec(model.toAbsolutePath().toString(), dir.toString(), scoring, nan(threshold), nan(pixelThreshold),
                    colorMap.name(), baseDir(inputs), failAfter);
            long listed = System.nanoTime();
            Dataset<Row> results = SparkScan.scan(remote ? remoteImages.repartition(n) : SparkScan.paths(spark, files, n), spec);
            results.write().mode(SaveMode.Overwrite).parquet(dir.resolve(PARQUET).toString());
            long scanned = System.nanoTime();
            List<Row> rows = new ArrayList<>(spark.read().parquet(dir.resolve(PARQUET).toString()).orderBy("path").collectAsList());
            int[] counts = report(dir, rows, (System.nanoTime() - start) / 1e9, n, slots);
            folder.complete(counts[0], counts[1]);
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            System.out.printf(Locale.ROOT, "scanned %d of %d file(s) in %.1f s (%.2f images/s) on Spark (%d partitions, %d task slots; "
                    + "listing %.1f s, scanning and results.parquet %.1f s, report %.1f s)%n", counts[0], rows.size(), seconds,
                    counts[0] / Math.max(seconds, 1e-9), n, slots, (listed - start) / 1e9, (scanned - listed) / 1e9, (end - scanned) / 1e9);
            System.out.println("outputs: " + dir + " (" + PARQUET + ", " + ScanOutputs.CSV + ", " + ScanOutputs.JSON + ", "
                    + ScanOutputs.REPORT + ", " + ScanOutputs.MAPS + "/)");
            return counts[0] == 0 ? 1 : counts[1] > 0 ? 3 : 0;
        }
    }

    /** scores.csv, scores.json and report.html from the rows, as anoscan scan writes them; returns {scored, failed}. */
    private int[] report(Path dir, List<Row> rows, double seconds, int partitionCount, int slots) throws IOException {
        int patchSize = 0;
        double imageThreshold = Double.NaN;
        Set<String> thumbnailed = new HashSet<>(); // only the panels the report shows are read back
        rows.stream().filter(r -> r.getAs("error") == null).sorted(Comparator.comparing((Row r) -> -r.<Float>getAs("score")))
                .limit(thumbnails).forEach(r -> thumbnailed.add(r.getAs("path")));
        int ok = 0, failed = 0, anomalous = 0;
        Set<String> stems = new HashSet<>();
        List<String> notes = new ArrayList<>();
        try (ScanOutputs outputs = new ScanOutputs(dir, colorMap, thumbnails, ImageLabels.fromFolders(), 0)) {
            for (Row r : rows) {
                String path = r.getAs("path");
                String file = SparkScan.remote(path) ? path : SparkScan.localPath(path).toString();
                if (r.getAs("error") != null) {
                    outputs.failure(Path.of(file), r.getAs("error"));
                    failed++;
                    continue;
                }
                ScoredImage s = ResultRows.toScoredImage(r, file);
                if (!stems.add(s.heatmap())) notes.add(s.heatmap() + " is the map of two images (same name, another extension); one was overwritten");
                Double pixel = r.getAs("pixel_threshold");
                HeatScale scale = pixel != null && pixel > 0 ? HeatScale.ofThreshold(pixel) : HeatScale.linear(s.heatmapMax());
                byte[] panel = thumbnailed.contains(path) && s.panel() != null ? Files.readAllBytes(dir.resolve(s.panel())) : null;
                outputs.add(s, panel, scale);
                patchSize = s.patchSize();
                Double t = r.getAs("threshold");
                if (t != null) imageThreshold = t;
                if (Boolean.TRUE.equals(s.anomalous())) anomalous++;
                ok++;
            }
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("engine", "spark " + spark.version() + " (" + spark.sparkContext().master() + ")");
            run.put("model", model.toString());
            run.put("options", String.join(" ", scoring));
            run.put("partitions", partitionCount);
            run.put("task_slots", slots);
            run.put("patch", patchSize);
            run.put("threshold_image", Double.isNaN(imageThreshold) ? null : imageThreshold);
            run.put("images", ok);
            run.put("failed", failed);
            if (!Double.isNaN(imageThreshold)) run.put("anomalous", anomalous);
            run.put("seconds", Math.round(seconds * 1000) / 1000.0);
            run.put("state", "complete");
            outputs.finish(run, notes, imageThreshold);
        }
        return new int[] {ok, failed};
    }

    /** The folder the globs start in (up to the first wildcard), when they share one: images are named below it. */
    static String baseDir(List<String> globs) {
        String common = null;
        for (String g : globs) {
            // the path part of a URI (file:, or another file system's: its images are named by that part too)
            String p = g.replaceFirst(SparkScan.SCHEME + "//[^/]*", "").replaceFirst("^file:", "");
            int wild = p.length();
            for (char c : new char[] {'*', '?', '[', '{'}) {
                int i = p.indexOf(c);
                if (i >= 0) wild = Math.min(wild, i);
            }
            String prefix = p.substring(0, wild);
            String folder = wild == p.length() && !prefix.endsWith("/") ? (Files.isDirectory(Path.of(prefix)) ? prefix + "/" : parentOf(prefix))
                    : prefix.substring(0, prefix.lastIndexOf('/') + 1);
            String abs = folder.isEmpty() ? "" : Path.of(folder).toAbsolutePath().toString() + "/";
            common = common == null ? abs : common.equals(abs) ? common : "";
        }
        return common == null ? "" : common;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash + 1);
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
