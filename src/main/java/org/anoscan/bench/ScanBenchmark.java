package org.anoscan.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.FloatImage;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanResult;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Precision;
import org.bytedeco.javacpp.Pointer;

/**
 * Streaming-scan throughput and memory: scans N generated texture images (made one at a time as the
 * scanner pulls them, never held together) through {@link AnomalyScanner#scanAll} with a bounded batch, and at
 * checkpoints prints images/s, the process's resident memory (VmRSS) and its peak (VmHWM) from
 * /proc/self/status, and the Java heap in use after a GC: with streaming, none of them should grow with
 * the number of images once warm. Run it with a fixed heap ({@code -Xms} = {@code -Xmx}): otherwise the JVM
 * grows its heap as it likes, and RSS follows the committed heap (shown), not the images.
 *
 * <p>The model is random and small and the search short (a few iterations): this measures the pipeline
 * (tiling, batching, stitching, thresholding) and its memory, not detection quality or search speed (see
 * {@link SearchBenchmark} for that).
 *
 * <p>usage: ScanBenchmark [--images 1000] [--size 64] [--iterations 3] [--batch 256] [--device cpu]
 * [--width 16] [--checkpoints 100,500,1000]
 *
 * <p>{@code --megapixel}: the time of one large image, see {@link #megapixel}.
 */
public final class ScanBenchmark {
    private ScanBenchmark() {}

