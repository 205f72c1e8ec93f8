package org.anoscan.io;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;
import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.applyColorMap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Writes PNGs (always PNG, whatever the file name says) of heatmaps, heatmap overlays, binary masks and
 * grids of generated patches. Images in [-1, 1] map to 0..255 as {@code round((v + 1) * 127.5)}, clipped;
 * heatmaps map values to colour-map positions by a {@link HeatScale} (linear from 0 to a max, or with the pixel
 * threshold at a fixed colour), then through a {@link ColorMap}. Parent directories
 * are created. Failures are one-line {@link IOException}s naming the file.
 */
public final class ImageWriter {
    /** Black gap between patches in a sample grid, in pixels. */
    static final int GRID_GAP = 2;

    private ImageWriter() {}

    /** Writes an image in [-1, 1] (1 or 3 channels, RGB) as an 8-bit PNG of as many channels. */
    public static void writeImage(Path file, FloatImage image) throws IOException {
        try (Mat m = toMat8(image, image.channels())) {
            writePng(file, m);
        }
    }

    /** Writes a 1-channel map as a colour heatmap scaled by the map's own maximum. */
    public static void writeHeatmap(Path file, FloatImage map, ColorMap colorMap) throws IOException {
        writeHeatmap(file, map, HeatScale.linear(map.max()), colorMap);
    }

    /**
     * Writes a 1-channel map as a colour heatmap where {@code max} (and above) is the hottest colour and 0
     * (and below) the coldest; a fixed max makes heatmaps of several images comparable.
     */
    public static void writeHeatmap(Path file, FloatImage map, float max, ColorMap colorMap) throws IOException {
        checkMax(max);
        writeHeatmap(file, map, HeatScale.linear(max), colorMap);
    }

    /** Writes a 1-channel map as a colour heatmap on {@code scale} (e.g. with the pixel threshold at a fixed colour). */
    public static void writeHeatmap(Path file, FloatImage map, HeatScale scale, ColorMap colorMap) throws IOException {
        write(file, heatmapPng(map, scale, colorMap));
    }

    /** The heatmap of {@link #writeHeatmap(Path, FloatImage, HeatScale, ColorMap)} as PNG bytes. */
    public static byte[] heatmapPng(FloatImage map, HeatScale scale, ColorMap colorMap) throws IOException {
        try (Mat heat = heatmapBgr(map, scale, colorMap)) {
            return encodePng(map.source(), heat);
        }
    }

    /** An image in [-1, 1] (1 or 3 channels) as 8-bit PNG bytes. */
    public static byte[] imagePng(FloatImage image) throws IOException {
        try (Mat m = toMat8(image, image.channels())) {
            return encodePng(image.source(), m);
        }
    }

