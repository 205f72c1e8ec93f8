package org.anoscan.scan;

import org.anoscan.io.FloatImage;

/**
 * Gaussian smoothing of a stitched map, separable, with mirrored borders. Patch maps are stitched on the
 * stride's grid, so a map carries steps at patch edges; smoothing at a fraction of the stride removes them
 * without moving a defect's peak.
 */
public final class MapSmoothing {
    private MapSmoothing() {}

    /** The map blurred with a Gaussian of standard deviation sigma pixels (truncated at 3 sigma); sigma 0 returns it unchanged. */
    public static FloatImage gaussian(FloatImage map, double sigma) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("smoothing sigma must be finite and >= 0, got " + sigma);
        if (sigma == 0) return map;
        int h = map.height(), w = map.width(), r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double total = 0;
        for (int i = -r; i <= r; i++) total += k[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= total;
        float[] src = map.data();
        double[] tmp = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * src[y * w + mirror(x + i, w)];
                tmp[y * w + x] = s;
            }
        }
        float[] out = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) s += k[i + r] * tmp[mirror(y + i, h) * w + x];
                out[y * w + x] = (float) s;
            }
        }
        return FloatImage.map(h, w, out, map.source());
    }

    /** Reflects i into [0, n) (…, 1, 0 | 0, 1, …, n-1 | n-1, n-2, …), repeating for kernels wider than the map. */
    static int mirror(int i, int n) {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }
}
