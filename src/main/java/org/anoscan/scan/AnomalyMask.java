package org.anoscan.scan;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.io.FloatImage;

/**
 * A heatmap thresholded into a binary mask (a pixel is anomalous when its value is strictly above the
 * threshold), with its connected regions. Regions use 8-connectivity (diagonal neighbours join, so a thin
 * diagonal defect stays one region) and are found by a flood fill in Java: exact, no native objects.
 * Regions are listed in raster order of their first (top-most, then left-most) pixel.
 */
public final class AnomalyMask {
    private final int height;
    private final int width;
    private final boolean[] mask;
    private final List<Region> regions;

    private AnomalyMask(int height, int width, boolean[] mask, List<Region> regions) {
        this.height = height;
        this.width = width;
        this.mask = mask;
        this.regions = regions;
    }

    /**
     * Thresholds a 1-channel map: pixels with {@code value > threshold} are anomalous.
     *
     * @throws IllegalArgumentException when the map has more than one channel or the threshold is NaN
     */
    public static AnomalyMask threshold(FloatImage map, float threshold) {
        if (map.channels() != 1) {
            throw new IllegalArgumentException(map.source() + ": " + map.channels() + " channels; threshold a 1-channel heatmap");
        }
        if (Float.isNaN(threshold)) throw new IllegalArgumentException("threshold is NaN");
        float[] v = map.data();
        boolean[] mask = new boolean[v.length];
        for (int i = 0; i < v.length; i++) mask[i] = v[i] > threshold;
        return new AnomalyMask(map.height(), map.width(), mask, findRegions(mask, v, map.height(), map.width()));
    }

    public int height() { return height; }

    public int width() { return width; }

    public boolean get(int y, int x) { return mask[y * width + x]; }

    /** A copy of the mask, row-major ({@code y * width + x}). */
    public boolean[] pixels() { return mask.clone(); }

    /** The number of anomalous pixels. */
    public int area() {
        int n = 0;
        for (boolean b : mask) if (b) n++;
        return n;
    }

    /** The 8-connected regions, in raster order of their first pixel. */
    public List<Region> regions() { return regions; }

    private static List<Region> findRegions(boolean[] mask, float[] values, int h, int w) {
        List<Region> out = new ArrayList<>();
        boolean[] seen = new boolean[mask.length];
        int[] stack = new int[mask.length]; // each pixel is pushed at most once
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || seen[start]) continue;
            int top = 0;
            stack[top++] = start;
            seen[start] = true;
            int minX = w, minY = h, maxX = -1, maxY = -1, area = 0;
            float max = Float.NEGATIVE_INFINITY;
            while (top > 0) {
                int p = stack[--top];
                int y = p / w, x = p % w;
                area++;
                max = Math.max(max, values[p]);
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = y + dy;
                    if (ny < 0 || ny >= h) continue;
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        if (nx < 0 || nx >= w) continue;
                        int q = ny * w + nx;
                        if (mask[q] && !seen[q]) {
                            seen[q] = true;
                            stack[top++] = q;
                        }
                    }
                }
            }
            out.add(new Region(minX, minY, maxX - minX + 1, maxY - minY + 1, area, max));
        }
        return List.copyOf(out);
    }
}
