package org.anoscan.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.cli.Main;
import org.anoscan.report.ImageLabels;
import org.anoscan.testutil.TestImages;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ScanJob} in {@code local[2]} on a tiny random model and 48x40 textures (3 search iterations: the plumbing is
 * tested, not the scores' meaning): the same results as {@code anoscan scan}, a corrupt image as an error row, and a
 * killed-and-retried task leaving one set of outputs.
 */
class ScanJobTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static Path images;
    private static final int GOOD = 5;
    /** The scoring options both front ends get; a threshold between the scores so decisions are compared too. */
    private static final List<String> OPTIONS = List.of("--iterations", "3", "--batch", "4");

    @BeforeAll
    static void setUp() throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 5L);
        }
        images = dir.resolve("images");
        for (int i = 0; i < GOOD; i++) TestImages.writeTexture(images.resolve("t" + i + ".png"), 48, 40, 40 + i);
        Files.write(images.resolve("corrupt.png"), "not a PNG at all".getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, List<String>> csvByName(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("scores.csv"));
        List<String> header = ImageLabels.cells(lines.get(0));
        Map<String, List<String>> rows = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = ImageLabels.cells(line);
            rows.put(Path.of(cells.get(header.indexOf("file"))).getFileName().toString(), cells);
        }
        rows.put("header", header);
        return rows;
    }

    private static int run(String... args) {
        PrintStream out = System.out;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return Main.run(args);
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void sparkResultsEqualAnoscanScanAndACorruptImageIsAnErrorRow() throws IOException {
        Path single = dir.resolve("single");
        String[] scan = Stream.concat(Stream.of("scan", "-m", model.toString(), "--device", "cpu", "--out", single.toString(),
                "--no-progress", "--threshold", "0", "--pixel-threshold", "0.5"), Stream.concat(OPTIONS.stream(), Stream.of(images.toString())))
                .toArray(String[]::new);
        assertEquals(3, run(scan), "anoscan scan: one file failed");

        Path spark = dir.resolve("spark");
        String[] job = Stream.concat(Stream.of("--model", model.toString(), "--input", images + "/*", "--out", spark.toString(),
                "--threshold", "0", "--pixel-threshold", "0.5"), OPTIONS.stream()).toArray(String[]::new);
        assertEquals(3, ScanJob.run(SharedSpark.get(), job), "ScanJob: one file failed");

        List<Row> rows = SharedSpark.get().read().parquet(spark.resolve(ScanJob.PARQUET).toString()).orderBy("path").collectAsList();
        assertEquals(GOOD + 1, rows.size());
        Map<String, List<String>> expected = csvByName(single), actual = csvByName(spark);
        List<String> header = expected.get("header");
        assertEquals(header, actual.get("header"), "the same scores.csv columns");
        for (Row r : rows) {
            String name = Path.of(SparkScan.localPath(r.getAs("path")).toString()).getFileName().toString();
            if (name.equals("corrupt.png")) {
                assertNull(r.getAs("score"));
                assertTrue(r.<String>getAs("error").contains("corrupt.png: not a readable image"), r.<String>getAs("error"));
                continue;
            }
            assertNull(r.getAs("error"), name);
            List<String> want = expected.get(name), got = actual.get(name);
            // a batch of 4 is one image's 4 patches in both runs, so even the CPU's wide GEMMs (which round by batch) agree exactly
            assertEquals(Float.parseFloat(want.get(header.indexOf("score_topk_mean"))), r.<Float>getAs("score"), name + " image score");
            for (String column : List.of("name", "score_max", "score_topk_mean", "top_k", "anomalous", "regions", "boxes", "height", "width",
                    "heatmap", "overlay", "mask")) {
                assertEquals(want.get(header.indexOf(column)), got.get(header.indexOf(column)), name + " " + column);
            }
            assertTrue(r.<Boolean>getAs("anomalous"));
            assertEquals(0.5, r.<Double>getAs("pixel_threshold"));
            assertEquals(4, r.<Integer>getAs("patches"));
            assertEquals("cpu", r.getAs("device"));
            assertEquals("search", r.getAs("mode"), "a model without an encoder searches");
            for (String png : List.of("heatmap", "overlay", "mask", "panel")) {
                assertTrue(Files.size(spark.resolve(r.<String>getAs(png))) > 0, png);
            }
        }
        assertTrue(Files.readString(spark.resolve("report.html")).contains("t0"), "the report lists the images");
        assertNotNull(actual.get("corrupt.png"), "the failure is in scores.csv too");
        assertEquals(1, ExecutorScanners.count(), "one scanner in this (driver-and-executor) JVM, not one per task");
    }

    @Test
    void aKilledTaskThatIsRetriedLeavesOneSetOfOutputs() throws IOException {
        Path spark = dir.resolve("retried");
        String[] job = Stream.concat(Stream.of("--model", model.toString(), "--input", images + "/t*.png", "--out", spark.toString(),
                "--partitions", "2", "--threshold", "0", "--pixel-threshold", "0.5"), OPTIONS.stream()).toArray(String[]::new);
        int injected = SparkScan.INJECTED_FAILURES.get();
        assertEquals(0, ScanJob.run(new ScanJob(SharedSpark.get()).failFirstAttemptAfter(1), job));
        assertEquals(injected + 1, SparkScan.INJECTED_FAILURES.get(), "the first attempt of partition 0 failed, after writing one image's maps");
        List<Row> rows = SharedSpark.get().read().parquet(spark.resolve(ScanJob.PARQUET).toString()).collectAsList();
        assertEquals(GOOD, rows.size(), "one row per image");
        assertEquals(GOOD, rows.stream().map(r -> r.<String>getAs("path")).distinct().count());
        try (Stream<Path> maps = Files.list(spark.resolve("maps"))) {
            List<String> names = maps.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(GOOD * 4, names.size(), "heatmap, overlay, mask and panel once per image, no temporaries: " + names);
            for (int i = 0; i < GOOD; i++) assertTrue(names.contains("t" + i + ".heatmap.png"), names.toString());
        }
        assertEquals(GOOD + 1, Files.readAllLines(spark.resolve("scores.csv")).size(), "header and one row per image");
    }

    @Test
    void listingOnTheDriverTakesGlobsAndFoldersAndLeavesOutHiddenAndOtherFiles() throws IOException {
        Path listed = dir.resolve("listed");
        TestImages.writeTexture(listed.resolve("a.png"), 8, 8, 1);
        TestImages.writeTexture(listed.resolve("B.PNG"), 8, 8, 2);
        TestImages.writeTexture(listed.resolve(".hidden.png"), 8, 8, 3);
        Files.writeString(listed.resolve("notes.txt"), "not an image");
        Files.createDirectories(listed.resolve("sub.png")); // a folder with an image's name is not a file
        TestImages.writeTexture(listed.resolve("sub.png").resolve("deeper.png"), 8, 8, 4);

        List<String> byFolder = SparkScan.listFiles(SharedSpark.get(), List.of(listed.toString()));
        assertEquals(List.of(listed.resolve("B.PNG").toUri().toString(), listed.resolve("a.png").toUri().toString()),
                byFolder.stream().map(u -> Path.of(java.net.URI.create(u)).toUri().toString()).toList(), "sorted file: URIs, images only, no hidden file");
        List<String> byGlob = SparkScan.listFiles(SharedSpark.get(), List.of(listed + "/*.png", listed + "/a.*"));
        assertEquals(List.of(listed.resolve("a.png").toUri().toString()),
                byGlob.stream().map(u -> Path.of(java.net.URI.create(u)).toUri().toString()).toList(), "two globs matching one file list it once");
        assertTrue(SparkScan.listFiles(SharedSpark.get(), List.of(listed + "/none*.png")).isEmpty());
        assertEquals(2, SparkScan.paths(SharedSpark.get(), byFolder, 2).rdd().getNumPartitions(), "the partitions asked for, no shuffle");
    }

    @Test
    void imagesOnAnotherFileSystemAreScannedFromTheirBytesAsOnesOnSharedStorage() throws IOException {
        SharedSpark.get().sparkContext().hadoopConfiguration().set("fs." + MockFileSystem.SCHEME + ".impl", MockFileSystem.class.getName());
        Path local = dir.resolve("local"), remote = dir.resolve("remote");
        List<String> common = List.of("--partitions", "2", "--threshold", "0", "--pixel-threshold", "0.5");
        String[] byPath = Stream.of(Stream.of("--model", model.toString(), "--input", images + "/t*.png", "--out", local.toString()), common.stream(),
                OPTIONS.stream()).flatMap(x -> x).toArray(String[]::new);
        String[] byBytes = Stream.of(Stream.of("--model", model.toString(), "--input", MockFileSystem.SCHEME + "://" + images + "/t*.png", "--out",
                remote.toString()), common.stream(), OPTIONS.stream()).flatMap(x -> x).toArray(String[]::new);
        assertEquals(0, ScanJob.run(SharedSpark.get(), byPath));
        assertEquals(0, ScanJob.run(SharedSpark.get(), byBytes));

        Map<String, List<String>> expected = csvByName(local), actual = csvByName(remote);
        List<String> header = expected.get("header");
        assertEquals(GOOD + 1, actual.size(), "header and every image");
        for (int i = 0; i < GOOD; i++) {
            String name = "t" + i + ".png";
            for (String column : List.of("name", "score_max", "score_topk_mean", "anomalous", "regions", "heatmap", "mask")) {
                assertEquals(expected.get(name).get(header.indexOf(column)), actual.get(name).get(header.indexOf(column)), name + " " + column);
            }
        }
        List<Row> rows = SharedSpark.get().read().parquet(remote.resolve(ScanJob.PARQUET).toString()).collectAsList();
        assertTrue(rows.stream().allMatch(r -> r.<String>getAs("path").startsWith(MockFileSystem.SCHEME + ":")), "the rows keep the URIs");

        // without the bytes, such a path is an error row that says what to do, and the job goes on
        List<Row> noBytes = SparkScan.scan(SparkScan.paths(SharedSpark.get(), List.of(MockFileSystem.SCHEME + "://" + images + "/t0.png"), 1),
                new ScanSpec(model.toString(), dir.resolve("nobytes").toString(), OPTIONS, Double.NaN, Double.NaN, "JET", "", -1)).collectAsList();
        assertEquals(1, noBytes.size());
        assertTrue(noBytes.get(0).<String>getAs("error").contains("not on storage every node mounts"), noBytes.get(0).<String>getAs("error"));
    }
}