    /** A binary mask as PNG bytes: true white, false black. */
    public static byte[] maskPng(boolean[] mask, int height, int width) throws IOException {
        if (height < 1 || width < 1 || mask == null || mask.length != (long) height * width) {
            throw new IllegalArgumentException("mask must hold height*width = " + height + "*" + width + " values, got "
                    + (mask == null ? "null" : mask.length));
        }
        byte[] px = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) px[i] = mask[i] ? (byte) 255 : 0;
        try (Mat m = mat8(px, height, width, 1)) {
            return encodePng("mask", m);
        }
    }

    /** Writes the heatmap of {@code map} (scaled by its own maximum) blended over {@code image}. */
    public static void writeOverlay(Path file, FloatImage image, FloatImage map, ColorMap colorMap, double alpha)
            throws IOException {
        writeOverlay(file, image, map, HeatScale.linear(map.max()), colorMap, alpha);
    }

    /**
     * Writes {@code (1 - alpha) * image + alpha * heatmap(map, max)}: the input image (1 or 3 channels in
     * [-1, 1]; grayscale shown as gray) with the heatmap blended over it.
     *
     * @param alpha the heatmap's weight, in [0, 1]
     */
    public static void writeOverlay(Path file, FloatImage image, FloatImage map, float max, ColorMap colorMap,
                                    double alpha) throws IOException {
        checkMax(max);
        writeOverlay(file, image, map, HeatScale.linear(max), colorMap, alpha);
    }

    /** As {@link #writeOverlay(Path, FloatImage, FloatImage, float, ColorMap, double)}, the heatmap on {@code scale}. */
    public static void writeOverlay(Path file, FloatImage image, FloatImage map, HeatScale scale, ColorMap colorMap,
                                    double alpha) throws IOException {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("overlay alpha must be in [0, 1], got " + alpha);
        if (image.height() != map.height() || image.width() != map.width()) {
            throw new IllegalArgumentException("overlay: image " + image.source() + " is " + image.height() + "x"
                    + image.width() + " but map " + map.source() + " is " + map.height() + "x" + map.width());
        }
        try (Mat base = toBgr8(image);
             Mat heat = heatmapBgr(map, scale, colorMap);
             Mat blended = new Mat()) {
            addWeighted(base, 1 - alpha, heat, alpha, 0, blended);
            writePng(file, blended);
        }
    }

    /** Writes a binary mask (row-major, {@code height * width}) as a PNG: true white (255), false black. */
    public static void writeMask(Path file, boolean[] mask, int height, int width) throws IOException {
        write(file, maskPng(mask, height, width));
    }

    /**
     * Writes {@code count} patches (each {@code channels x size x size}, CHW, RGB, in [-1, 1], back to back in
     * {@code patches}) as one grid image, row by row, {@code columns} per row, {@value #GRID_GAP}-pixel black
     * gaps between them: for looking at what a generator makes.
     *
     * @param columns patches per row; 0 or less for a square-ish grid ({@code ceil(sqrt(count))})
     */
    public static void writeGrid(Path file, float[] patches, int count, int channels, int size, int columns)
            throws IOException {
        if (count < 1 || size < 1 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("grid needs count >= 1, size >= 1 and 1 or 3 channels, got count " + count
                    + ", size " + size + ", channels " + channels);
        }
        int patchLen = channels * size * size;
        if (patches == null || patches.length < (long) count * patchLen) {
            throw new IllegalArgumentException("grid of " + count + " patches of " + channels + "x" + size + "x" + size
                    + " needs " + (long) count * patchLen + " floats, got " + (patches == null ? "null" : patches.length));
        }
        int cols = columns > 0 ? Math.min(columns, count) : (int) Math.ceil(Math.sqrt(count));
        int rows = (count + cols - 1) / cols;
        int h = rows * size + (rows - 1) * GRID_GAP, w = cols * size + (cols - 1) * GRID_GAP;
        byte[] px = new byte[h * w * channels];
        for (int n = 0; n < count; n++) {
            int y0 = (n / cols) * (size + GRID_GAP), x0 = (n % cols) * (size + GRID_GAP);
            for (int c = 0; c < channels; c++) {
                int bgr = channels == 3 ? 2 - c : 0; // RGB planes to BGR interleaved
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        float v = patches[n * patchLen + (c * size + y) * size + x];
                        px[((y0 + y) * w + x0 + x) * channels + bgr] = (byte) to8(v);
                    }
                }
            }
        }
        try (Mat m = mat8(px, h, w, channels)) {
            writePng(file, m);
        }
    }

    /** [-1, 1] to 0..255, clipped. */
    static int to8(float v) {
        return (int) Math.round((Math.max(-1f, Math.min(1f, v)) + 1.0) * 127.5);
    }


    private static void checkMax(float max) {
        if (!(max > 0) || Float.isInfinite(max)) {
            throw new IllegalArgumentException("heatmap: max must be positive and finite, got " + max);
        }
    }

    private static Mat heatmapBgr(FloatImage map, HeatScale scale, ColorMap colorMap) {
        if (map.channels() != 1) {
            throw new IllegalArgumentException("heatmap: " + map.source() + " has " + map.channels()
                    + " channels; give a 1-channel map");
        }
        float[] d = map.data();
        byte[] px = new byte[d.length];
        for (int i = 0; i < d.length; i++) px[i] = (byte) Math.round(scale.position(d[i]) * 255);
        Mat heat = new Mat();
        try (Mat gray = mat8(px, map.height(), map.width(), 1)) {
            applyColorMap(gray, heat, colorMap.openCvCode);
        } catch (RuntimeException e) {
            heat.close();
            throw e;
        }
        return heat;
    }

    /** A [-1, 1] image as an 8-bit BGR Mat (grayscale replicated into B, G and R), for blending. */
    private static Mat toBgr8(FloatImage image) {
        return toMat8(image, 3);
    }

    /** A [-1, 1] image as an 8-bit Mat of {@code outChannels} (1 only for a 1-channel image) channels. */
    private static Mat toMat8(FloatImage image, int outChannels) {
        int c = image.channels(), plane = image.height() * image.width();
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException(image.source() + ": " + c + " channels; only 1 or 3 can be written");
        }
        float[] d = image.data();
        byte[] px = new byte[plane * outChannels];
        for (int i = 0; i < plane; i++) {
            for (int o = 0; o < outChannels; o++) {
                int rgb = outChannels == 3 ? 2 - o : 0; // interleaved BGR slot o holds RGB plane 2 - o
                px[i * outChannels + o] = (byte) to8(d[(c == 3 ? rgb : 0) * plane + i]);
            }
        }
        return mat8(px, image.height(), image.width(), outChannels);
    }

    /** A new 8-bit Mat holding a copy of interleaved {@code px}. */
    private static Mat mat8(byte[] px, int height, int width, int channels) {
        Mat m = new Mat(height, width, CV_8UC(channels));
        try {
            ByteBuffer buf = m.createBuffer();
            buf.put(px);
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static void writePng(Path file, Mat image) throws IOException {
        write(file, encodePng(file.toString(), image));
    }

    private static byte[] encodePng(String what, Mat image) throws IOException {
        try (BytePointer encoded = new BytePointer()) {
            if (!imencode(".png", image, encoded)) throw new IOException(what + ": PNG encoding failed");
            byte[] png = new byte[(int) encoded.limit()];
            encoded.get(png);
            return png;
        } catch (RuntimeException e) {
            throw new IOException(what + ": PNG encoding failed (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * Writes PNG bytes to {@code file}, creating its folder; atomically ({@link AtomicFiles}), so a writer killed
     * midway leaves the old file or none, and one run again (a retried Spark task) replaces it whole.
     */
    public static void write(Path file, byte[] png) throws IOException {
        try {
            AtomicFiles.write(file, png);
        } catch (IOException e) {
            throw new IOException(file + ": cannot write (" + e.getMessage() + "); check the directory and permissions", e);
        }
    }
}
