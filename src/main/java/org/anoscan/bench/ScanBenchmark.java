package org.anoscan.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
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
 */
public final class ScanBenchmark {
    private ScanBenchmark() {}

    public static void main(String[] args) throws IOException {
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
