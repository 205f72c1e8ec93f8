package org.anoscan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.anoscan.backend.cpu.ConvBatching;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;

/**
 * AnoScan's CPU latent search side by side with the same batched search written in libtorch (the peer
 * script {@code shared/peer/libtorch/run.sh SIZE BATCH ITERS}: DCGAN nz 100, widths 64, 1 channel,
 * eval batch norm, Adam on z, the same loss). Runs alternate, AnoScan then the peer in odd rounds and
 * the other way round in even ones, so that both see the same share of a busy machine; the ratios of
 * each round are what to quote. Each round starts with the machine's sgemm rate (one single-threaded
 * OpenBLAS 1024^3 GEMM per core at once), the ceiling the achieved GFLOP/s are compared with.
 *
 * <p>Like for like: the peer times its Adam steps after two warm-up steps, excluding f(x) and setup; here
 * a warm-up search runs first, then a 1-iteration and a (1 + iters)-iteration search are timed and the
 * rate is iters per difference, so setup, f(x) and the final evaluation cancel out as well.
 *
 * <p>usage: CpuPeerComparison --peer PATH/run.sh [--rounds 2] [--cells 32x64,32x512,64x64,64x512]
 * [--threads N] (both sides; default all cores) [--reference] (adds AnoScan's per-sample reference mode
 * as a third column)
 */
public final class CpuPeerComparison {
    private record Cell(int size, int batch) {
        int iters() { // a few seconds per point on 2 cores, as SearchBenchmark
            return Math.max(3, Math.min(200, 40000 / (batch * size)));
        }

        @Override
        public String toString() {
            return "DCGAN-" + size + " B=" + batch;
        }
    }