    public static void main(String[] args) throws IOException {
        if (List.of(args).contains("--megapixel")) {
            megapixel(args);
            return;
        }
        int images = 1000, size = 64, iterations = 3, batch = 256, width = 16;
        String device = "cpu", checkpoints = "100,500,1000";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--device" -> device = args[++i];
                case "--width" -> width = Integer.parseInt(args[++i]);
                case "--checkpoints" -> checkpoints = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Set<Integer> marks = new java.util.TreeSet<>();
        for (String c : checkpoints.split(",")) marks.add(Integer.parseInt(c.trim()));
        marks.add(images);
        DcganSpec spec = new DcganSpec(32, 1, 64, width, width);
        ScanConfig cfg = ScanConfig.defaults().withSearch(SearchConfig.defaults().withIterations(iterations)).withBatchSize(batch);
        try (Backend backend = Devices.open(device, System.out::println);
             Dcgan model = new Dcgan(backend, spec, 1L);
             AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), cfg.withThresholds(Double.NaN, 0.5))) {
            int patches = scanner.tiler().positions(size, size).size();
            System.out.printf(Locale.ROOT, "# backend: %s%n", backend.description());
            System.out.printf(Locale.ROOT, "# model: random %s (not trained: this measures the scan pipeline and its memory)%n", spec);
            System.out.printf(Locale.ROOT, "# %d images of %dx%d, %d patches each (stride %d), %d search iterations (a quick run, "
                            + "not the 200-500 of a real scan), batch %d patches, pixel threshold 0.5 (masks and regions made)%n",
                    images, size, size, patches, scanner.tiler().stride(), iterations, batch);
            System.out.printf(Locale.ROOT, "# max heap %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
            System.out.println("#  images   seconds  images/s  patch-iters/s  VmRSS_MiB  VmHWM_MiB  heap_used_after_gc_MiB"
                    + "  heap_committed_MiB  native_tensors_MiB");
            long start = System.nanoTime();
            int[] done = {0};
            double[] scoreSum = {0};
            int patchCount = patches, iters = iterations;
            scanner.scanAll(new Textures(images, size), (ScanResult r) -> {
                done[0]++;
                scoreSum[0] += r.topKMean(); // use every result, drop it: nothing is kept
                if (marks.contains(done[0])) {
                    double s = (System.nanoTime() - start) / 1e9;
                    System.gc();
                    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    System.out.printf(Locale.ROOT, "%9d %9.2f %9.1f %14.0f %10.1f %10.1f %23.1f %19.1f %19.1f%n", done[0], s,
                            done[0] / s, (double) done[0] * patchCount * iters / s, status("VmRSS") / 1024.0,
                            status("VmHWM") / 1024.0, heap.getUsed() / 1048576.0, heap.getCommitted() / 1048576.0,
                            Pointer.totalBytes() / 1048576.0);
                }
            });
            System.out.printf(Locale.ROOT, "# mean image score %.4f over %d images%n", scoreSum[0] / done[0], done[0]);
        }
    }

    /**
     * One megapixel image end to end (issue 10): a {@code --image-size}² grey texture (1024) scanned by a
     * DCGAN-{@code --patch} model (64: nz 100, widths 64, random weights: the time does not depend on them)
     * at stride {@code --stride} (32: 961 patches), Γ = {@code --iterations} (500), {@code --restarts} (1),
     * in {@code --precision} (tf32; the CPU computes in fp32 whatever is asked). The model is loaded and a
     * first scan of the same image warms buffers, JIT and convolution plans; then {@link AnomalyScanner#scan}
     * is timed: wall time, split into the latent search (the scanner's own measure) and the rest (tiling,
     * stitching, heatmap, thresholds), and patches/s. Then {@code --stream} (16) such images pass through
     * the same scanner, patches batched across images ({@code --batch}, 8192): images/s.
     *
     * <p>usage: ScanBenchmark --megapixel [--device auto] [--image-size 1024] [--patch 64] [--stride 32]
     * [--iterations 500] [--restarts 1] [--precision tf32] [--stream 16] [--batch 8192] [--width 64] [--nz 100]
     */
    static void megapixel(String[] args) {
        int imageSize = 1024, patch = 64, stride = 32, iterations = 500, restarts = 1, stream = 16, batch = 8192, width = 64, nz = 100;
        String device = "auto", precision = "tf32";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--megapixel" -> { }
                case "--device" -> device = args[++i];
                case "--image-size" -> imageSize = Integer.parseInt(args[++i]);
                case "--patch" -> patch = Integer.parseInt(args[++i]);
                case "--stride" -> stride = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--restarts" -> restarts = Integer.parseInt(args[++i]);
                case "--precision" -> precision = args[++i];
                case "--stream" -> stream = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--width" -> width = Integer.parseInt(args[++i]);
                case "--nz" -> nz = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (with --megapixel)");
            }
        }
        DcganSpec spec = new DcganSpec(patch, 1, nz, width, width);
        ScanConfig cfg = ScanConfig.defaults().withStride(stride).withBatchSize(batch).withPrecision(Precision.parse(precision))
                .withSearch(SearchConfig.defaults().withIterations(iterations).withRestarts(restarts));
        FloatImage image = new Textures(1, imageSize).next();
        try (Backend backend = Devices.open(device, System.out::println);
             Dcgan model = new Dcgan(backend, spec, 1L);
             AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), cfg)) {
            int patches = scanner.tiler().positions(imageSize, imageSize).size();
            ScanResult warm;
            try (AnomalyScanner warmUp = new AnomalyScanner(model, Map.of(), cfg.withIterations(2))) {
                warm = warmUp.scan(image); // the same batch shapes: plans, buffers, JIT
            }
            System.out.printf(Locale.ROOT, "# backend: %s, precision %s%n", backend.description(), backend.precision().label());
            System.out.printf(Locale.ROOT, "# model: random %s; image %dx%d grey, stride %d: %d patches; Γ = %d, %d restart(s), batch %d; "
                    + "warm-up scan (2 iterations) %.2f s%n", spec, imageSize, imageSize, scanner.tiler().stride(), patches, iterations,
                    restarts, batch, warm.searchSeconds());
            long t0 = System.nanoTime();
            ScanResult r = scanner.scan(image);
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "megapixel: scan %.6f s = search %.6f s + rest %.6f s; %d patches, %.1f patches/s, %.0f patch-iters/s; "
                            + "image score %.4f%n", wall, r.searchSeconds(), wall - r.searchSeconds(), patches, patches / wall,
                    (double) patches * iterations * restarts / wall, r.topKMean());
            double[] search = {0};
            int[] done = {0};
            t0 = System.nanoTime();
            scanner.scanAll(new Textures(stream, imageSize), res -> {
                done[0]++;
                search[0] += res.searchSeconds();
            });
            double all = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "stream: %d images in %.6f s = search %.6f s + rest %.6f s; %.3f images/s, %.1f patches/s%n", done[0],
                    all, search[0], all - search[0], done[0] / all, (double) done[0] * patches / all);
        }
    }

    /** A field of /proc/self/status in kB, or -1 where there is none (not Linux). */
    static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Texture-like images (two sinusoids plus noise), made one at a time as the scanner asks. */
    static final class Textures implements Iterator<FloatImage> {
        private final int count;
        private final int size;
        private int next;

        Textures(int count, int size) {
            this.count = count;
            this.size = size;
        }

        @Override
        public boolean hasNext() { return next < count; }

        @Override
        public FloatImage next() {
            if (!hasNext()) throw new NoSuchElementException();
            Random r = new Random(next);
            double fy = 0.1 + r.nextDouble() * 0.5, fx = 0.1 + r.nextDouble() * 0.5, phase = r.nextDouble() * 6;
            float[] d = new float[size * size];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double v = 0.6 * Math.sin(fy * y + phase) * Math.cos(fx * x) + 0.3 * (r.nextDouble() * 2 - 1);
                    d[y * size + x] = (float) Math.max(-1, Math.min(1, v));
                }
            }
            return FloatImage.map(size, size, d, "texture-" + next++);
        }
    }
}
