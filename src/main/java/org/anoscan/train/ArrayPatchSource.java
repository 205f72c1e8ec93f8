package org.anoscan.train;

import java.util.SplittableRandom;

/** Patches held in memory (for example MNIST digits of one class), drawn uniformly with replacement. */
public final class ArrayPatchSource implements PatchSource {
    private final float[] patches;
    private final int count;
    private final int channels;
    private final int size;

    public ArrayPatchSource(float[] patches, int count, int channels, int size) {
        if (count <= 0) throw new IllegalArgumentException("patch source: no patches");
        if (patches.length != (long) count * channels * size * size) {
            throw new IllegalArgumentException("patch source: " + patches.length + " values for " + count + " patches of "
                    + channels + "x" + size + "x" + size);
        }
        this.patches = patches;
        this.count = count;
        this.channels = channels;
        this.size = size;
    }

    public int count() { return count; }

    @Override
    public int channels() { return channels; }

    @Override
    public int patchSize() { return size; }

    @Override
    public float[] sample(int batch, SplittableRandom rnd) {
        int per = channels * size * size;
        float[] out = new float[batch * per];
        for (int i = 0; i < batch; i++) System.arraycopy(patches, rnd.nextInt(count) * per, out, i * per, per);
        return out;
    }
}
