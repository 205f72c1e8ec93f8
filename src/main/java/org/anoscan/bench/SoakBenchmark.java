package org.anoscan.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.FloatImage;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanResult;
import org.anoscan.search.SearchConfig;
import org.bytedeco.javacpp.Pointer;

/**
 * Soak: many separate {@link AnomalyScanner#scan(FloatImage)} calls through one scanner (the loop a service
 * runs), sampling every {@code --every} scans the time per scan over the interval, the process's resident
 * memory (VmRSS), the Java heap in use after a GC and JavaCPP's native bytes. The median time of the
 * interval's scans is printed beside the mean: a scan that slows down (a growing list, a leak) moves the
 * median, a few scans held up by another process on a shared machine move only the mean. A leak of anything per scan
 * (tensors, Mats, buffers, listeners) shows as growth; the last lines compare the samples after the first
 * (warm-up) interval: their spread, (max - min) / min, should stay under 10%.
 *
 * <p>A random small model and short searches: this measures the scanner's lifetime behaviour, not detection.
 *
 * <p>usage: SoakBenchmark [--scans 10000] [--every 1000] [--size 32] [--iterations 5] [--width 8] [--device cpu]
 */
public final class SoakBenchmark {
    private SoakBenchmark() {}

    public static void main(String[] args) {
        int scans = 10_000, every = 1000, size = 32, iterations = 5, width = 8;
        String device = "cpu";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scans" -> scans = Integer.parseInt(args[++i]);
                case "--every" -> every = Integer.parseInt(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--width" -> width = Integer.parseInt(args[++i]);
                case "--device" -> device = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        DcganSpec spec = new DcganSpec(32, 1, 16, width, width);
        ScanConfig cfg = ScanConfig.defaults().withSearch(SearchConfig.defaults().withIterations(iterations)).withThresholds(Double.NaN, 0.5);
        List<double[]> samples = new ArrayList<>(); // median and mean wall ms per scan, CPU ms per scan, RSS MiB, heap MiB, native MiB
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Backend backend = Devices.open(device, System.out::println);
             Dcgan model = new Dcgan(backend, spec, 1L);
             AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), cfg)) {
            System.out.printf(Locale.ROOT, "# backend: %s%n", backend.description());
            System.out.printf(Locale.ROOT, "# model: random %s; %d scans of one %dx%d image each (%d patches), %d search iterations, "
                    + "pixel threshold 0.5 (masks and regions made)%n", spec, scans, size, size,
                    scanner.tiler().positions(size, size).size(), iterations);
            System.out.printf(Locale.ROOT, "# max heap %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
            System.out.println("# cpu_ms_per_scan is the process's CPU time (all threads): on a shared machine it moves less than wall time");
            System.out.println("#  scans  median_ms_per_scan  ms_per_scan  cpu_ms_per_scan  VmRSS_MiB  heap_used_after_gc_MiB  javacpp_physical_MiB  native_tensors_MiB");
            double check = 0;
            ScanBenchmark.Textures images = new ScanBenchmark.Textures(scans, size); // made one at a time
            long[] scanNanos = new long[every];
            long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
            for (int n = 1; n <= scans; n++) {
                FloatImage image = images.next();
                long s0 = System.nanoTime();
                ScanResult r = scanner.scan(image);
                scanNanos[(n - 1) % every] = System.nanoTime() - s0;
                check += r.topKMean(); // use the result, keep nothing
                if (n % every == 0) {
                    double ms = (System.nanoTime() - t0) / 1e6 / every;
                    java.util.Arrays.sort(scanNanos);
                    double median = scanNanos[every / 2] / 1e6;
                    double cpu = (os.getProcessCpuTime() - c0) / 1e6 / every;
                    System.gc();
                    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
                    double rss = ScanBenchmark.status("VmRSS") / 1024.0;
                    double nat = Pointer.totalBytes() / 1048576.0;
                    samples.add(new double[] {median, ms, cpu, rss, heap, nat});
                    System.out.printf(Locale.ROOT, "%8d %19.3f %12.3f %16.3f %10.1f %23.1f %21.1f %19.2f%n", n, median, ms, cpu, rss, heap,
                            Pointer.physicalBytes() / 1048576.0, nat);
                    t0 = System.nanoTime();
                    c0 = os.getProcessCpuTime();
                }
            }
            System.out.printf(Locale.ROOT, "# mean image score %.4f%n", check / scans);
        }
        if (samples.size() < 3) return;
        List<double[]> warm = samples.subList(1, samples.size());
        String[] names = {"median wall ms per scan", "mean wall ms per scan", "CPU ms per scan", "VmRSS MiB", "heap after GC MiB", "native tensors MiB"};
        for (int k = 0; k < names.length; k++) {
            double min = Double.MAX_VALUE, max = 0;
            for (double[] s : warm) {
                min = Math.min(min, s[k]);
                max = Math.max(max, s[k]);
            }
            double spread = min > 0 ? (max - min) / min : 0;
            System.out.printf(Locale.ROOT, "# after warm-up (samples 2-%d): %s %.3f to %.3f, spread %.1f%% (%s 10%%)%n", samples.size(),
                    names[k], min, max, 100 * spread, spread <= 0.10 ? "within" : "OVER");
        }
    }
}
