package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantilesTest {
    @Test
    void nearestRankQuantile() {
        double[] v = {5, 1, 4, 2, 3};
        assertEquals(5, Quantiles.of(v, 1.0));
        assertEquals(5, Quantiles.of(v, 0.99), "ceil(0.99 * 5) = 5th smallest");
        assertEquals(4, Quantiles.of(v, 0.8));
        assertEquals(1, Quantiles.of(v, 0.01));
        double[] hundred = new double[100];
        for (int i = 0; i < 100; i++) hundred[i] = i;
        assertEquals(98, Quantiles.of(hundred, 0.99), "99 of 100 values are <= it, one is above");
        assertThrows(IllegalArgumentException.class, () -> Quantiles.of(v, 0));
        assertThrows(IllegalArgumentException.class, () -> Quantiles.of(v, 1.5));
        assertThrows(IllegalArgumentException.class, () -> Quantiles.of(new double[0], 0.5));
    }

    @Test
    void pixelQuantileIsWithinOneBinOfTheExactOne() {
        Random r = new Random(1);
        PixelQuantile pq = new PixelQuantile();
        float[] all = new float[300_000];
        for (int chunk = 0; chunk < 3; chunk++) {
            float[] v = new float[100_000];
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.abs(r.nextGaussian() * 0.2);
            System.arraycopy(v, 0, all, chunk * v.length, v.length);
            pq.add(v);
        }
        assertEquals(all.length, pq.count());
        Arrays.sort(all);
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999, 1.0}) {
            double exact = all[(int) Quantiles.rank(q, all.length) - 1];
            double got = pq.quantile(q);
            assertTrue(got >= exact && got <= exact + PixelQuantile.RANGE / PixelQuantile.BINS,
                    "q " + q + ": " + got + " vs exact " + exact);
        }
        assertEquals(all[all.length - 1], pq.quantile(1.0), 0.0, "never above the largest value");
    }

    @Test
    void pixelQuantileKeepsValuesAboveTheRangeExactly() {
        PixelQuantile pq = new PixelQuantile();
        pq.add(new float[] {0.1f, 0.2f, 3.5f, 2.5f});
        assertEquals(3.5f, pq.quantile(1.0), 0.0);
        assertEquals(2.5f, pq.quantile(0.75), 0.0);
        assertThrows(IllegalArgumentException.class, () -> pq.add(new float[] {-1f}));
        assertThrows(IllegalStateException.class, () -> new PixelQuantile().quantile(0.5));
    }

    @Test
    void pixelQuantileOfANormalisedMapKeepsValuesOutsideItsRangeExactly() {
        PixelQuantile pq = PixelQuantile.forMap(MapKind.COMBINED);
        pq.add(new float[] {-20f, -1.5f, 0.25f, 3f, 60f});
        assertEquals(-20f, pq.quantile(0.2), 0.0);
        double width = PixelQuantile.NORMALISED_RANGE / PixelQuantile.BINS;
        assertTrue(pq.quantile(0.4) >= -1.5 && pq.quantile(0.4) <= -1.5 + width, "" + pq.quantile(0.4));
        assertTrue(pq.quantile(0.8) >= 3 && pq.quantile(0.8) <= 3 + width, "" + pq.quantile(0.8));
        assertEquals(60f, pq.quantile(1.0), 0.0);
    }
}
