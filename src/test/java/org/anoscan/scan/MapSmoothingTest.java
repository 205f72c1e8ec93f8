package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.anoscan.io.FloatImage;
import org.junit.jupiter.api.Test;

/** The separable smoothing against a direct 2-d Gaussian sum with mirrored borders. */
class MapSmoothingTest {
    @Test
    void matchesTheDirectTwoDimensionalSum() {
        Random rnd = new Random(4);
        int h = 9, w = 13;
        float[] v = new float[h * w];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        FloatImage map = FloatImage.map(h, w, v, "m");
        for (double sigma : new double[] {0.7, 2.0, 5.0}) { // 5: the kernel is wider than the map
            float[] got = MapSmoothing.gaussian(map, sigma).data();
            int r = (int) Math.ceil(3 * sigma);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double sum = 0, norm = 0;
                    for (int dy = -r; dy <= r; dy++) {
                        for (int dx = -r; dx <= r; dx++) {
                            double k = Math.exp(-0.5 * (dy * dy + dx * dx) / (sigma * sigma));
                            sum += k * v[MapSmoothing.mirror(y + dy, h) * w + MapSmoothing.mirror(x + dx, w)];
                            norm += k;
                        }
                    }
                    assertEquals(sum / norm, got[y * w + x], 1e-5, "sigma " + sigma + " at " + y + "," + x);
                }
            }
        }
        assertSame(map, MapSmoothing.gaussian(map, 0), "sigma 0 leaves the map as it is");
        assertThrows(IllegalArgumentException.class, () -> MapSmoothing.gaussian(map, -1));
    }

    @Test
    void mirrorReflectsAtBothEdges() {
        int[] expected = {2, 1, 0, 0, 1, 2, 2, 1, 0, 0};
        for (int i = -3; i < 7; i++) assertEquals(expected[i + 3], MapSmoothing.mirror(i, 3), "index " + i);
    }
}
