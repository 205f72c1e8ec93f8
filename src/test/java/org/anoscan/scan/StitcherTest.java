package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.anoscan.io.FloatImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StitcherTest {
    /** Tiles {@code img}, takes each patch itself as its residual, and stitches the residuals back. */
    private static Stitcher roundTrip(FloatImage img, Tiler tiler) {
        Stitcher s = new Stitcher(img.height(), img.width(), img.channels(), tiler.patchSize(), img.source());
        for (PatchPosition p : tiler.positions(img)) s.add(p, tiler.extract(img, p), 0);
        return s;
    }

    @ParameterizedTest(name = "{0}x{1}, P={2}, S={3}")
    @CsvSource({"70,53,32,16", "32,32,32,16", "64,64,32,16", "50,41,8,3", "33,97,32,32", "40,40,7,1"})
    void patchesStitchBackToExactlyTheImage(int h, int w, int p, int s) {
        FloatImage img = TilerTest.random(1, h, w, h * 1000L + w);
        Stitcher st = roundTrip(img, new Tiler(p, s, false));

        FloatImage heat = st.heatmap();
        assertEquals(1, heat.channels());
        assertEquals(h, heat.height());
        assertEquals(w, heat.width());
        assertArrayEquals(img.data(), heat.data(), 0f);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) assertTrue(st.coverage(y, x) > 0, "pixel " + y + "," + x + " uncovered");
        }
    }

    @Test
    void overlapCountsFollowTheTiling() {
        Stitcher st = roundTrip(TilerTest.random(1, 70, 53, 9), new Tiler(32, 16, false));
        // row 40 lies in the patches starting at rows 16, 32 and 38; column 0 only in those at column 0
        assertEquals(3, st.coverage(40, 0));
        // row 0 / column 20: rows {0}, columns {0, 16}
        assertEquals(2, st.coverage(0, 20));
        // bottom-right corner: only the edge-aligned patch
        assertEquals(1, st.coverage(69, 52));
    }

    @Test
    void channelsAreAveraged() {
        FloatImage img = TilerTest.random(3, 45, 38, 4);
        FloatImage heat = roundTrip(img, new Tiler(16, 8, false)).heatmap();
        for (int y = 0; y < 45; y++) {
            for (int x = 0; x < 38; x++) {
                double sum = (double) img.get(0, y, x) + img.get(1, y, x) + img.get(2, y, x);
                assertEquals((float) (sum / 3), heat.get(0, y, x), 1e-7f);
            }
        }
    }

    @Test
    void paddedSmallImageStitchesBackAndDropsThePad() {
        FloatImage small = TilerTest.random(1, 20, 13, 5);
        Tiler tiler = new Tiler(32, 16, true);
        assertArrayEquals(small.data(), roundTrip(small, tiler).heatmap().data(), 0f);
    }

    @Test
    void skippedPatchesCountAsZeroResiduals() {
        float[] ones = new float[32 * 48];
        java.util.Arrays.fill(ones, 0.6f);
        FloatImage img = FloatImage.map(32, 48, ones, "ones");
        Tiler tiler = new Tiler(32, 16, false); // columns 0 and 16
        Stitcher st = new Stitcher(32, 48, 1, 32, "ones");
        st.add(new PatchPosition(0, 0), tiler.extract(img, new PatchPosition(0, 0)), 0);
        st.addSkipped(new PatchPosition(0, 16));

        FloatImage heat = st.heatmap();
        assertEquals(0.6f, heat.get(0, 5, 10), 0f);  // only the searched patch
        assertEquals(0f, heat.get(0, 5, 40), 0f);    // only the skipped patch
        // where they overlap, the patch whose centre is nearer weighs more: column 20 is 4 from the searched
        // patch's centre (16), 12 from the skipped one's (32)
        assertTrue(heat.get(0, 5, 20) > 0.3f && heat.get(0, 5, 20) < 0.6f, "" + heat.get(0, 5, 20));
        assertTrue(heat.get(0, 5, 28) < 0.3f, "column 28 is nearer the skipped patch's centre: " + heat.get(0, 5, 28));
    }

    /** The weighted mean, pixel by pixel from the definition (the patches covering it, each with its window weight). */
    @Test
    void blendingIsTheWindowWeightedMeanOfTheCoveringPatches() {
        int h = 45, w = 38, ps = 16;
        Tiler tiler = new Tiler(ps, 6, false);
        FloatImage img = TilerTest.random(1, h, w, 8);
        Stitcher st = new Stitcher(h, w, 1, ps, "x");
        java.util.List<PatchPosition> positions = tiler.positions(img);
        java.util.Map<PatchPosition, float[]> residuals = new java.util.HashMap<>();
        java.util.Random rnd = new java.util.Random(3);
        for (PatchPosition p : positions) {
            float[] r = new float[ps * ps];
            for (int i = 0; i < r.length; i++) r[i] = rnd.nextFloat();
            residuals.put(p, r);
            st.add(p, r, 0);
        }
        FloatImage heat = st.heatmap();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double num = 0, den = 0;
                for (PatchPosition p : positions) {
                    int i = y - p.y(), j = x - p.x();
                    if (i < 0 || j < 0 || i >= ps || j >= ps) continue;
                    double wy = Math.pow(Math.sin(Math.PI * (i + 0.5) / ps), 2), wx = Math.pow(Math.sin(Math.PI * (j + 0.5) / ps), 2);
                    num += wy * wx * residuals.get(p)[i * ps + j];
                    den += wy * wx;
                }
                assertEquals(num / den, heat.get(0, y, x), 1e-6, "pixel " + y + "," + x);
            }
        }
    }

    /** Two neighbouring patches with different constant residuals: no step where one of them ends. */
    @Test
    void seamsVanish() {
        int ps = 32;
        Stitcher st = new Stitcher(32, 48, 1, ps, "two");
        float[] low = new float[ps * ps], high = new float[ps * ps];
        java.util.Arrays.fill(high, 1f);
        st.add(new PatchPosition(0, 0), low, 0);
        st.add(new PatchPosition(0, 16), high, 0);
        FloatImage heat = st.heatmap();
        float largestStep = 0;
        for (int x = 1; x < 48; x++) largestStep = Math.max(largestStep, Math.abs(heat.get(0, 10, x) - heat.get(0, 10, x - 1)));
        // plain averaging jumps by 0.5 at x = 16 (one patch -> two) and at x = 32 (two -> one)
        assertTrue(largestStep < 0.15f, "largest step between neighbouring pixels: " + largestStep);
        assertEquals(0f, heat.get(0, 10, 15), 1e-6f, "left of the overlap: the low patch only");
        assertEquals(1f, heat.get(0, 10, 32), 1e-6f, "right of the overlap: the high patch only");
        float[] win = Stitcher.window(ps);
        for (int i = 0; i < ps / 2; i++) assertEquals(1f, win[i] + win[i + ps / 2], 1e-6f, "half-shifted windows sum to 1");
    }

    @Test
    void incompleteStitchingAndOutsidePatchesAreRefused() {
        Stitcher st = new Stitcher(40, 40, 1, 32, "partial");
        st.add(new PatchPosition(0, 0), new float[32 * 32], 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, st::heatmap);
        assertTrue(e.getMessage().startsWith("partial: 576 of 1600 pixels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> st.add(new PatchPosition(40, 0), new float[32 * 32], 0));
        assertThrows(IllegalArgumentException.class, () -> st.add(new PatchPosition(0, 0), new float[32 * 31], 0));
    }
}
