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
        assertEquals(0.3f, heat.get(0, 5, 20), 0f);  // searched and skipped overlap
        assertEquals(0f, heat.get(0, 5, 40), 0f);    // only the skipped patch
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
