package org.anoscan.scan;

import org.anoscan.io.FloatImage;

/**
 * Accumulates per-patch residual maps into one full-resolution heatmap of an image: each pixel is the
 * average of every patch value that covers it ({@code sum / count}), so overlaps are averaged and the
 * edge-aligned border patches of {@link Tiler} count like any other.
 *
 * <p>Channels are averaged: a residual of C x P x P contributes its per-pixel channel mean, so the
 * heatmap has one channel on the scale of {@code |x - G(z)|} (0 to 2) whatever C is: one map to
 * threshold and overlay, since what matters is where the patch is abnormal, not in which colour.
 * Patch pixels that fall outside the image (padding of a small image) are dropped. Sums are kept in
 * double, so identical contributions average back to exactly the same float.
 */
public final class Stitcher {
    private final int height;
    private final int width;
    private final int channels;
    private final int patchSize;
    private final String source;
    private final double[] sum;  // channel sums, summed over patches
    private final int[] count;   // patches covering each pixel

    /**
     * @param channels the residuals' channel count C (each residual holds C x P x P values)
     * @param source a name for the heatmap (e.g. the image's file name)
     */
    public Stitcher(int height, int width, int channels, int patchSize, String source) {
        if (height < 1 || width < 1 || channels < 1 || patchSize < 1) {
            throw new IllegalArgumentException("stitcher sizes must be positive, got " + height + "x" + width
                    + ", " + channels + " channels, patch " + patchSize);
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.patchSize = patchSize;
        this.source = source;
        this.sum = new double[height * width];
        this.count = new int[height * width];
    }

    /** Adds the residual of the patch at {@code p}: C x P x P values (CHW) of {@code residual} from {@code offset}. */
    public void add(PatchPosition p, float[] residual, int offset) {
        int ps = patchSize, plane = ps * ps;
        checkInside(p);
        if (offset < 0 || (long) offset + (long) channels * plane > residual.length) {
            throw new IllegalArgumentException("residual of " + channels + "x" + ps + "x" + ps + " at offset " + offset
                    + " does not fit in " + residual.length + " floats");
        }
        int rows = Math.min(ps, height - p.y()), cols = Math.min(ps, width - p.x());
        for (int i = 0; i < rows; i++) {
            int dst = (p.y() + i) * width + p.x();
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int c = 0; c < channels; c++) s += residual[offset + c * plane + i * ps + j];
                sum[dst + j] += s;
                count[dst + j]++;
            }
        }
    }

    /** Counts the patch at {@code p} with a zero residual (a flat background patch that was not searched). */
    public void addSkipped(PatchPosition p) {
        checkInside(p);
        int rows = Math.min(patchSize, height - p.y()), cols = Math.min(patchSize, width - p.x());
        for (int i = 0; i < rows; i++) {
            int dst = (p.y() + i) * width + p.x();
            for (int j = 0; j < cols; j++) count[dst + j]++;
        }
    }

    /** How many patches cover pixel (y, x) so far. */
    public int coverage(int y, int x) {
        return count[y * width + x];
    }

    /**
     * The stitched heatmap (1 x H x W).
     *
     * @throws IllegalStateException when some pixel is covered by no patch yet: add every position that
     *     {@link Tiler#positions} gave, searched or skipped
     */
    public FloatImage heatmap() {
        float[] out = new float[height * width];
        int uncovered = 0;
        for (int i = 0; i < out.length; i++) {
            if (count[i] == 0) uncovered++;
            else out[i] = (float) (sum[i] / ((double) count[i] * channels));
        }
        if (uncovered > 0) {
            throw new IllegalStateException(source + ": " + uncovered + " of " + out.length
                    + " pixels are covered by no patch; add every patch position the Tiler gave");
        }
        return FloatImage.map(height, width, out, source);
    }

    private void checkInside(PatchPosition p) {
        if (p.y() < 0 || p.x() < 0 || p.y() >= height || p.x() >= width) {
            throw new IllegalArgumentException(source + ": patch at " + p + " is outside the " + height + "x" + width + " image");
        }
    }
}
