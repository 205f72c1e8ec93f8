package org.anoscan.io;

import static org.bytedeco.opencv.global.opencv_core.CV_16SC1;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageReaderTest {
    @TempDir Path dir;

    /** 0..255 over a 16x16 image, so both ends of the 8-bit range are present. */
    private static int[] ramp8() {
        int[] v = new int[256];
        for (int i = 0; i < 256; i++) v[i] = (i * 37) % 256; // a permutation of 0..255
        return v;
    }

    @Test
    void png8BitGrayIsScaledByDepthExactly() throws IOException {
        Path file = dir.resolve("gray8.png");
        int[] v = ramp8();
        try (Mat m = TestMats.mat8(16, 16, CV_8UC1, v)) { TestMats.write(file, m); }

        FloatImage img = ImageReader.read(file, 1);

        assertEquals(1, img.channels());
        assertEquals(16, img.height());
        assertEquals(16, img.width());
        assertEquals(file.toString(), img.source());
        for (int i = 0; i < 256; i++) assertEquals(v[i] / 127.5f - 1f, img.data()[i], 0f, "pixel " + i);
        int zero = indexOf(v, 0), full = indexOf(v, 255);
        assertEquals(-1f, img.data()[zero], 0f);
        assertEquals(1f, img.data()[full], 0f);
    }

    @Test
    void bytesDecodeAsTheFileReadsAndBadBytesSayWhichImage() throws IOException {
        Path file = dir.resolve("colour.png");
        int[] v = new int[8 * 6 * 3];
        for (int i = 0; i < v.length; i++) v[i] = (i * 53) % 256;
        try (Mat m = TestMats.mat8(8, 6, CV_8UC3, v)) { TestMats.write(file, m); }

        FloatImage fromFile = ImageReader.read(file, 3);
        FloatImage fromBytes = ImageReader.decode(Files.readAllBytes(file), "hdfs://nn/colour.png", 3, null, ImageReader.DEFAULT_MAX_PIXELS);

        assertArrayEquals(fromFile.data(), fromBytes.data(), 0f);
        assertEquals("hdfs://nn/colour.png", fromBytes.source());
        IOException bad = assertThrows(IOException.class,
                () -> ImageReader.decode("not an image".getBytes(), "hdfs://nn/bad.png", 1, null, ImageReader.DEFAULT_MAX_PIXELS));
        assertTrue(bad.getMessage().startsWith("hdfs://nn/bad.png: not a readable image"), bad.getMessage());
        assertThrows(IOException.class, () -> ImageReader.decode(new byte[0], "empty", 1, null, ImageReader.DEFAULT_MAX_PIXELS));
    }

    @Test
    void png16BitGrayKeepsAllSixteenBits() throws IOException {
        Path file = dir.resolve("gray16.png");
        int[] v = {0, 1, 255, 256, 32767, 32768, 40000, 65534, 65535, 12345, 54321, 7};
        try (Mat m = TestMats.mat16(3, 4, CV_16UC1, v)) { TestMats.write(file, m); }

        FloatImage img = ImageReader.read(file, 1);

        for (int i = 0; i < v.length; i++) assertEquals(v[i] / 32767.5f - 1f, img.data()[i], 0f, "pixel " + i);
        assertEquals(-1f, img.data()[0], 0f);
        assertEquals(1f, img.data()[8], 0f);
        assertTrue(img.data()[1] != img.data()[0], "a 1-step difference at 16 bits must survive");
    }

    @Test
    void png16BitColourComesOutRgbPlanes() throws IOException {
        Path file = dir.resolve("colour16.png");
        int[] bgr = {100, 20000, 65535, 0, 1, 2}; // 1x2 pixels: (B, G, R) interleaved
        try (Mat m = TestMats.mat16(1, 2, CV_16UC3, bgr)) { TestMats.write(file, m); }

        FloatImage img = ImageReader.read(file, 3);

        float[] expected = {s16(65535), s16(2), s16(20000), s16(1), s16(100), s16(0)}; // R plane, G plane, B plane
        assertArrayEquals(expected, img.data(), 0f);
    }

    @Test
    void colourJpegToGrayMatchesOpenCvWeights() throws IOException {
        Path file = dir.resolve("colour.jpg");
        int h = 24, w = 32;
        int[] bgr = new int[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                bgr[i] = 8 * x;          // B
                bgr[i + 1] = 10 * y;     // G
                bgr[i + 2] = 255 - 7 * x; // R
            }
        }
        try (Mat m = TestMats.mat8(h, w, CV_8UC3, bgr)) { TestMats.write(file, m); }

        FloatImage colour = ImageReader.read(file, 3);
        FloatImage gray = ImageReader.read(file, 1);

        assertEquals(3, colour.channels());
        assertEquals(1, gray.channels());
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            int r = unscale8(colour.data()[i]), g = unscale8(colour.data()[plane + i]), b = unscale8(colour.data()[2 * plane + i]);
            // OpenCV's 8-bit BGR2GRAY: 0.299 R + 0.587 G + 0.114 B in 14-bit fixed point, rounded
            int expected = (r * 4899 + g * 9617 + b * 1868 + (1 << 13)) >> 14;
            assertEquals(expected / 127.5f - 1f, gray.data()[i], 0f, "pixel " + i);
        }
        // the JPEG kept the colours roughly where they were written (R decreasing with x, B increasing)
        assertTrue(colour.get(0, 12, 1) > colour.get(0, 12, 30));
        assertTrue(colour.get(2, 12, 1) < colour.get(2, 12, 30));
    }

    @Test
    void bmpColourIsLosslessAndRgb() throws IOException {
        Path file = dir.resolve("colour.bmp");
        int[] bgr = {10, 20, 30, 0, 128, 255};
        try (Mat m = TestMats.mat8(1, 2, CV_8UC3, bgr)) { TestMats.write(file, m); }

        FloatImage img = ImageReader.read(file, 3);

        assertArrayEquals(new float[] {s8(30), s8(255), s8(20), s8(128), s8(10), s8(0)}, img.data(), 0f);
    }

    @Test
    void tiff8And16BitGrayAreExact() throws IOException {
        Path t8 = dir.resolve("gray8.tif"), t16 = dir.resolve("gray16.tiff");
        int[] v8 = ramp8();
        int[] v16 = {0, 65535, 1000, 30000, 65534, 1};
        try (Mat m = TestMats.mat8(16, 16, CV_8UC1, v8)) { TestMats.write(t8, m); }
        try (Mat m = TestMats.mat16(2, 3, CV_16UC1, v16)) { TestMats.write(t16, m); }

        FloatImage a = ImageReader.read(t8, 1), b = ImageReader.read(t16, 1);

        for (int i = 0; i < v8.length; i++) assertEquals(s8(v8[i]), a.data()[i], 0f);
        for (int i = 0; i < v16.length; i++) assertEquals(s16(v16[i]), b.data()[i], 0f);
    }

    @Test
    void alphaIsDroppedAndColourWithAlphaConvertsToGray() throws IOException {
        Path file = dir.resolve("rgba.png");
        int[] bgra = {0, 0, 255, 7, 255, 255, 255, 200}; // red, white; alpha varies
        try (Mat m = TestMats.mat8(1, 2, CV_8UC4, bgra)) { TestMats.write(file, m); }

        assertArrayEquals(new float[] {1f, 1f, -1f, 1f, -1f, 1f}, ImageReader.read(file, 3).data(), 0f);
        assertArrayEquals(new float[] {s8(76), 1f}, ImageReader.read(file, 1).data(), 0f); // 0.299 * 255 = 76.2
    }

    @Test
    void grayImageIsRefusedWhenThreeChannelsAreWanted() throws IOException {
        Path file = dir.resolve("gray-for-colour.png");
        try (Mat m = TestMats.mat8(2, 2, CV_8UC1, new int[] {1, 2, 3, 4})) { TestMats.write(file, m); }

        IOException e = assertThrows(IOException.class, () -> ImageReader.read(file, 3));
        assertOneLineNaming(e, file);
        assertTrue(e.getMessage().contains("grayscale"), e.getMessage());
    }

    @Test
    void missingFileIsAOneLineErrorNamingIt() {
        Path file = dir.resolve("nowhere.png");
        IOException e = assertThrows(NoSuchFileException.class, () -> ImageReader.read(file, 1));
        assertOneLineNaming(e, file);
    }

    @Test
    void corruptAndTruncatedFilesAreOneLineErrorsNamingThem() throws IOException {
        Path garbage = dir.resolve("garbage.png");
        Files.writeString(garbage, "this is not an image\n");
        Path png = dir.resolve("whole.png");
        try (Mat m = TestMats.mat8(16, 16, CV_8UC1, ramp8())) { TestMats.write(png, m); }
        byte[] bytes = Files.readAllBytes(png);
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        Path empty = dir.resolve("empty.jpg");
        Files.write(empty, new byte[0]);

        for (Path bad : new Path[] {garbage, truncated, empty}) {
            IOException e = assertThrows(IOException.class, () -> ImageReader.read(bad, 1), bad.toString());
            assertOneLineNaming(e, bad);
        }
    }

    @Test
    void floatTiffIsAnUnsupportedDepth() throws IOException {
        Path file = dir.resolve("float.tif");
        try (Mat m = new Mat(2, 2, CV_32FC1, new Scalar(0.5))) { TestMats.write(file, m); }

        IOException e = assertThrows(IOException.class, () -> ImageReader.read(file, 1));
        assertOneLineNaming(e, file);
        assertTrue(e.getMessage().contains("32-bit float"), e.getMessage());
    }

    @Test
    void fromMatConvertsBgrAndHandlesRoiViews() {
        int[] bgr = new int[4 * 5 * 3];
        for (int i = 0; i < bgr.length; i++) bgr[i] = i * 4;
        try (Mat m = TestMats.mat8(4, 5, CV_8UC3, bgr);
             Mat roi = new Mat(m, new Rect(1, 1, 3, 2))) { // x 1..3, y 1..2: not continuous
            assertFalse(roi.isContinuous());
            FloatImage img = ImageReader.fromMat(roi, 3, "roi");
            assertEquals(2, img.height());
            assertEquals(3, img.width());
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    int base = ((y + 1) * 5 + x + 1) * 3;
                    assertEquals(s8(bgr[base + 2]), img.get(0, y, x), 0f);
                    assertEquals(s8(bgr[base + 1]), img.get(1, y, x), 0f);
                    assertEquals(s8(bgr[base]), img.get(2, y, x), 0f);
                }
            }
        }
    }

    @Test
    void fromMatRefusesSignedDepthAndBadChannelRequests() {
        try (Mat signed = new Mat(2, 2, CV_16SC1, new Scalar(3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImageReader.fromMat(signed, 1, "signed-mat"));
            assertTrue(e.getMessage().startsWith("signed-mat: unsupported pixel depth 16-bit signed"), e.getMessage());
        }
        try (Mat ok = new Mat(2, 2, CV_8UC1, new Scalar(3))) {
            assertThrows(IllegalArgumentException.class, () -> ImageReader.fromMat(ok, 2, "two"));
        }
        try (Mat empty = new Mat()) {
            assertThrows(IllegalArgumentException.class, () -> ImageReader.fromMat(empty, 1, "empty"));
        }
    }

    @Test
    void fromFloatsCopiesAndRefusesNaNAndWrongLength() {
        float[] chw = {0f, 0.5f, -1f, 1f};
        FloatImage img = ImageReader.fromFloats(chw, 1, 2, 2, "arr");
        chw[0] = 9f;
        assertEquals(0f, img.get(0, 0, 0), 0f);

        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> ImageReader.fromFloats(new float[] {0f, 0f, 0f, Float.NaN}, 1, 2, 2, "nan-input"));
        assertTrue(nan.getMessage().startsWith("nan-input: value NaN at channel 0, y 1, x 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageReader.fromFloats(new float[5], 1, 2, 2, "short"));
    }

    private static void assertOneLineNaming(Exception e, Path file) {
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "message should name the file: " + m);
        assertFalse(m.contains("\n") || m.contains("\r"), "message should be one line: " + m);
    }

    private static float s8(int v) { return v / 127.5f - 1f; }

    private static float s16(int v) { return v / 32767.5f - 1f; }

    private static int unscale8(float f) { return Math.round((f + 1f) * 127.5f); }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        throw new AssertionError(v + " not found");
    }
}
