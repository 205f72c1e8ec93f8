package org.anoscan.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.anoscan.cli.ScanOptions;
import org.anoscan.io.ColorMap;
import org.anoscan.report.ImageLabels;
import org.anoscan.report.ScanOutputs;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.scan.ScanListener;
import org.anoscan.scan.ScanResult;
import org.anoscan.scan.Thresholds;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * AnoScan on Spark: a Dataset of images in, a Dataset of results out ({@link ResultRows#SCHEMA}), each image's
 * heatmap, overlay, mask and panel PNGs written into the output folder's {@code maps/} by the task that scanned it.
 *
 * <p>A partition is scanned as one stream by its executor's scanner ({@link ExecutorScanners}), so patches of its
 * images share search batches, as in {@code anoscan scan}. A file that cannot be read or scanned is a row with its
 * error; the job goes on. Every PNG is written atomically and named after its image only, so a task that is killed
 * and retried (or run twice speculatively) replaces its files whole: one set of outputs.
 *
 * <p>Images are read by path, so they must lie on storage every node mounts (a {@code file:} path, e.g. NFS).
 */
public final class SparkScan {
    private SparkScan() {}

    /** Failures the test hook injected in this JVM ({@link ScanSpec#failFirstAttemptAfter}). */
    static final java.util.concurrent.atomic.AtomicInteger INJECTED_FAILURES = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * The image files matching {@code globs} through Spark's binaryFile source, columns {@code path} and {@code content}:
     * for files on any file system Hadoop reaches (hdfs:, s3a:, ...). Spark reads a file's bytes only in the task that
     * scans it.
     */
    public static Dataset<Row> list(SparkSession spark, List<String> globs) {
        StringBuilder ext = new StringBuilder("(?i).*\\.(");
        ext.append(String.join("|", ScanOptions.imageExtensions().stream().sorted().toList())).append(")$");
        return spark.read().format("binaryFile").load(globs.toArray(new String[0])).select("path", "content")
                .where(functions.col("path").rlike(ext.toString()));
    }

    /**
     * The image files matching {@code globs}, listed on the driver through Hadoop's file system (the globs Spark's
     * sources take; a folder named outright stands for the files in it), sorted, as {@code file:} URIs like binaryFile's.
     * No Spark job runs: listing is one pass over the folders, where the binaryFile source plans a job and its
     * repartition a shuffle.
     */
    public static List<String> listFiles(SparkSession spark, List<String> globs) throws IOException {
        Set<String> extensions = ScanOptions.imageExtensions();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        TreeSet<String> files = new TreeSet<>();
        for (String glob : globs) {
            org.apache.hadoop.fs.Path pattern = new org.apache.hadoop.fs.Path(glob);
            FileSystem fs = pattern.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(pattern);
            if (matches == null) continue;
            boolean named = !glob.matches(".*[*?\\[{].*"); // a folder named outright stands for its files; one a glob matches does not
            for (FileStatus m : matches) {
                for (FileStatus f : m.isDirectory() && named ? fs.listStatus(m.getPath()) : new FileStatus[] {m}) {
                    String name = f.getPath().getName();
                    int dot = name.lastIndexOf('.');
                    // hidden files are left out, as anoscan scan leaves them out of a folder
                    if (f.isFile() && !name.startsWith(".") && dot >= 0 && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                        files.add(f.getPath().toUri().toString());
                    }
                }
            }
        }
        return new ArrayList<>(files);
    }

    /** {@code paths} as a Dataset with a column {@code path}, in {@code partitions} contiguous slices (no shuffle). */
    public static Dataset<Row> paths(SparkSession spark, List<String> paths, int partitions) {
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(paths, partitions).map(RowFactory::create);
        return spark.createDataFrame(rows, new StructType().add("path", DataTypes.StringType, false));
    }

    /**
     * Scans the images of {@code images}: a column {@code path} (a local path or a {@code file:} URI, read by the
     * executors from storage every node mounts) and, optionally, {@code content}, the file's bytes as the binaryFile
     * source gives them ({@link #list}), which are then decoded instead and may come from any file system. Lazy, as
     * Datasets are: write or cache the result once, since each evaluation scans again.
     */
    public static Dataset<Row> scan(Dataset<Row> images, ScanSpec spec) {
        boolean content = List.of(images.columns()).contains("content");
        Dataset<Row> input = content ? images.select("path", "content") : images.select("path");
        return input.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> scanPartition(rows, spec), Encoders.row(ResultRows.SCHEMA));
    }

    /** Whether {@code path} is a URI of another file system than the local one (hdfs:, s3a:, ...). */
    static boolean remote(String path) {
        return path.matches(SCHEME + ".*") && !path.startsWith("file:");
    }

    /** A URI's scheme, as a regular expression anchored at the start. */
    static final String SCHEME = "^[a-zA-Z][a-zA-Z0-9+.-]*:";

    /** A local path from a path or a {@code file:} URI; another file system's URI is refused with what to do. */
    static Path localPath(String path) {
        if (path.startsWith("file:")) return Path.of(URI.create(path));
        if (remote(path)) {
            throw new IllegalArgumentException(path + ": not on storage every node mounts; scan it from the binaryFile source's content "
                    + "column (SparkScan.list)");
        }
        return Path.of(path);
    }

    /** The path an image goes by in the scan and its outputs: its local path, or the path part of another file system's URI. */
    static Path keyPath(String path) {
        return remote(path) ? Path.of(URI.create(path).getPath()) : localPath(path);
    }

    /** The name of an image (its path below the inputs' folder), from which its maps are named. */
    static String name(String path, String baseDir) {
        String p = path.startsWith("file:") ? localPath(path).toString() : path;
        if (baseDir != null && !baseDir.isEmpty() && p.startsWith(baseDir)) return p.substring(baseDir.length()).replaceFirst("^/+", "");
        return Path.of(p).getFileName().toString();
    }

    private static Iterator<Row> scanPartition(Iterator<Row> rows, ScanSpec spec) throws IOException {
        TaskContext task = TaskContext.get();
        String device = ExecutorScanners.device(task);
        AnomalyScanner scanner = ExecutorScanners.get(spec, device);
        String mode = scanner.config().search().mode().label();
        List<Row> out = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        Map<Path, String> uris = new HashMap<>();
        Map<Path, byte[]> contents = new HashMap<>(); // with a content column: the bytes, decoded in turn and then let go
        while (rows.hasNext()) {
            Row row = rows.next();
            String path = row.getString(0);
            try {
                Path file = row.size() > 1 ? keyPath(path) : localPath(path);
                if (row.size() > 1) contents.put(file, row.getAs(1));
                files.add(file);
                uris.put(file, path);
            } catch (IllegalArgumentException e) {
                out.add(ResultRows.failed(path, name(path, null), mode, device, e.getMessage()));
            }
        }
        if (files.isEmpty()) return out.iterator();
        Thresholds t = scanner.thresholds();
        Path dir = Path.of(spec.out());
        ColorMap colors = ColorMap.valueOf(spec.colorMap().toUpperCase(Locale.ROOT));
        ImageLabels labels = ImageLabels.fromFolders();
        int patchSize = scanner.spec().imageSize();
        boolean failing = spec.failFirstAttemptAfter() >= 0 && task != null && task.attemptNumber() == 0 && task.partitionId() == 0;
        int[] written = {0};
        scanner.scanEncoded(files, contents.isEmpty() ? null : contents::remove, new ScanListener() {
            @Override
            public void onResult(Path file, ScanResult r) {
                if (failing && written[0] == spec.failFirstAttemptAfter()) {
                    INJECTED_FAILURES.incrementAndGet();
                    throw new IllegalStateException("injected failure after " + written[0] + " image(s) (test hook)");
                }
                String name = name(file.toString(), spec.baseDir());
                try {
                    ScanOutputs.Maps m = ScanOutputs.writeMaps(dir, file.toString(), name, ScanOutputs.safeStem(name), r, colors, patchSize,
                            labels.labelOf(file));
                    out.add(ResultRows.scored(uris.get(file), m.image(), t.image(), t.pixel(), mode, device));
                    written[0]++;
                } catch (IOException | RuntimeException e) {
                    onFailure(file, file + ": cannot write its outputs: " + e.getMessage());
                }
            }

            @Override
            public void onFailure(Path file, String message) {
                out.add(ResultRows.failed(uris.get(file), name(file.toString(), spec.baseDir()), mode, device, message));
            }
        }, null);
        return out.iterator();
    }
}
