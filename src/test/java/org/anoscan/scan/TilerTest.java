package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.anoscan.io.FloatImage;
import org.junit.jupiter.api.Test;

class TilerTest {
    static FloatImage random(int c, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] v = new float[c * h * w];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() * 2 - 1;
        return new FloatImage(c, h, w, v, "random-" + h + "x" + w);
    }

    private static List<PatchPosition> grid(int[] ys, int[] xs) {
        List<PatchPosition> out = new ArrayList<>();
        for (int y : ys) for (int x : xs) out.add(new PatchPosition(y, x));
        return out;
    }

    @Test
    void lastRowAndColumnAreAlignedToTheEdges() {
        Tiler t = new Tiler(32, 16, false);
        // 70 rows: 0, 16, 32 fit; 48 would not, so the last starts at 70 - 32 = 38. 53 columns: 0, 16, then 21.
        assertEquals(grid(new int[] {0, 16, 32, 38}, new int[] {0, 16, 21}), t.positions(70, 53));
    }

    @Test
    void noDuplicateWhenTheStrideDividesAndOnePatchWhenSizeEqualsPatch() {
        Tiler t = new Tiler(32);
        assertEquals(16, t.stride());
        assertEquals(grid(new int[] {0, 16, 32}, new int[] {0, 16, 32}), t.positions(64, 64));
        assertEquals(List.of(new PatchPosition(0, 0)), t.positions(32, 32));
        assertEquals(grid(new int[] {0}, new int[] {0, 1}), t.positions(32, 33));
    }

    @Test
    void imageSmallerThanPatchIsRefusedWithoutPadding() {
        FloatImage small = random(1, 20, 40, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Tiler(32).positions(small));
        assertTrue(e.getMessage().startsWith("random-20x40: image 20x40 is smaller than the patch 32x32"), e.getMessage());
        assertTrue(e.getMessage().contains("--pad"), "the message names the option: " + e.getMessage());
    }

    @Test
    void paddingReflectsPastTheBottomAndRightEdges() {
        FloatImage small = random(2, 5, 3, 2);
        Tiler t = new Tiler(8, 4, true);
        assertEquals(List.of(new PatchPosition(0, 0)), t.positions(small));

        float[] patch = t.extract(small, new PatchPosition(0, 0));
        int[] rowOf = {0, 1, 2, 3, 4, 3, 2, 1};  // reflect-101 over 5 rows
        int[] colOf = {0, 1, 2, 1, 0, 1, 2, 1};  // over 3 columns, repeated
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    assertEquals(small.get(c, rowOf[i], colOf[j]), patch[(c * 8 + i) * 8 + j], 0f, c + "," + i + "," + j);
                }
            }
        }
    }

    @Test
    void paddingOnlyTouchesTheShortAxis() {
        Tiler t = new Tiler(8, 4, true);
        assertEquals(grid(new int[] {0}, new int[] {0, 4, 8, 9}), t.positions(5, 17));
    }

    @Test
    void reflectIndexing() {
        assertEquals(0, Tiler.reflect(7, 1));
        int[] two = {0, 1, 0, 1, 0};
        for (int i = 0; i < two.length; i++) assertEquals(two[i], Tiler.reflect(i, 2));
        int[] four = {0, 1, 2, 3, 2, 1, 0, 1, 2, 3};
        for (int i = 0; i < four.length; i++) assertEquals(four[i], Tiler.reflect(i, 4));
    }

    @Test
    void extractCopiesEveryChannelOfThePatch() {
        FloatImage img = random(3, 40, 50, 3);
        PatchPosition p = new PatchPosition(7, 11);
        float[] dst = new float[5 + 3 * 16 * 16];
        new Tiler(16).extract(img, p, dst, 5);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 16; i++) {
                for (int j = 0; j < 16; j++) {
                    assertEquals(img.get(c, 7 + i, 11 + j), dst[5 + (c * 16 + i) * 16 + j], 0f);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Tiler(16).extract(img, new PatchPosition(30, 0)));
    }

    @Test
    void strideMustBeBetweenOneAndThePatchSize() {
        assertThrows(IllegalArgumentException.class, () -> new Tiler(32, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Tiler(32, 33, false));
        assertThrows(IllegalArgumentException.class, () -> new Tiler(0));
        assertEquals(1, new Tiler(1).stride());
    }
}
