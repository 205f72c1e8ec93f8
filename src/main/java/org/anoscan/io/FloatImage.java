package org.anoscan.io;

/**
 * An image or per-pixel map as floats in CHW order: {@code data[(c * height + y) * width + x]}.
 * Images read by {@link ImageReader} hold values in [-1, 1] (the generator's tanh range), colour
 * channels in RGB order; maps (heatmaps, residuals) hold any finite values.
 *
 * <p>The array is taken over, not copied (images can be tens of MB), and {@link #data()} returns it
 * as is: treat it as read-only. Every value is checked finite on construction, so NaN never reaches a
 * search.
 */
public final class FloatImage {
    private final int channels;
    private final int height;
    private final int width;
    private final float[] data;
    private final String source;

    /**
     * @param source where the values came from (a file name, "mat", ...), used in error messages
     * @throws IllegalArgumentException on non-positive sizes, a length that does not match, or a
     *     NaN or infinite value
     */
    public FloatImage(int channels, int height, int width, float[] data, String source) {
        this.source = source == null ? "image" : source;
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(this.source + ": image sizes must be positive, got "
                    + channels + "x" + height + "x" + width + " (CxHxW)");
        }
        if (data == null || (long) channels * height * width != data.length) {
            throw new IllegalArgumentException(this.source + ": " + channels + "x" + height + "x" + width
                    + " (CxHxW) needs " + (long) channels * height * width + " floats, got "
                    + (data == null ? "null" : data.length));
        }
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                int plane = height * width;
                throw new IllegalArgumentException(this.source + ": value " + data[i] + " at channel " + i / plane
                        + ", y " + (i % plane) / width + ", x " + i % width + "; replace NaN/infinite values before scanning");
            }
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.data = data;
    }

    /** A single-channel map of {@code height x width} values (a heatmap or residual). */
    public static FloatImage map(int height, int width, float[] data, String source) {
        return new FloatImage(1, height, width, data, source);
    }

    public int channels() { return channels; }

    public int height() { return height; }

    public int width() { return width; }

    /** The backing CHW array, not a copy: do not modify. */
    public float[] data() { return data; }

    public String source() { return source; }

    /** The value at channel c, row y, column x. */
    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** The largest value over all channels. */
    public float max() {
        float m = data[0];
        for (float v : data) m = Math.max(m, v);
        return m;
    }

    @Override
    public String toString() {
        return "FloatImage[" + source + ", " + channels + "x" + height + "x" + width + "]";
    }
}
