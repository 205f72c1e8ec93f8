package org.anoscan.bench;

import java.util.Locale;
import java.util.Random;
import org.anoscan.backend.Backend;
import org.anoscan.backend.DeviceMemory;
import org.anoscan.backend.Devices;
import org.anoscan.backend.cuda.CudaBackend;
import org.anoscan.backend.cuda.CudaTimer;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Precision;

/**
 * Latent-search throughput in patch-iterations per second (searches x Adam steps / s) for DCGAN-32 and
 * DCGAN-64 (the reference: nz 100, ngf = ndf = 64, 1 channel) at several batch sizes, two ways:
 * <ul>
 *   <li>steady state: the iterations after the first, timed alone (on CUDA: the graph replays, with
 *       device events), which is what the PyTorch peer times;</li>
 *   <li>end to end: the whole {@code search()} call (host copies, folding, first iteration, capture,
 *       final evaluation, read-back), what a user waits for.</li>
 * </ul>
 * Weights are random: timing does not depend on them. On CUDA it also prints the device bytes the
 * batch held per search (pool and convolution workspace after the run, divided by the batch) next to
 * the search's own estimate.
 *
 * <p>usage: SearchBenchmark [--device cpu|cuda:N|auto] [--batches 1,64,512] [--iters N] [--sizes 32,64]
 * [--precision fp32|tf32] [--width ngf=ndf] [--nz N]
 */
public final class SearchBenchmark {
    private SearchBenchmark() {}

    public static void main(String[] args) {
        String device = "cpu";
        String batches = "1,64,512";
        String sizes = "32,64";
        String precision = "fp32";
        int iters = 0, width = 64, nz = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--batches" -> batches = args[++i];
                case "--sizes" -> sizes = args[++i];
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--precision" -> precision = args[++i];
                case "--width" -> width = Integer.parseInt(args[++i]);
                case "--nz" -> nz = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        try (Backend backend = Devices.open(device, System.out::println)) {
            backend.setPrecision(Precision.parse(precision));
            System.out.println("# backend: " + backend.description() + ", precision " + backend.precision().label());
            System.out.println("# steady = iterations 2..N timed alone (CUDA: graph replays, device events); e2e = the whole search() call");
            System.out.println("# model     batch  iters   steady_s  steady_patch-iters/s  steady_TFLOP/s      e2e_s  e2e_patch-iters/s"
                    + "  e2e_TFLOP/s  device_MB/search");
            for (String s : sizes.split(",")) {
                int size = Integer.parseInt(s.trim());
                DcganSpec spec = new DcganSpec(size, 1, nz, width, width);
                try (Dcgan model = new Dcgan(backend, spec, 1L)) {
                    System.out.println(String.format(Locale.ROOT, "# DCGAN-%d (nz %d, widths %d): %.1f MFLOP per patch-iteration, "
                                    + "estimated device bytes per search %.2f MB", size, nz, width, Flops.searchIteration(model) / 1e6,
                            new LatentSearch(model, SearchConfig.defaults()).bytesPerSearch() / 1e6));
                    for (String b : batches.split(",")) {
                        run(model, Integer.parseInt(b.trim()), iters);
                    }
                }
            }
        }
    }

    /** Device time of the steady state on CUDA (events on the stream), host time elsewhere (ops are synchronous there). */
    private static final class Clock implements LatentSearch.SteadyStateClock, AutoCloseable {
        private final CudaTimer timer;
        private long t0;
        double seconds;
        int iterations;

        Clock(Backend backend) {
            this.timer = backend instanceof CudaBackend cuda ? cuda.timer() : null;
        }

        @Override
        public void start() {
            if (timer != null) timer.start(); else t0 = System.nanoTime();
        }

        @Override
        public void stop(int n) {
            seconds += timer != null ? timer.stopMillis() / 1e3 : (System.nanoTime() - t0) / 1e9;
            iterations = n;
        }

        @Override
        public void close() {
            if (timer != null) timer.close();
        }
    }

    private static void run(Dcgan model, int batch, int itersArg) {
        Backend backend = model.backend();
        int per = model.imageShape(1).size();
        float[] x = new float[batch * per];
        Random r = new Random(batch);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        // aim at a few seconds per point: fewer iterations for big batches
        int iters = itersArg > 0 ? itersArg : Math.max(3, Math.min(200, 40000 / (batch * model.spec().imageSize())));
        // whatever earlier batches left cached goes, so the memory figure is this batch's
        if (backend instanceof DeviceMemory mem) mem.releaseIdleMemory();
        SearchConfig cfg = SearchConfig.defaults().withIterations(2).withMaxBatch(Math.max(batch, 1));
        new LatentSearch(model, cfg).search(x, batch); // warm-up: JIT, buffers, plans
        try (Clock clock = new Clock(backend)) {
            long t0 = System.nanoTime();
            new LatentSearch(model, cfg.withIterations(iters)).withClock(clock).search(x, batch);
            double sec = (System.nanoTime() - t0) / 1e9;
            double flop = Flops.searchIteration(model);
            double rate = batch * (double) iters / sec;
            double steadyRate = clock.iterations == 0 ? Double.NaN : batch * (double) clock.iterations / clock.seconds;
            String mem = backend instanceof CudaBackend cuda
                    ? String.format(Locale.ROOT, "%.2f", (cuda.pooledBytes() + cuda.convWorkspaceBytes()) / 1e6 / batch) : "-";
            System.out.println(String.format(Locale.ROOT, "DCGAN-%-4d %6d %6d %10.6f %21.1f %15.3f %10.6f %18.1f %12.3f %17s",
                    model.spec().imageSize(), batch, iters, clock.seconds, steadyRate, steadyRate * flop / 1e12, sec, rate,
                    rate * flop / 1e12, mem));
        }
    }
}
