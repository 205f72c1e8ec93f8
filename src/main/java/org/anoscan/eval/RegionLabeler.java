package org.anoscan.eval;

import java.util.Arrays;

/**
 * Connected components of a binary mask with 8-connectivity (diagonal neighbours join), as the
 * MVTec AD evaluation script labels ground-truth regions for AUPRO.
 */
public final class RegionLabeler {
    private RegionLabeler() {}

    /**
     * @param labels per pixel, 0 = background, 1..count = region id, ids in row-major order of each
     *               region's first pixel
     * @param sizes  sizes[r] = pixel count of region r (sizes[0] counts the background)
     */
    public record Regions(int[] labels, int count, int[] sizes) {}

    public static Regions label(GroundTruthMask mask) {
        return label(mask.anomalous(), mask.width(), mask.height());
    }

    public static Regions label(boolean[] mask, int width, int height) {
        if ((long) width * height != mask.length) {
            throw new IllegalArgumentException("mask has " + mask.length + " pixels, not " + width + "x" + height);
        }
        int[] labels = new int[mask.length];
        int[] sizes = new int[8];
        int[] stack = new int[64];
        int count = 0;
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || labels[start] != 0) {
                continue;
            }
            int region = ++count;
            int size = 0;
            // Explicit stack, not recursion: one region can span a whole 512x512 image. A pixel
            // is labelled when pushed, so it is pushed once.
            int top = 0;
            stack[top++] = start;
            labels[start] = region;
            while (top > 0) {
                int p = stack[--top];
                size++;
                int x = p % width;
                int y = p / width;
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = y + dy;
                    if (ny < 0 || ny >= height) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        if (nx < 0 || nx >= width) {
                            continue;
                        }
                        int q = ny * width + nx;
                        if (mask[q] && labels[q] == 0) {
                            labels[q] = region;
                            if (top == stack.length) {
                                stack = Arrays.copyOf(stack, 2 * stack.length);
                            }
                            stack[top++] = q;
                        }
                    }
                }
            }
            if (region == sizes.length) {
                sizes = Arrays.copyOf(sizes, 2 * sizes.length);
            }
            sizes[region] = size;
        }
        sizes = Arrays.copyOf(sizes, count + 1);
        int foreground = 0;
        for (int r = 1; r <= count; r++) {
            foreground += sizes[r];
        }
        sizes[0] = mask.length - foreground;
        return new Regions(labels, count, sizes);
    }
}
