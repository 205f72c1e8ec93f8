package org.anoscan.bench;

import org.anoscan.io.FloatImage;

/**
 * Synthetic defects at known places, for demos and localisation benchmarks: each call paints into a
 * single-channel image (values in [-1, 1]) and marks the painted pixels in a mask of the same size.
 */
public final class Defects {
    private Defects() {}

    /** A copy of a rectangle of img (channel 0). */
    public static FloatImage crop(FloatImage img, int y0, int x0, int h, int w, String name) {
        float[] out = new float[h * w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(img.data(), (y0 + y) * img.width() + x0, out, y * w, w);
        }
        return new FloatImage(1, h, w, out, name);
    }

    /** Pastes a size x size square of donor (from donorY, donorX) at (y, x). */
    public static void pasteTexture(float[] img, boolean[] mask, int width, FloatImage donor, int donorY, int donorX, int y, int x,
                                    int size) {
        for (int dy = 0; dy < size; dy++) {
            for (int dx = 0; dx < size; dx++) {
                int i = (y + dy) * width + x + dx;
                img[i] = donor.data()[(donorY + dy) * donor.width() + donorX + dx];
                mask[i] = true;
            }
        }
    }

    /** A straight scratch of the given half-width from (y0, x0) to (y1, x1), painted with value. */
    public static void scratch(float[] img, boolean[] mask, int width, int y0, int x0, int y1, int x1, double halfWidth, float value) {
        int height = img.length / width;
        double len2 = (double) (y1 - y0) * (y1 - y0) + (double) (x1 - x0) * (x1 - x0);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((y - y0) * (double) (y1 - y0) + (x - x0) * (double) (x1 - x0)) / len2));
                double py = y0 + t * (y1 - y0);
                double px = x0 + t * (x1 - x0);
                if (Math.hypot(y - py, x - px) <= halfWidth) {
                    img[y * width + x] = value;
                    mask[y * width + x] = true;
                }
            }
        }
    }

    /** A round blob of the given radius centred at (cy, cx), blended towards value with a soft edge. */
    public static void blob(float[] img, boolean[] mask, int width, int cy, int cx, double radius, float value) {
        int height = img.length / width;
        for (int y = Math.max(0, (int) (cy - radius)); y <= Math.min(height - 1, (int) (cy + radius)); y++) {
            for (int x = Math.max(0, (int) (cx - radius)); x <= Math.min(width - 1, (int) (cx + radius)); x++) {
                double d = Math.hypot(y - cy, x - cx) / radius;
                if (d <= 1) {
                    double a = d < 0.7 ? 1 : (1 - d) / 0.3;
                    int i = y * width + x;
                    img[i] = (float) ((1 - a) * img[i] + a * value);
                    mask[i] = true;
                }
            }
        }
    }
    /**
     * A smooth stain: blends towards value with a weight that is flat up to half the radius and falls off
     * smoothly (smoothstep) to zero at the radius. Pixels weighted at least a quarter of the peak are marked:
     * fainter ones are not visibly changed.
     */
    public static void stain(float[] img, boolean[] mask, int width, int cy, int cx, double radius, float value, double strength) {
        int height = img.length / width;
        for (int y = Math.max(0, (int) (cy - radius)); y <= Math.min(height - 1, (int) (cy + radius)); y++) {
            for (int x = Math.max(0, (int) (cx - radius)); x <= Math.min(width - 1, (int) (cx + radius)); x++) {
                double d = Math.hypot(y - cy, x - cx) / radius;
                if (d >= 1) continue;
                double t = d <= 0.5 ? 0 : (d - 0.5) / 0.5;
                double a = strength * (1 - t * t * (3 - 2 * t));
                int i = y * width + x;
                img[i] = (float) ((1 - a) * img[i] + a * value);
                if (a >= 0.25 * strength) mask[i] = true;
            }
        }
    }

    /** Brightens an h x w rectangle at (y, x) by delta (clipped to 1): the texture stays, only its level moves. */
    public static void brighten(float[] img, boolean[] mask, int width, int y, int x, int h, int w, float delta) {
        for (int dy = 0; dy < h; dy++) {
            for (int dx = 0; dx < w; dx++) {
                int i = (y + dy) * width + x + dx;
                img[i] = Math.min(1f, img[i] + delta);
                mask[i] = true;
            }
        }
    }
}
