package org.anoscan.train;

/**
 * Encoder training settings (f-AnoGAN's izi_f): Adam on E only, G and D frozen.
 *
 * @param steps           total steps to reach
 * @param batchSize       patches per step
 * @param learningRate    Adam step size
 * @param beta1           Adam beta1
 * @param kappa           weight of the feature residual next to the image residual (f-AnoGAN: 1)
 * @param seed            seeds every batch (step s draws from its own stream, so resuming is exact)
 * @param checkpointEvery save a checkpoint every this many steps (0: only at the end, and when stopped)
 */
public record EncoderTrainConfig(int steps, int batchSize, float learningRate, float beta1, float kappa, long seed, int checkpointEvery) {
    public EncoderTrainConfig {
        if (steps < 0) throw new IllegalArgumentException("train-encoder: steps must be >= 0, got " + steps);
        if (batchSize < 2) throw new IllegalArgumentException("train-encoder: batch size must be at least 2 (batch norm), got " + batchSize);
        if (!(learningRate > 0)) throw new IllegalArgumentException("train-encoder: learning rate must be positive, got " + learningRate);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("train-encoder: beta1 must lie in [0, 1), got " + beta1);
        if (!(kappa >= 0) || Float.isInfinite(kappa)) throw new IllegalArgumentException("train-encoder: kappa must be >= 0, got " + kappa);
        if (checkpointEvery < 0) throw new IllegalArgumentException("train-encoder: checkpointEvery must be >= 0");
    }

    /** Adam lr 1e-3, beta1 0.9, batch 64, kappa 1. */
    public static EncoderTrainConfig defaults(int steps) {
        return new EncoderTrainConfig(steps, 64, 1e-3f, 0.9f, 1f, 1L, 0);
    }

    public EncoderTrainConfig withSteps(int s) {
        return new EncoderTrainConfig(s, batchSize, learningRate, beta1, kappa, seed, checkpointEvery);
    }

    public EncoderTrainConfig withSeed(long s) {
        return new EncoderTrainConfig(steps, batchSize, learningRate, beta1, kappa, s, checkpointEvery);
    }
}
