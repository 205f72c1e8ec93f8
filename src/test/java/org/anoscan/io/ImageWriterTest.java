package org.anoscan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageWriterTest {
    @TempDir Path dir;

    /** A 1-channel map rising from 0 at the top-left to 2 at the bottom-right. */
    private static FloatImage ramp(int h, int w) {
        float[] v = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) v[y * w + x] = 2f * (y + x) / (h + w - 2);
        }
        return FloatImage.map(h, w, v, "ramp");
    }

    @Test
    void heatmapHasTheMapSizeAndRunsFromColdToHot() throws IOException {
        Path file = dir.resolve("out/heat.png"); // parent is created
        ImageWriter.writeHeatmap(file, ramp(37, 53), ColorMap.JET);

        int[] shape = new int[3];
        int[] px = TestMats.readRaw(file, shape);
        assertArrayEquals(new int[] {37, 53, 3}, shape);
        int last = (37 * 53 - 1) * 3;
        assertTrue(px[0] > px[2], "coldest pixel should be blue (B > R) in JET");
        assertTrue(px[last + 2] > px[last], "hottest pixel should be red (R > B) in JET");
    }

    @Test
    void fixedMaxClipsHotterValuesAndKeepsScaleAcrossMaps() throws IOException {
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png");
        ImageWriter.writeHeatmap(a, FloatImage.map(1, 3, new float[] {0f, 0.5f, 1f}, "a"), 1f, ColorMap.INFERNO);
        ImageWriter.writeHeatmap(b, FloatImage.map(1, 3, new float[] {0f, 0.5f, 7f}, "b"), 1f, ColorMap.INFERNO);

        int[] shape = new int[3];
        int[] pa = TestMats.readRaw(a, shape), pb = TestMats.readRaw(b, shape);
        assertArrayEquals(pa, pb, "values above max take max's colour; the same max gives the same colours");
        assertTrue(pa[0] + pa[1] + pa[2] < 30, "INFERNO starts (nearly) black");
        assertTrue(pa[8] > 200 && pa[6] < pa[8], "INFERNO ends bright yellow (R high, B lower)");
        assertThrows(IllegalArgumentException.class,
                () -> ImageWriter.writeHeatmap(dir.resolve("c.png"), ramp(2, 2), 0f, ColorMap.JET));
    }

    @Test
    void overlayBlendsImageAndHeatmap() throws IOException {
        FloatImage gray = new FloatImage(1, 4, 6, new float[24], "gray"); // all 0: gray level 128
        FloatImage map = ramp(4, 6);
        Path heat = dir.resolve("heat.png"), none = dir.resolve("alpha0.png"), full = dir.resolve("alpha1.png");
        Path half = dir.resolve("half.png");
        ImageWriter.writeHeatmap(heat, map, ColorMap.JET);
        ImageWriter.writeOverlay(none, gray, map, ColorMap.JET, 0);
        ImageWriter.writeOverlay(full, gray, map, ColorMap.JET, 1);
        ImageWriter.writeOverlay(half, gray, map, 2f, ColorMap.JET, 0.5);

        int[] shape = new int[3];
        int[] pHeat = TestMats.readRaw(heat, shape);
        int[] p0 = TestMats.readRaw(none, shape);
        assertArrayEquals(new int[] {4, 6, 3}, shape);
        for (int v : p0) assertEquals(128, v, "alpha 0 shows the image only");
        assertArrayEquals(pHeat, TestMats.readRaw(full, shape), "alpha 1 shows the heatmap only");
        int[] pHalf = TestMats.readRaw(half, shape);
        for (int i = 0; i < pHalf.length; i++) assertEquals((128 + pHeat[i]) / 2.0, pHalf[i], 0.51);

        FloatImage wrongSize = ramp(5, 6);
        assertThrows(IllegalArgumentException.class,
                () -> ImageWriter.writeOverlay(dir.resolve("x.png"), gray, wrongSize, ColorMap.JET, 0.5));
    }

    @Test
    void maskIsBlackAndWhite() throws IOException {
        boolean[] mask = {true, false, false, true, true, false};
        Path file = dir.resolve("mask.png");
        ImageWriter.writeMask(file, mask, 2, 3);

        int[] shape = new int[3];
        assertArrayEquals(new int[] {255, 0, 0, 255, 255, 0}, TestMats.readRaw(file, shape));
        assertArrayEquals(new int[] {2, 3, 1}, shape);
    }

    @Test
    void gridLaysPatchesOutRowByRowWithGaps() throws IOException {
        int n = 5, p = 4, len = p * p;
        float[] patches = new float[n * len];
        for (int k = 0; k < n; k++) java.util.Arrays.fill(patches, k * len, (k + 1) * len, -1f + 0.4f * k);
        Path file = dir.resolve("grid.png");
        ImageWriter.writeGrid(file, patches, n, 1, p, 0); // ceil(sqrt(5)) = 3 columns, 2 rows

        int[] shape = new int[3];
        int[] px = TestMats.readRaw(file, shape);
        int g = ImageWriter.GRID_GAP, w = 3 * p + 2 * g;
        assertArrayEquals(new int[] {2 * p + g, w, 1}, shape);
        for (int k = 0; k < n; k++) {
            int y0 = (k / 3) * (p + g), x0 = (k % 3) * (p + g);
            int expected = ImageWriter.to8(-1f + 0.4f * k);
            assertEquals(expected, px[(y0 + p - 1) * w + x0 + p - 1], "patch " + k);
        }
        assertEquals(0, px[p], "gap between patches is black");
    }

    @Test
    void colourGridKeepsRgbOrder() throws IOException {
        float[] patch = new float[3 * 2 * 2];
        java.util.Arrays.fill(patch, 0, 4, 1f);   // R = 255
        java.util.Arrays.fill(patch, 4, 12, -1f); // G = B = 0
        Path file = dir.resolve("rgb-grid.png");
        ImageWriter.writeGrid(file, patch, 1, 3, 2, 1);

        int[] shape = new int[3];
        int[] px = TestMats.readRaw(file, shape);
        assertArrayEquals(new int[] {0, 0, 255}, new int[] {px[0], px[1], px[2]}, "stored BGR: red");
    }

    @Test
    void imageRoundTripsThroughReaderExactlyAtEightBits() throws IOException {
        float[] v = new float[3 * 3 * 5];
        for (int i = 0; i < v.length; i++) v[i] = ((i * 53) % 256) / 127.5f - 1f;
        FloatImage img = new FloatImage(3, 3, 5, v, "rgb");
        Path file = dir.resolve("rgb.png");
        ImageWriter.writeImage(file, img);

        assertArrayEquals(v, ImageReader.read(file, 3).data(), 0f);
    }

    @Test
    void unwritablePathIsAOneLineErrorNamingIt() throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        Path file = blocker.resolve("heat.png"); // parent is a regular file
        IOException e = assertThrows(IOException.class, () -> ImageWriter.writeHeatmap(file, ramp(3, 3), ColorMap.JET));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
