package org.anoscan.io;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads IDX files (the MNIST format: big-endian header, unsigned bytes), plain or gzip-compressed. */
public final class Idx {
    private Idx() {}

    /** Images of an idx3-ubyte file: count, rows, cols and the raw bytes. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        /** Pixel (row r, col c) of image i, 0..255. */
        public int pixel(int i, int r, int c) {
            return pixels[(i * rows + r) * cols + c] & 0xff;
        }
    }

    public static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x00000803) throw new IOException(file + ": not an IDX image file (magic 0x" + Integer.toHexString(magic) + ")");
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n < 0 || rows <= 0 || cols <= 0) throw new IOException(file + ": bad IDX dimensions " + n + "x" + rows + "x" + cols);
            byte[] px = new byte[Math.multiplyExact(Math.multiplyExact(n, rows), cols)];
            in.readFully(px);
            return new Images(n, rows, cols, px);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX file");
        }
    }

    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x00000801) throw new IOException(file + ": not an IDX label file (magic 0x" + Integer.toHexString(magic) + ")");
            int n = in.readInt();
            byte[] b = new byte[n];
            in.readFully(b);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = b[i] & 0xff;
            return labels;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX file");
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": file not found");
        }
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gz = b0 == 0x1f && b1 == 0x8b;
        return new DataInputStream(gz ? new BufferedInputStream(new GZIPInputStream(raw), 1 << 16) : raw);
    }
}
