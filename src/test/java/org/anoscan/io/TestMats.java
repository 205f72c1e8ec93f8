package org.anoscan.io;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;

/** Makes and reads back small OpenCV images for tests (the caller closes the Mats). */
final class TestMats {
    private TestMats() {}

    /** An 8-bit Mat of interleaved values. */
    static Mat mat8(int rows, int cols, int type, int[] values) {
        Mat m = new Mat(rows, cols, type);
        ByteBuffer b = m.createBuffer();
        for (int i = 0; i < values.length; i++) b.put(i, (byte) values[i]);
        return m;
    }

    /** A 16-bit unsigned Mat of interleaved values. */
    static Mat mat16(int rows, int cols, int type, int[] values) {
        Mat m = new Mat(rows, cols, type);
        ShortBuffer b = m.createBuffer();
        for (int i = 0; i < values.length; i++) b.put(i, (short) values[i]);
        return m;
    }

    static void write(Path file, Mat m) {
        if (!imwrite(file.toString(), m)) throw new AssertionError("imwrite failed for " + file);
    }

    /** Reads a file as stored (depth and channels unchanged), interleaved values as ints. */
    static int[] readRaw(Path file, int[] rowsColsChannels) {
        try (Mat m = imread(file.toString(), IMREAD_UNCHANGED)) {
            if (m.empty()) throw new AssertionError("imread failed for " + file);
            rowsColsChannels[0] = m.rows();
            rowsColsChannels[1] = m.cols();
            rowsColsChannels[2] = m.channels();
            int n = m.rows() * m.cols() * m.channels();
            int[] out = new int[n];
            ByteBuffer b = m.createBuffer();
            for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xFF;
            return out;
        }
    }
}
