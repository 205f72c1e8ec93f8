package org.anoscan.scan;

import java.util.List;

/**
 * One batch from a {@link PatchBatcher}.
 *
 * @param data {@code batchSize x C x P x P} floats (NCHW); patch i of {@link #patches} is at
 *     {@code i * C * P * P}; slots past {@link #count} are zero, so a backend can always take a full
 *     batch and ignore the tail. The array is the batcher's one buffer, reused by the next call to
 *     {@link PatchBatcher#next()}: copy it (e.g. to the device) before asking for the next batch.
 * @param patches the origin of each searched patch, in slot order
 * @param skipped flat patches met since the previous batch, not in {@code data}: their score and
 *     residual are 0 (see {@link Stitcher#addSkipped})
 * @param completedImages indices of images whose last patch (searched or skipped) is in this batch or
 *     its skipped list, in order: their heatmaps can be finished once this batch is done
 */
public record PatchBatch(float[] data, List<PatchRef> patches, List<PatchRef> skipped, List<Integer> completedImages) {
    /** How many slots of {@link #data} hold patches (at most the batch size; can be 0 at the end). */
    public int count() { return patches.size(); }
}
