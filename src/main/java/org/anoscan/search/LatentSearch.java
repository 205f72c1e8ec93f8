package org.anoscan.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Backend;
import org.anoscan.backend.CapturedGraph;
import org.anoscan.backend.DeviceMemory;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.anoscan.backend.GraphCapable;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.nn.Conv2d;
import org.anoscan.nn.ConvTranspose2d;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.Init;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Sequential;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * The batched AnoGAN latent search. For B query patches and K restarts, B x K independent searches run
 * together as one batch on the model's backend, each with its own z, Adam moments and step count:
 * z moves by Adam on {@code (1 - λ) Σ|x − G(z)| + λ Σ|f(x) − f(G(z))|} with G and D frozen (eval-mode
 * batch norm, gradients with respect to inputs only). Each search keeps the best z it has seen; each
 * patch keeps the best of its restarts.
 *
 * <p>In {@link ScoringMode#HYBRID} mode restart 0 of each patch starts at E(x), the model's encoder's map of the
 * patch, instead of a random z, and the search runs {@code iterations} steps from there; in
 * {@link ScoringMode#ENCODER} mode z = E(x) is scored as it is (f-AnoGAN), with no search step.
 *
 * <p>The loop runs on the backend: nothing is copied to the host per iteration, except the loss when a
 * trace is asked for, and the best losses every early-stop window.
 */
public final class LatentSearch {
    private static final float ADAM_BETA1 = 0.9f;
    private static final float ADAM_BETA2 = 0.999f;
    private static final float ADAM_EPS = 1e-8f;

    private final Dcgan model;
    private final SearchConfig cfg;
    private final Backend backend;
    private final SteadyStateClock clock;

    /**
     * Told when a batch's steady state starts (after its first iteration, which warms buffers and plans and,
     * on a graph-capable backend, is followed by the capture) and when it ends: what a benchmark times to
     * compare like for like with a peer's timed loop. Called without waiting for the device: the clock does.
     */
    public interface SteadyStateClock {
        void start();

        /** The steady state ended after {@code iterations} iterations (graph replays on a graph-capable backend). */
        void stop(int iterations);
    }

    public LatentSearch(Dcgan model, SearchConfig cfg) {
        this(model, cfg, null);
    }

    private LatentSearch(Dcgan model, SearchConfig cfg, SteadyStateClock clock) {
        if (cfg.mode().needsEncoder() && model.encoder() == null) throw new IllegalArgumentException(cfg.mode().noEncoderMessage());
        this.model = model;
        this.cfg = cfg;
        this.backend = model.backend();
        this.clock = clock;
    }

    /** The same search, reporting each batch's steady state to {@code c}. */
    public LatentSearch withClock(SteadyStateClock c) {
        return new LatentSearch(model, cfg, c);
    }

    public SearchConfig config() { return cfg; }

    /** Searches count patches (CHW each, concatenated) with seeds 0..count-1 offset by the config's seed. */
    public List<SearchResult> search(float[] patches, int count) {
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) ids[i] = i;
        return search(patches, ids);
    }

    /**
     * Searches patches.length / patchSize patches; patch p's restarts start from z drawn with
     * (config seed, ids[p], restart). Giving a patch the same id gives it the same start, alone or in any batch.
     */
    public List<SearchResult> search(float[] patches, long[] ids) {
        int per = model.imageShape(1).size();
        if (patches.length != ids.length * per) {
            throw new IllegalArgumentException("search: " + patches.length + " values for " + ids.length + " patches of "
                    + model.imageShape(1) + " (expected " + (long) ids.length * per + ")");
        }
        for (int i = 0; i < patches.length; i++) {
            if (!Float.isFinite(patches[i])) {
                throw new IllegalArgumentException("search: patch " + (i / per) + " holds a non-finite value (NaN or infinity)");
            }
        }
        List<SearchResult> out = new ArrayList<>(ids.length);
        int chunk = chunkSize();
        boolean device = backend instanceof DeviceMemory;
        try (FoldedNetwork g = new FoldedNetwork(backend, model.generator(), model.latentShape(1));
             FoldedNetwork f = new FoldedNetwork(backend, model.features(), model.imageShape(1));
             FoldedNetwork e = cfg.mode().needsEncoder() ? new FoldedNetwork(backend, model.encoder().network(), model.imageShape(1)) : null) {
            for (int start = 0; start < ids.length; ) {
                int n = Math.min(chunk, ids.length - start);
                // a device backend makes convolution plans per batch size: a partial batch is padded up to
                // one of a few sizes (repeating its last patch, whose results are dropped), so plans stay few
                int padded = device ? BatchBuckets.roundUp(n, chunk) : n;
                try {
                    out.addAll(searchChunk(g, f, e, padded(patches, start, n, padded, per), padded(ids, start, n, padded), n));
                    start += n;
                } catch (DeviceOutOfMemoryException oom) {
                    // the estimate was too generous for this card: split the batch rather than fail, with the
                    // memory the backend caches (idle buffers, convolution workspace) given back first
                    if (padded == 1) throw oom;
                    if (backend instanceof DeviceMemory mem) mem.releaseIdleMemory();
                    chunk = Math.max(1, n / 2);
                }
            }
        }
        return out;
    }

    /** Patches start..start+n, followed by copies of the last one up to {@code padded}. */
    private static float[] padded(float[] patches, int start, int n, int padded, int per) {
        float[] out = Arrays.copyOfRange(patches, start * per, (start + n) * per);
        if (padded == n) return out;
        out = Arrays.copyOf(out, padded * per);
        for (int i = n; i < padded; i++) System.arraycopy(out, (n - 1) * per, out, i * per, per);
        return out;
    }

    private static long[] padded(long[] ids, int start, int n, int padded) {
        long[] out = new long[padded];
        System.arraycopy(ids, start, out, 0, n);
        Arrays.fill(out, n, padded, ids[start + n - 1]);
        return out;
    }

    /** Patches per batch: the config's maxBatch, capped by what a device backend can hold. */
    private int chunkSize() {
        int chunk = Math.max(1, cfg.maxBatch() / cfg.restarts());
        if (backend instanceof DeviceMemory mem) {
            long fit = (long) (0.8 * mem.freeDeviceMemory() / ((double) bytesPerSearch() * cfg.restarts()));
            chunk = (int) Math.max(1, Math.min(chunk, fit));
        }
        return chunk;
    }

    /**
     * Device bytes one search needs at most: the outputs of G's and f's folded stages (kept for
     * backward), about as much again for the gradients and loss temporaries alive at once, x, f(x), z and
     * the Adam state, and its share of the convolution workspace
     * ({@link DeviceMemory#CONV_WORKSPACE_PER_SEARCH}, the most a device backend's plans may use).
     */
    public long bytesPerSearch() {
        long kept = convOutputs(model.generator(), model.latentShape(1)) + convOutputs(model.features(), model.imageShape(1));
        long fixed = 2L * model.imageShape(1).size() + model.features().outputShape(model.imageShape(1)).size()
                + 5L * model.spec().nz() + 8;
        return 4 * (2 * kept + fixed) + DeviceMemory.CONV_WORKSPACE_PER_SEARCH;
    }

    private static long convOutputs(Sequential net, Shape in) {
        long total = 0;
        Shape s = in;
        for (Layer l : net.layers()) {
            s = l.outputShape(s);
            if (l instanceof Conv2d || l instanceof ConvTranspose2d) total += s.size();
        }
        return total;
    }

    /** Searches the patches of ids (the first {@code real} of them count; the rest pad the batch). */
    private List<SearchResult> searchChunk(FoldedNetwork g, FoldedNetwork f, FoldedNetwork e, float[] patches, long[] ids, int real) {
        int b = ids.length;
        int k = cfg.restarts();
        int n = b * k;
        int per = model.imageShape(1).size();
        float[] xs = new float[n * per];
        for (int s = 0; s < n; s++) System.arraycopy(patches, (s / k) * per, xs, s * per, per);
        AdamConfig adam = new AdamConfig(cfg.learningRate(), ADAM_BETA1, ADAM_BETA2, ADAM_EPS, cfg.clampZ());
        int iterations = cfg.effectiveIterations();
        float[][] traces = cfg.keepTrace() ? new float[n][iterations] : null;

        try (Tensor x = backend.fromHost(xs, model.imageShape(n));
             Tensor fx = copyOf(f.forward(x));
             Tensor z = backend.fromHost(startZ(e, x, ids), model.latentShape(n));
             Tensor m = backend.zeros(z.shape());
             Tensor v = backend.zeros(z.shape());
             Tensor steps = backend.zeros(Shape.of(n));
             Tensor active = backend.zeros(Shape.of(n));
             Tensor bestLoss = backend.zeros(Shape.of(n));
             Tensor bestZ = backend.zeros(z.shape())) {
            f.releaseOutputs();
            backend.fill(active, 1f);
            backend.fill(bestLoss, Float.POSITIVE_INFINITY);
            backend.copyInto(z, bestZ);
            float[] bestAtCheck = null;
            boolean[] stopped = new boolean[n];
            // a backend that records graphs replays one recorded iteration (launch cost paid once);
            // a trace reads the loss every iteration, so it runs uncaptured
            boolean useGraph = backend instanceof GraphCapable && traces == null && iterations > 1;
            CapturedGraph graph = null;
            Runnable iteration = () -> step(g, f, x, fx, z, m, v, steps, active, bestLoss, bestZ, adam).close();
            int steady = 0;
            try {
                for (int it = 0; it < iterations; it++) {
                    if (it == 1 && clock != null) clock.start();
                    if (it >= 1) steady++;
                    if (graph != null) {
                        graph.replay();
                    } else {
                        try (Tensor loss = step(g, f, x, fx, z, m, v, steps, active, bestLoss, bestZ, adam)) {
                            if (traces != null) {
                                float[] l = loss.toHost();
                                for (int s = 0; s < n; s++) traces[s][it] = l[s];
                            }
                        }
                        // the first iteration warmed the buffers and plans: record the next ones
                        if (useGraph) graph = ((GraphCapable) backend).capture(iteration);
                    }
                    if (cfg.earlyStopWindow() > 0 && (it + 1) % cfg.earlyStopWindow() == 0) {
                        float[] best = bestLoss.toHost();
                        if (bestAtCheck != null && updateStopped(bestAtCheck, best, stopped, active)) break;
                        bestAtCheck = best;
                    }
                }
                if (clock != null && steady > 0) clock.stop(steady);
            } finally {
                if (graph != null) graph.close();
            }
            return finish(g, f, x, fx, z, bestZ, bestLoss, steps, ids, real, traces);
        } finally {
            g.releaseOutputs();
            f.releaseOutputs();
        }
    }

    /**
     * One Adam step of every active search, keeping each search's best z; returns the loss at z before the
     * step. Every temporary lives in one scope, released on every path (a failed op included).
     */
    private Tensor step(FoldedNetwork g, FoldedNetwork f, Tensor x, Tensor fx, Tensor z, Tensor m, Tensor v, Tensor steps,
                        Tensor active, Tensor bestLoss, Tensor bestZ, AdamConfig adam) {
        if (g.lastActivation() == Activation.TANH && f.lastActivation() == Activation.LEAKY_RELU) {
            return fusedStep(g, f, x, fx, z, m, v, steps, active, bestLoss, bestZ, adam);
        }
        try (TensorScope scope = new TensorScope()) {
            Tensor gz = g.forward(z); // owned by g
            LossAndGrad residual = scope.add(backend.l1LossWithGrad(gz, x, 1f - cfg.lambda()));
            Tensor fg = f.forward(gz);
            LossAndGrad feature = scope.add(backend.l1LossWithGrad(fg, fx, cfg.lambda()));
            Tensor dgz = f.backward(feature.grad(), scope);
            backend.axpy(1f, residual.grad(), dgz);
            Tensor dz = g.backward(dgz, scope);
            Tensor loss = scope.add(backend.add(residual.loss(), feature.loss()));
            backend.keepBest(loss, bestLoss, z, bestZ);
            backend.adamPerSampleStep(z, dz, m, v, steps, active, adam);
            return scope.keep(loss);
        }
    }

    /**
     * {@link #step} for the DCGAN shape (G ends in tanh, f in LeakyReLU), with the element-wise work in the
     * backend's fused search ops: the same operations (each fused op is defined as the composition it
     * replaces, which the CPU backend runs), in 3 passes instead of 8 on a device.
     */
    private Tensor fusedStep(FoldedNetwork g, FoldedNetwork f, Tensor x, Tensor fx, Tensor z, Tensor m, Tensor v, Tensor steps,
                             Tensor active, Tensor bestLoss, Tensor bestZ, AdamConfig adam) {
        try (TensorScope scope = new TensorScope()) {
            Tensor gz = g.forward(z); // owned by g
            Tensor fg = f.forward(gz);
            LossAndGrad feature = scope.add(backend.featureLeakyBackward(fg, fx, cfg.lambda()));
            Tensor dgz = f.backwardFromPreActivation(feature.grad(), scope);
            LossAndGrad residual = scope.add(backend.residualTanhBackward(gz, x, dgz, 1f - cfg.lambda()));
            Tensor dz = g.backwardFromPreActivation(residual.grad(), scope);
            return backend.searchUpdate(residual.loss(), feature.loss(), bestLoss, z, bestZ, dz, m, v, steps, active, adam);
        }
    }

    /** Freezes searches that improved too little since the last check; true when all are frozen. */
    private boolean updateStopped(float[] before, float[] now, boolean[] stopped, Tensor active) {
        boolean changed = false;
        boolean all = true;
        for (int s = 0; s < now.length; s++) {
            if (!stopped[s] && before[s] - now[s] <= cfg.earlyStopTolerance() * Math.abs(before[s])) {
                stopped[s] = true;
                changed = true;
            }
            all &= stopped[s];
        }
        if (changed && !all) {
            float[] a = new float[now.length];
            for (int s = 0; s < a.length; s++) a[s] = stopped[s] ? 0f : 1f;
            try (Tensor t = backend.fromHost(a, active.shape())) {
                backend.copyInto(t, active);
            }
        }
        return all;
    }

    /**
     * Evaluates every search at its best z once more and picks each patch's best restart. A search that
     * diverged (its z or every loss it saw is NaN or infinite) is not scored from its last finite point:
     * its patch's scores are NaN, for the caller to report.
     */
    private List<SearchResult> finish(FoldedNetwork g, FoldedNetwork f, Tensor x, Tensor fx, Tensor z, Tensor bestZ, Tensor bestLoss,
                                      Tensor steps, long[] ids, int real, float[][] traces) {
        int k = cfg.restarts();
        int per = model.imageShape(1).size();
        int nz = model.spec().nz();
        float[] residualLoss;
        float[] featureLoss;
        float[] map;
        float[] gen;
        Tensor gz = g.forward(bestZ);
        gen = gz.toHost();
        try (Tensor rl = backend.l1PerSample(gz, x); Tensor r = backend.absDiff(x, gz)) {
            residualLoss = rl.toHost();
            map = r.toHost();
        }
        Tensor fg = f.forward(gz);
        try (Tensor fl = backend.l1PerSample(fg, fx)) {
            featureLoss = fl.toHost();
        }
        float[] zs = bestZ.toHost();
        float[] its = steps.toHost();
        float[] seen = bestLoss.toHost();
        if (cfg.effectiveIterations() == 0) { // no step ran: the loss at the start point is the only one seen
            for (int s = 0; s < seen.length; s++) seen[s] = (1f - cfg.lambda()) * residualLoss[s] + cfg.lambda() * featureLoss[s];
        }
        boolean[] diverged = diverged(z.toHost(), seen, nz);
        List<SearchResult> results = new ArrayList<>(real);
        for (int p = 0; p < real; p++) {
            int best = -1;
            float bestScore = Float.POSITIVE_INFINITY;
            boolean nan = false;
            for (int r = 0; r < k; r++) {
                int s = p * k + r;
                nan |= diverged[s];
                float score = (1f - cfg.lambda()) * residualLoss[s] + cfg.lambda() * featureLoss[s];
                if (best < 0 || score < bestScore) {
                    best = r;
                    bestScore = score;
                }
            }
            int s = p * k + best;
            float residual = (1f - cfg.lambda()) * residualLoss[s];
            float feature = cfg.lambda() * featureLoss[s];
            if (nan) bestScore = residual = feature = Float.NaN;
            results.add(new SearchResult(bestScore, residual, feature,
                    Arrays.copyOfRange(map, s * per, (s + 1) * per), Arrays.copyOfRange(gen, s * per, (s + 1) * per),
                    Arrays.copyOfRange(zs, s * nz, (s + 1) * nz), (int) its[s], best, traces == null ? null : traces[s]));
        }
        return results;
    }

    /** Searches whose final z holds a non-finite value, or that never saw a finite loss. */
    static boolean[] diverged(float[] z, float[] bestLoss, int nz) {
        boolean[] out = new boolean[bestLoss.length];
        for (int s = 0; s < out.length; s++) {
            boolean bad = !Float.isFinite(bestLoss[s]);
            for (int i = s * nz; i < (s + 1) * nz && !bad; i++) bad = !Float.isFinite(z[i]);
            out[s] = bad;
        }
        return out;
    }

    /**
     * Start points: restart 0 of each patch at E(x) when the mode uses the encoder (e not null), every other
     * search at the random z of {@link #initialZ}.
     */
    private float[] startZ(FoldedNetwork e, Tensor x, long[] ids) {
        float[] z = initialZ(ids);
        if (e == null) return z;
        float[] ez = e.forward(x).toHost();
        e.releaseOutputs();
        int k = cfg.restarts();
        int nz = model.spec().nz();
        for (int p = 0; p < ids.length; p++) System.arraycopy(ez, p * k * nz, z, p * k * nz, nz);
        return z;
    }

    /** Start points: search (id, restart) draws from its own stream, so batching does not change it. */
    private float[] initialZ(long[] ids) {
        int k = cfg.restarts();
        int nz = model.spec().nz();
        float[] z = new float[ids.length * k * nz];
        for (int p = 0; p < ids.length; p++) {
            for (int r = 0; r < k; r++) {
                SplittableRandom rnd = new SplittableRandom(mix(cfg.seed(), ids[p], r));
                int off = (p * k + r) * nz;
                for (int i = 0; i < nz; i++) {
                    z[off + i] = cfg.init() == SearchConfig.ZInit.NORMAL ? (float) Init.gaussian(rnd) : (float) (rnd.nextDouble() * 2 - 1);
                }
            }
        }
        return z;
    }

    private Tensor copyOf(Tensor t) {
        try (TensorScope scope = new TensorScope()) {
            Tensor c = scope.add(backend.zeros(t.shape()));
            backend.copyInto(t, c);
            return scope.keep(c);
        }
    }

    static long mix(long seed, long id, int restart) {
        long h = seed * 0x9E3779B97F4A7C15L + id;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + restart;
        return h ^ (h >>> 29);
    }

}
