package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.anoscan.io.FloatImage;
import org.junit.jupiter.api.Test;

class AnomalyMaskTest {
    private static final int H = 10, W = 12;

    private static void set(float[] m, int x, int y, float v) { m[y * W + x] = v; }

    /** Three regions: a block, a diagonal line, a single pixel; plus a pixel exactly at the threshold. */
    private static FloatImage handMade() {
        float[] m = new float[H * W];
        for (int y = 1; y <= 2; y++) for (int x = 1; x <= 3; x++) set(m, x, y, 0.5f); // block 3x2
        set(m, 2, 2, 0.9f);
        set(m, 8, 5, 0.6f);  // diagonal: joined only through corners
        set(m, 9, 6, 0.8f);
        set(m, 10, 7, 0.7f);
        set(m, 0, 9, 0.4f);  // equal to the threshold: not anomalous
        set(m, 11, 9, 0.45f);
        return FloatImage.map(H, W, m, "hand-made");
    }

    @Test
    void regionsHaveBoundingBoxesAreasAndMaxima() {
        AnomalyMask mask = AnomalyMask.threshold(handMade(), 0.4f);

        assertEquals(List.of(
                new Region(1, 1, 3, 2, 6, 0.9f),
                new Region(8, 5, 3, 3, 3, 0.8f),
                new Region(11, 9, 1, 1, 1, 0.45f)), mask.regions());
        assertEquals(10, mask.area());
        assertTrue(mask.get(5, 8));
        assertFalse(mask.get(9, 0), "a value equal to the threshold is not above it");
        assertFalse(mask.get(5, 9));
    }

    @Test
    void higherThresholdSplitsAndShrinksRegions() {
        AnomalyMask mask = AnomalyMask.threshold(handMade(), 0.65f);
        // the diagonal loses its first pixel (0.6) but its other two still touch at a corner
        assertEquals(List.of(new Region(2, 2, 1, 1, 1, 0.9f), new Region(9, 6, 2, 2, 2, 0.8f)), mask.regions());
    }

    @Test
    void pixelsIsARowMajorCopy() {
        AnomalyMask mask = AnomalyMask.threshold(handMade(), 0.4f);
        boolean[] px = mask.pixels();
        assertEquals(H * W, px.length);
        assertTrue(px[5 * W + 8]);
        px[0] = true;
        assertFalse(mask.get(0, 0));
    }

    @Test
    void emptyMaskHasNoRegionsAndMultiChannelMapsAreRefused() {
        assertTrue(AnomalyMask.threshold(handMade(), 5f).regions().isEmpty());
        FloatImage two = new FloatImage(2, 2, 2, new float[8], "two-channel");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AnomalyMask.threshold(two, 0f));
        assertTrue(e.getMessage().startsWith("two-channel"), e.getMessage());
    }
}
