package org.anoscan.train;

/**
 * DCGAN training settings (Radford et al.): Adam lr 2e-4, beta1 0.5, batch 64.
 *
 * @param steps           total D+G steps to reach
 * @param batchSize       patches per step
 * @param learningRate    Adam step size for both networks
 * @param beta1           Adam beta1
 * @param realLabel       target for real patches: 1, or e.g. 0.9 for one-sided label smoothing
 * @param seed            seeds every batch and noise draw (step s uses its own stream, so resuming is exact)
 * @param checkpointEvery save a checkpoint every this many steps (0: only at the end, and when stopped)
 */
public record TrainConfig(int steps, int batchSize, float learningRate, float beta1, float realLabel, long seed,
                          int checkpointEvery) {
    public TrainConfig {
        if (steps < 0) throw new IllegalArgumentException("train: steps must be >= 0, got " + steps);
        if (batchSize < 2) throw new IllegalArgumentException("train: batch size must be at least 2 (batch norm), got " + batchSize);
        if (!(learningRate > 0)) throw new IllegalArgumentException("train: learning rate must be positive, got " + learningRate);
        if (!(realLabel > 0.5f && realLabel <= 1f)) throw new IllegalArgumentException("train: real label must lie in (0.5, 1], got " + realLabel);
        if (checkpointEvery < 0) throw new IllegalArgumentException("train: checkpointEvery must be >= 0");
    }

    public static TrainConfig defaults(int steps) {
        return new TrainConfig(steps, 64, 2e-4f, 0.5f, 1f, 1L, 0);
    }

    public TrainConfig withSteps(int s) {
        return new TrainConfig(s, batchSize, learningRate, beta1, realLabel, seed, checkpointEvery);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(steps, batchSize, learningRate, beta1, realLabel, s, checkpointEvery);
    }
}
