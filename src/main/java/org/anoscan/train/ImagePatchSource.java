package org.anoscan.train;

import java.util.List;
import java.util.SplittableRandom;
import org.anoscan.io.FloatImage;

/** Random P x P crops of normal images held in memory (every image at least P x P). */
public final class ImagePatchSource implements PatchSource {
    private final List<FloatImage> images;
    private final int channels;
    private final int size;

    public ImagePatchSource(List<FloatImage> images, int patchSize) {
        if (images.isEmpty()) throw new IllegalArgumentException("patch source: no images");
        this.images = List.copyOf(images);
        this.size = patchSize;
        this.channels = images.get(0).channels();
        for (FloatImage im : images) {
            if (im.channels() != channels) {
                throw new IllegalArgumentException(im.source() + ": " + im.channels() + " channels, the others have " + channels);
            }
            if (im.height() < patchSize || im.width() < patchSize) {
                throw new IllegalArgumentException(im.source() + ": " + im.width() + "x" + im.height()
                        + " is smaller than the " + patchSize + "x" + patchSize + " patch");
            }
        }
    }

    @Override
    public int channels() { return channels; }

    @Override
    public int patchSize() { return size; }

    @Override
    public float[] sample(int batch, SplittableRandom rnd) {
        int per = channels * size * size;
        float[] out = new float[batch * per];
        for (int b = 0; b < batch; b++) {
            FloatImage im = images.get(rnd.nextInt(images.size()));
            int y0 = rnd.nextInt(im.height() - size + 1);
            int x0 = rnd.nextInt(im.width() - size + 1);
            float[] d = im.data();
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < size; y++) {
                    System.arraycopy(d, (c * im.height() + y0 + y) * im.width() + x0, out, b * per + (c * size + y) * size, size);
                }
            }
        }
        return out;
    }
}
