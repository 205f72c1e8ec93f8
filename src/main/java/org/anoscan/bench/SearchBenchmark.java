package org.anoscan.bench;

import java.util.Locale;
import java.util.Random;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Precision;

/**
 * Latent-search throughput: patch-iterations per second (searches x Adam steps / s) for DCGAN-32
 * (nz 100, ngf = ndf = 64, 1 channel) and DCGAN-64 (the reference: nz 100, ngf = ndf = 64, 1 channel)
 * at several batch sizes. Weights are random: timing does not depend on them.
 *
 * <p>usage: SearchBenchmark [--device cpu|cuda:N|auto] [--batches 1,64,512] [--iters N] [--sizes 32,64]
 * [--precision fp32|tf32]
 */
public final class SearchBenchmark {
    public static void main(String[] args) {
        String device = "cpu";
        String batches = "1,64,512";
        String sizes = "32,64";
        String precision = "fp32";
        int iters = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--batches" -> batches = args[++i];
                case "--sizes" -> sizes = args[++i];
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--precision" -> precision = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        try (Backend backend = Devices.open(device, System.out::println)) {
            backend.setPrecision(Precision.parse(precision));
            System.out.println("# backend: " + backend.description() + ", precision " + backend.precision());
            System.out.println("# model     batch  iters   seconds  patch-iters/s  GFLOP/s");
            for (String s : sizes.split(",")) {
                int size = Integer.parseInt(s.trim());
                DcganSpec spec = new DcganSpec(size, 1, 100, 64, 64);
                try (Dcgan model = new Dcgan(backend, spec, 1L)) {
                    System.out.println(String.format(Locale.ROOT, "# DCGAN-%d: %.1f MFLOP per patch-iteration, estimated device bytes per search %.2f MB",
                            size, Flops.searchIteration(model) / 1e6, new LatentSearch(model, SearchConfig.defaults()).bytesPerSearch() / 1e6));
                    for (String b : batches.split(",")) {
                        run(model, Integer.parseInt(b.trim()), iters);
                    }
                }
            }
        }
    }

    private static void run(Dcgan model, int batch, int itersArg) {
        int per = model.imageShape(1).size();
        float[] x = new float[batch * per];
        Random r = new Random(batch);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        // aim at a few seconds per point: fewer iterations for big batches
        int iters = itersArg > 0 ? itersArg : Math.max(3, Math.min(200, 40000 / (batch * model.spec().imageSize())));
        SearchConfig cfg = SearchConfig.defaults().withIterations(2);
        new LatentSearch(model, cfg).search(x, batch); // warm-up: JIT, buffers, plans
        long t0 = System.nanoTime();
        new LatentSearch(model, cfg.withIterations(iters)).search(x, batch);
        double sec = (System.nanoTime() - t0) / 1e9;
        double rate = batch * (double) iters / sec;
        System.out.println(String.format(Locale.ROOT, "DCGAN-%-4d %6d %6d %9.3f %14.1f %12.1f", model.spec().imageSize(), batch,
                iters, sec, rate, rate * Flops.searchIteration(model) / 1e9));

    }
}
