package org.anoscan.scan;

import org.anoscan.io.FloatImage;

/**
 * Accumulates per-patch residual maps into one full-resolution heatmap of an image. Each pixel is the
 * weighted mean of every patch value that covers it ({@code sum(w * r) / sum(w)}), the weight of a patch
 * pixel being a separable window {@code w(i) * w(j)} that is largest at the patch's centre and small near
 * its edges ({@link #window}: a Hann window sampled at pixel centres, never zero). A patch's border, where
 * its reconstruction is least reliable and where plain averaging showed a step (a seam) as one more or one
 * fewer patch starts covering a pixel, so fades into its neighbours instead. With the default stride of
 * half a patch, the windows of a row of patches sum to a constant: interior pixels get the same total
 * weight. A pixel covered by one patch only (an image border) gets that patch's value whatever its weight.
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
    private final float[] window;
    private final double[] sum;     // weighted channel sums, summed over patches
    private final double[] weight;  // summed weights of the patches covering each pixel
    private final int[] count;      // patches covering each pixel

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
        this.window = window(patchSize);
        this.sum = new double[height * width];
        this.weight = new double[height * width];
        this.count = new int[height * width];
    }

    /**
     * The blending weights along one axis of a patch of {@code size} pixels: {@code sin^2(pi (i + 0.5) / size)},
     * a Hann window at pixel centres (symmetric, positive, 1 near the centre, small at the edges). Shifted by
     * half a patch, two of them sum to 1.
     */
    public static float[] window(int size) {
        float[] w = new float[size];
        for (int i = 0; i < size; i++) {
            double s = Math.sin(Math.PI * (i + 0.5) / size);
            w[i] = (float) (s * s);
        }
        return w;
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
                double w = (double) window[i] * window[j];
                sum[dst + j] += w * s;
                weight[dst + j] += w;
                count[dst + j]++;
            }
        }
    }

    /** Counts the patch at {@code p} (with its weights) as a zero residual (a flat background patch that was not searched). */
    public void addSkipped(PatchPosition p) {
        checkInside(p);
        int rows = Math.min(patchSize, height - p.y()), cols = Math.min(patchSize, width - p.x());
        for (int i = 0; i < rows; i++) {
            int dst = (p.y() + i) * width + p.x();
            for (int j = 0; j < cols; j++) {
                weight[dst + j] += (double) window[i] * window[j];
                count[dst + j]++;
            }
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
            else out[i] = (float) (sum[i] / (weight[i] * channels));
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
