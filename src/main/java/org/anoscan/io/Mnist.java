package org.anoscan.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * MNIST as DCGAN-32 patches: 28x28 digits padded with background to 32x32 and scaled to [-1, 1] by
 * {@link Pixels#toUnit(int, int)}, like every other 8-bit image.
 */
public final class Mnist {
    public static final int SIZE = 32;

    private Mnist() {}

    /** A labelled set of 1x32x32 patches. */
    public record Set(float[] patches, int[] labels) {
        public int count() { return labels.length; }

        public float[] patch(int i) {
            return java.util.Arrays.copyOfRange(patches, i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
        }

        /** The subset whose label is (or, with keep = false, is not) digit, at most max of them. */
        public Set filter(int digit, boolean keep, int max) {
            int n = 0;
            for (int l : labels) if ((l == digit) == keep && n < max) n++;
            float[] p = new float[n * SIZE * SIZE];
            int[] ls = new int[n];
            for (int i = 0, j = 0; i < labels.length && j < n; i++) {
                if ((labels[i] == digit) == keep) {
                    System.arraycopy(patches, i * SIZE * SIZE, p, j * SIZE * SIZE, SIZE * SIZE);
                    ls[j++] = labels[i];
                }
            }
            return new Set(p, ls);
        }
    }

    /** Reads {@code <prefix>-images-idx3-ubyte[.gz]} and {@code <prefix>-labels-idx1-ubyte[.gz]} from dir (prefix train or t10k). */
    public static Set read(Path dir, String prefix) throws IOException {
        return read(find(dir, prefix + "-images-idx3-ubyte"), find(dir, prefix + "-labels-idx1-ubyte"));
    }

    /** Reads an idx3-ubyte image file (images at most 32x32, centred on the background) and its idx1-ubyte labels. */
    public static Set read(Path imageFile, Path labelFile) throws IOException {
        Idx.Images images = Idx.readImages(imageFile);
        int[] labels = Idx.readLabels(labelFile);
        if (labels.length != images.count()) {
            throw new IOException(imageFile + ": " + images.count() + " images but " + labels.length + " labels in " + labelFile);
        }
        int pad = (SIZE - images.rows()) / 2;
        int padX = (SIZE - images.cols()) / 2;
        if (images.rows() > SIZE || images.cols() > SIZE) {
            throw new IOException(imageFile + ": images are " + images.cols() + "x" + images.rows() + ", larger than 32x32");
        }
        float[] p = new float[images.count() * SIZE * SIZE];
        java.util.Arrays.fill(p, Pixels.toUnit(0, 8));
        for (int i = 0; i < images.count(); i++) {
            for (int r = 0; r < images.rows(); r++) {
                for (int c = 0; c < images.cols(); c++) {
                    p[(i * SIZE + r + pad) * SIZE + c + padX] = Pixels.toUnit(images.pixel(i, r, c), 8);
                }
            }
        }
        return new Set(p, labels);
    }

    private static Path find(Path dir, String name) throws IOException {
        Path gz = dir.resolve(name + ".gz");
        if (Files.exists(gz)) return gz;
        Path raw = dir.resolve(name);
        if (Files.exists(raw)) return raw;
        throw new IOException(dir + ": no " + name + "[.gz] here (MNIST IDX files expected)");
    }
}
