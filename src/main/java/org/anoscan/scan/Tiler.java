package org.anoscan.scan;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.io.FloatImage;

/**
 * Cuts images (CHW floats) into square patches of {@code patchSize} taken every {@code stride} pixels,
 * row by row. The last row and column of patches are aligned to the image's bottom and right edges, so
 * every pixel is covered even when {@code (H - P)} is not a multiple of the stride: along an axis of length
 * n the starts are 0, S, 2S, ... while the patch fits, then {@code n - P} if not already there.
 *
 * <p>An image smaller than the patch along an axis is refused with an {@link IllegalArgumentException},
 * unless padding was asked for: then along that axis a single patch at 0 covers the image, and the
 * pixels beyond the image are its reflection about the last row/column (OpenCV's BORDER_REFLECT_101,
 * {@code ...cb|abc|ba...}, repeated while the patch is longer than the image). The pad is on the bottom
 * and right only, so positions stay image coordinates; {@link Stitcher} drops the padded pixels.
 */
public final class Tiler {
    private final int patchSize;
    private final int stride;
    private final boolean padSmallImages;

    /** Patches of {@code patchSize} with stride {@code patchSize / 2} (at least 1); small images refused. */
    public Tiler(int patchSize) {
        this(patchSize, Math.max(1, patchSize / 2), false);
    }

    /**
     * @param stride between 1 and {@code patchSize} (a larger stride would leave pixels uncovered)
     * @param padSmallImages reflect-pad images smaller than a patch instead of refusing them
     */
    public Tiler(int patchSize, int stride, boolean padSmallImages) {
        if (patchSize < 1) throw new IllegalArgumentException("patch size must be at least 1, got " + patchSize);
        if (stride < 1 || stride > patchSize) {
            throw new IllegalArgumentException("stride must be between 1 and the patch size " + patchSize + ", got " + stride);
        }
        this.patchSize = patchSize;
        this.stride = stride;
        this.padSmallImages = padSmallImages;
    }

    public int patchSize() { return patchSize; }

    public int stride() { return stride; }

    public boolean padsSmallImages() { return padSmallImages; }

    /**
     * The patch positions for {@code image}, row by row.
     *
     * @throws IllegalArgumentException naming the image when it is smaller than a patch and padding is off
     */
    public List<PatchPosition> positions(FloatImage image) {
        return positions(image.height(), image.width(), image.source());
    }

    /** The patch positions for an image of {@code height x width}, row by row. */
    public List<PatchPosition> positions(int height, int width) {
        return positions(height, width, "image");
    }

    private List<PatchPosition> positions(int height, int width, String source) {
        if (!padSmallImages && (height < patchSize || width < patchSize)) {
            throw new IllegalArgumentException(source + ": image " + height + "x" + width + " is smaller than the patch "
                    + patchSize + "x" + patchSize + "; use a larger image, a model with a smaller patch, or pad it (--pad, ScanConfig.withPad)");
        }
        int[] ys = starts(height), xs = starts(width);
        List<PatchPosition> out = new ArrayList<>(ys.length * xs.length);
        for (int y : ys) {
            for (int x : xs) out.add(new PatchPosition(y, x));
        }
        return out;
    }

    /** Patch starts along an axis of {@code n} pixels. */
    private int[] starts(int n) {
        if (n <= patchSize) return new int[] {0};
        int last = n - patchSize;
        int count = last / stride + 1;
        boolean aligned = (count - 1) * stride == last;
        int[] s = new int[aligned ? count : count + 1];
        for (int i = 0; i < count; i++) s[i] = i * stride;
        if (!aligned) s[count] = last;
        return s;
    }

    /** A new array holding the patch at {@code p} (C x P x P, CHW). */
    public float[] extract(FloatImage image, PatchPosition p) {
        float[] dst = new float[image.channels() * patchSize * patchSize];
        extract(image, p, dst, 0);
        return dst;
    }

    /**
     * Copies the patch at {@code p} (C x P x P, CHW) into {@code dst} from {@code offset}; pixels past the
     * image (padding) are reflected.
     */
    public void extract(FloatImage image, PatchPosition p, float[] dst, int offset) {
        int c = image.channels(), h = image.height(), w = image.width(), ps = patchSize;
        if (p.y() < 0 || p.x() < 0 || (!padSmallImages && (p.y() + ps > h || p.x() + ps > w))) {
            throw new IllegalArgumentException(image.source() + ": patch at " + p + " of size " + ps
                    + " is outside the " + h + "x" + w + " image");
        }
        float[] src = image.data();
        int[] cols = new int[ps];
        for (int i = 0; i < ps; i++) cols[i] = reflect(p.x() + i, w);
        boolean rowsInside = p.x() + ps <= w;
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < ps; i++) {
                int rowStart = (ch * h + reflect(p.y() + i, h)) * w;
                int out = offset + (ch * ps + i) * ps;
                if (rowsInside) {
                    System.arraycopy(src, rowStart + p.x(), dst, out, ps);
                } else {
                    for (int j = 0; j < ps; j++) dst[out + j] = src[rowStart + cols[j]];
                }
            }
        }
    }

    /** Index {@code i >= 0} mirrored into [0, n) without repeating the edge pixel (reflect-101). */
    static int reflect(int i, int n) {
        if (i < n) return i;
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        int m = i % period;
        return m < n ? m : period - m;
    }
}
