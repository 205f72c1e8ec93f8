package org.anoscan.train;

import java.nio.file.Path;

/** Hears about training progress. */
public interface TrainListener {
    /** After each step: D loss (real + fake), G loss, and throughput so far. */
    void onStep(int step, int totalSteps, float lossD, float lossG, double patchesPerSecond);

    default void onCheckpoint(int step, Path file) {
    }

    /** Asked after each step: true stops training there (a checkpoint is written first, when training has a file). */
    default boolean stopRequested() {
        return false;
    }
}