    public static void main(String[] args) throws Exception {
        String peer = null;
        int rounds = 2;
        String cellList = "32x64,32x512,64x64,64x512";
        boolean reference = false;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--peer" -> peer = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--cells" -> cellList = args[++i];
                case "--reference" -> reference = true;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (peer == null) throw new IllegalArgumentException("--peer PATH/run.sh is required");
        List<Cell> cells = new ArrayList<>();
        for (String c : cellList.split(",")) {
            String[] sb = c.trim().split("x");
            cells.add(new Cell(Integer.parseInt(sb[0]), Integer.parseInt(sb[1])));
        }
        Map<Cell, double[][]> rates = new LinkedHashMap<>(); // [round][0 = AnoScan, 1 = libtorch, 2 = reference]
        for (Cell c : cells) rates.put(c, new double[rounds][3]);
        double[] sgemm = new double[rounds];
        try (CpuBackend wide = new CpuBackend(threads);
             CpuBackend perSample = reference ? new CpuBackend(threads, ConvBatching.PER_SAMPLE) : null) {
            System.out.println("# AnoScan: " + wide.description() + (reference ? "; reference: " + perSample.description() : ""));
            System.out.println("# OMP_WAIT_POLICY=" + System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset: GNU OpenMP spins idle threads)")
                    + ", OMP_NUM_THREADS=" + System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)") + " (oneDNN's and libtorch's OpenMP)");
            for (int r = 0; r < rounds; r++) {
                sgemm[r] = ConvBenchmark.sgemmRate(threads, 5)[0];
                System.out.printf(Locale.ROOT, "# round %d: sgemm %.1f GFLOP/s (%d single-threaded 1024^3 GEMMs at once, best of 5)%n",
                        r + 1, sgemm[r], threads);
                for (Cell c : cells) {
                    double[] row = rates.get(c)[r];
                    boolean peerFirst = r % 2 == 1;
                    if (peerFirst) row[1] = peer(peer, c, threads);
                    row[0] = anoscan(wide, c);
                    if (!peerFirst) row[1] = peer(peer, c, threads);
                    if (reference) row[2] = anoscan(perSample, c);
                    System.out.printf(Locale.ROOT, "  %-16s iters %3d  AnoScan %8.1f  libtorch %8.1f  ratio %5.2f%s%n", c, c.iters(),
                            row[0], row[1], row[0] / row[1], reference ? String.format(Locale.ROOT, "  per-sample %8.1f", row[2]) : "");
                }
            }
            summary(wide, rates, sgemm, reference);
        }
    }

    /** Patch-iterations per second of AnoScan's search for one cell. */
    private static double anoscan(CpuBackend backend, Cell c) {
        try (Dcgan model = new Dcgan(backend, new DcganSpec(c.size, 1, 100, 64, 64), 1L)) {
            float[] x = new float[c.batch * model.imageShape(1).size()];
            Random rnd = new Random(c.batch);
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
            SearchConfig cfg = SearchConfig.defaults();
            new LatentSearch(model, cfg.withIterations(2)).search(x, c.batch); // JIT, buffer pool
            long t0 = System.nanoTime();
            new LatentSearch(model, cfg.withIterations(1)).search(x, c.batch);
            long t1 = System.nanoTime();
            new LatentSearch(model, cfg.withIterations(1 + c.iters())).search(x, c.batch);
            long t2 = System.nanoTime();
            return c.batch * (double) c.iters() / (((t2 - t1) - (t1 - t0)) / 1e9);
        }
    }

    /** Patch-iterations per second of the libtorch peer for one cell (its own JVM, its own timing). */
    private static double peer(String script, Cell c, int threads) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script, String.valueOf(c.size), String.valueOf(c.batch), String.valueOf(c.iters()), String.valueOf(threads))
                .redirectErrorStream(false).start();
        p.getOutputStream().close();
        byte[] err = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String json = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (rc != 0 || json == null) {
            throw new IOException("peer " + script + " failed (exit " + rc + "): " + new String(err, StandardCharsets.UTF_8).strip());
        }
        JsonNode n = new ObjectMapper().readTree(json);
        return n.get("patch_iters_per_s").asDouble();
    }

    private static void summary(CpuBackend backend, Map<Cell, double[][]> rates, double[] sgemm, boolean reference) {
        double sgemmMean = java.util.Arrays.stream(sgemm).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "%nSummary: patch-iterations/s per round (AnoScan / libtorch = ratio); GFLOP/s of the mean rate,"
                + " and as a share of the sgemm rate (mean over rounds %.1f GFLOP/s)%n", sgemmMean);
        System.out.printf(Locale.ROOT, "%-16s %-40s %-14s %-22s %-22s%s%n", "cell", "per round", "ratio min-max", "AnoScan GF/s (%sgemm)",
                "libtorch GF/s (%sgemm)", reference ? "  per-sample (ratio to libtorch)" : "");
        for (Map.Entry<Cell, double[][]> e : rates.entrySet()) {
            Cell c = e.getKey();
            double flops;
            try (Dcgan model = new Dcgan(backend, new DcganSpec(c.size, 1, 100, 64, 64), 1L)) {
                flops = Flops.searchIteration(model);
            }
            StringBuilder rounds = new StringBuilder();
            double lo = Double.MAX_VALUE, hi = 0, a = 0, t = 0, ref = 0;
            for (double[] row : e.getValue()) {
                if (rounds.length() > 0) rounds.append("; ");
                rounds.append(String.format(Locale.ROOT, "%.0f/%.0f=%.2f", row[0], row[1], row[0] / row[1]));
                lo = Math.min(lo, row[0] / row[1]);
                hi = Math.max(hi, row[0] / row[1]);
                a += row[0];
                t += row[1];
                ref += row[2];
            }
            int n = e.getValue().length;
            a /= n;
            t /= n;
            ref /= n;
            System.out.printf(Locale.ROOT, "%-16s %-40s %5.2f-%-8.2f %6.1f (%3.0f%%)          %6.1f (%3.0f%%)%s%n", c, rounds, lo, hi,
                    a * flops / 1e9, 100 * a * flops / 1e9 / sgemmMean, t * flops / 1e9, 100 * t * flops / 1e9 / sgemmMean,
                    reference ? String.format(Locale.ROOT, "          %8.1f (%.2f)", ref, ref / t) : "");
        }
    }
}
