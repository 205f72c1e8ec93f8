package org.anoscan.search;

/**
 * Settings of the latent search. Defaults follow AnoGAN (Schlegl et al. 2017): 500 iterations,
 * lambda 0.1; Adam with lr 0.05 on z ~ N(0, 1), the prior the generator was trained on.
 *
 * @param iterations Γ, Adam steps per search
 * @param lambda     weight of the feature term; (1 - lambda) weighs the residual term
 * @param learningRate Adam step size on z
 * @param init       how z starts
 * @param seed       base seed; search (patch p, restart k) draws its start from (seed, p, k)
 * @param restarts   K independent searches per patch; the patch keeps the best
 * @param clampZ     when > 0, z is clamped to [-clampZ, clampZ] after every step
 * @param earlyStopWindow when > 0, every this many iterations a search whose best loss improved by less
 *                   than {@code earlyStopTolerance} (relative) over the window stops (keeping its best z)
 * @param earlyStopTolerance relative improvement below which a search stops
 * @param keepTrace  record each search's loss per iteration (costs a host copy per iteration)
 * @param maxBatch   at most this many searches (patches x restarts) run together; larger requests are split
 * @param mode       where z starts ({@link ScoringMode}); iterations are ignored in encoder mode
 */
public record SearchConfig(int iterations, float lambda, float learningRate, ZInit init, long seed, int restarts,
                           float clampZ, int earlyStopWindow, float earlyStopTolerance, boolean keepTrace, int maxBatch,
                           ScoringMode mode) {

    /** How a search's z starts. */
    public enum ZInit { NORMAL, UNIFORM }

    public SearchConfig {
        if (iterations < 0) throw new IllegalArgumentException("search: iterations must be >= 0, got " + iterations);
        if (!(lambda >= 0 && lambda <= 1)) throw new IllegalArgumentException("search: lambda must lie in [0, 1], got " + lambda);
        if (!(learningRate > 0)) throw new IllegalArgumentException("search: learning rate must be positive, got " + learningRate);
        if (restarts <= 0) throw new IllegalArgumentException("search: restarts must be positive, got " + restarts);
        if (!(clampZ >= 0)) throw new IllegalArgumentException("search: clampZ must be >= 0, got " + clampZ);
        if (earlyStopWindow < 0) throw new IllegalArgumentException("search: early-stop window must be >= 0, got " + earlyStopWindow);
        if (!(earlyStopTolerance >= 0)) throw new IllegalArgumentException("search: early-stop tolerance must be >= 0");
        if (maxBatch < restarts) throw new IllegalArgumentException("search: maxBatch " + maxBatch + " is below restarts " + restarts);
        if (init == null) throw new IllegalArgumentException("search: init is null");
        if (mode == null) throw new IllegalArgumentException("search: mode is null");
    }

    /** A search-mode (AnoGAN) config. */
    public SearchConfig(int iterations, float lambda, float learningRate, ZInit init, long seed, int restarts,
                        float clampZ, int earlyStopWindow, float earlyStopTolerance, boolean keepTrace, int maxBatch) {
        this(iterations, lambda, learningRate, init, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch,
                ScoringMode.SEARCH);
    }

    /** Adam steps each search runs: 0 in encoder mode. */
    public int effectiveIterations() {
        return mode == ScoringMode.ENCODER ? 0 : iterations;
    }

    public SearchConfig withMode(ScoringMode m) {
        return new SearchConfig(iterations, lambda, learningRate, init, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch, m);
    }

    public static SearchConfig defaults() {
        return new SearchConfig(500, 0.1f, 0.05f, ZInit.NORMAL, 42L, 1, 0f, 0, 0f, false, 8192);
    }

    public SearchConfig withIterations(int n) {
        return new SearchConfig(n, lambda, learningRate, init, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch, mode);
    }

    public SearchConfig withLambda(float l) {
        return new SearchConfig(iterations, l, learningRate, init, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch, mode);
    }

    public SearchConfig withLearningRate(float lr) {
        return new SearchConfig(iterations, lambda, lr, init, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch, mode);
    }

    public SearchConfig withInit(ZInit i) {
        return new SearchConfig(iterations, lambda, learningRate, i, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch, mode);
    }

    public SearchConfig withSeed(long s) {
        return new SearchConfig(iterations, lambda, learningRate, init, s, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch, mode);
    }

    public SearchConfig withRestarts(int k) {
        return new SearchConfig(iterations, lambda, learningRate, init, seed, k, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, Math.max(maxBatch, k), mode);
    }

    public SearchConfig withClampZ(float c) {
        return new SearchConfig(iterations, lambda, learningRate, init, seed, restarts, c, earlyStopWindow, earlyStopTolerance, keepTrace, maxBatch, mode);
    }

    public SearchConfig withEarlyStop(int window, float tolerance) {
        return new SearchConfig(iterations, lambda, learningRate, init, seed, restarts, clampZ, window, tolerance, keepTrace, maxBatch, mode);
    }

    public SearchConfig withTrace(boolean t) {
        return new SearchConfig(iterations, lambda, learningRate, init, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, t, maxBatch, mode);
    }

    public SearchConfig withMaxBatch(int m) {
        return new SearchConfig(iterations, lambda, learningRate, init, seed, restarts, clampZ, earlyStopWindow, earlyStopTolerance, keepTrace, m, mode);
    }
}
