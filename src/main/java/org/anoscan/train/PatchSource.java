package org.anoscan.train;

import java.util.SplittableRandom;

/** Normal training patches, drawn at random in batches (CHW floats in [-1, 1], batches concatenated). */
public interface PatchSource {
    /** Channels, height and width of one patch. */
    int channels();

    int patchSize();

    /** A batch of patches drawn with rnd (so a seeded trainer sees the same batches on every run). */
    float[] sample(int batch, SplittableRandom rnd);
}
