package org.anoscan.scan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.anoscan.io.FloatImage;

/**
 * Streams the patches of many images into fixed-size batches, so that a backend always gets full
 * batches (patches of consecutive images share a batch) while memory stays bounded: one reused buffer of
 * {@code batchSize x C x P x P} floats plus the image being cut. Images are pulled from the iterator one
 * at a time, so a lazy iterator (reading files as it goes) never holds more than one image.
 *
 * <p>Optional flat-patch skipping: a patch whose standard deviation (over all its C x P x P values) is
 * below {@code flatStdThreshold} is plain background; it is not searched but listed in
 * {@link PatchBatch#skipped()}, and gets score 0 and residual 0. A threshold of 0 skips nothing.
 *
 * <p>An image with the wrong channel count, or smaller than a patch without padding, makes {@link #next()}
 * throw {@link IllegalArgumentException} naming it; check images while loading them (with
 * {@link Tiler#positions(FloatImage)}) to report a bad file and go on.
 */
public final class PatchBatcher implements Iterator<PatchBatch> {
    private final Iterator<FloatImage> images;
    private final Tiler tiler;
    private final int channels;
    private final int batchSize;
    private final double flatStdThreshold;
    private final int patchLength;
    private final float[] buffer;

    private FloatImage current;         // image being cut, null between images
    private List<PatchPosition> positions;
    private int nextPosition;
    private int imageIndex = -1;

    /** Batches every patch (no skipping). */
    public PatchBatcher(Iterator<FloatImage> images, Tiler tiler, int channels, int batchSize) {
        this(images, tiler, channels, batchSize, 0);
    }

    /**
     * @param channels the channel count C every image must have
     * @param flatStdThreshold skip patches whose standard deviation is below this; 0 to skip none
     */
    public PatchBatcher(Iterator<FloatImage> images, Tiler tiler, int channels, int batchSize, double flatStdThreshold) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (channels < 1) throw new IllegalArgumentException("channels must be at least 1, got " + channels);
        if (!(flatStdThreshold >= 0) || Double.isInfinite(flatStdThreshold)) {
            throw new IllegalArgumentException("flat-patch threshold must be finite and >= 0, got " + flatStdThreshold);
        }
        this.images = images;
        this.tiler = tiler;
        this.channels = channels;
        this.batchSize = batchSize;
        this.flatStdThreshold = flatStdThreshold;
        this.patchLength = channels * tiler.patchSize() * tiler.patchSize();
        long total = (long) batchSize * patchLength;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch of " + batchSize + " patches of " + patchLength
                    + " floats is too large for one array; use a smaller batch");
        }
        this.buffer = new float[(int) total];
    }

    public int batchSize() { return batchSize; }

    @Override
    public boolean hasNext() {
        return current != null || images.hasNext();
    }

    /** The next batch; its {@code data} is the shared buffer, overwritten by the following call. */
    @Override
    public PatchBatch next() {
        if (!hasNext()) throw new NoSuchElementException("no more patches");
        List<PatchRef> patches = new ArrayList<>(batchSize);
        List<PatchRef> skipped = new ArrayList<>();
        List<Integer> completed = new ArrayList<>();
        while (patches.size() < batchSize) {
            if (current == null && !startNextImage()) break;
            PatchPosition p = positions.get(nextPosition++);
            int offset = patches.size() * patchLength;
            tiler.extract(current, p, buffer, offset);
            PatchRef ref = new PatchRef(imageIndex, current, p);
            if (flatStdThreshold > 0 && std(buffer, offset, patchLength) < flatStdThreshold) {
                skipped.add(ref); // its slot is overwritten by the next patch
            } else {
                patches.add(ref);
            }
            if (nextPosition == positions.size()) { // image done: report it with its last patch
                completed.add(imageIndex);
                current = null;
                positions = null;
            }
        }
        Arrays.fill(buffer, patches.size() * patchLength, buffer.length, 0f);
        return new PatchBatch(buffer, List.copyOf(patches), List.copyOf(skipped), List.copyOf(completed));
    }

    private boolean startNextImage() {
        if (!images.hasNext()) return false;
        FloatImage image = images.next();
        if (image.channels() != channels) {
            throw new IllegalArgumentException(image.source() + ": " + image.channels() + " channels but the model takes "
                    + channels + "; read it with " + channels + " channel(s)");
        }
        positions = tiler.positions(image); // throws for an image smaller than a patch without padding
        current = image;
        nextPosition = 0;
        imageIndex++;
        return true;
    }

    private static double std(float[] a, int offset, int n) {
        double s = 0, s2 = 0;
        for (int i = offset; i < offset + n; i++) {
            s += a[i];
            s2 += (double) a[i] * a[i];
        }
        double mean = s / n;
        return Math.sqrt(Math.max(0, s2 / n - mean * mean));
    }
}
