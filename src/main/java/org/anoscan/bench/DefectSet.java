package org.anoscan.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.io.FloatImage;

/**
 * A seeded localisation test set: square crops of a held-out texture region, the first half left normal, the
 * second half each given one synthetic defect ({@link Defects}, one kind per image, in turn: a pasted square of
 * a donor texture, a dark scratch, a smooth blurred dark stain, a brightened rectangle) at a random place, with
 * its exact mask. Defect sizes scale with the crop.
 */
public final class DefectSet {
    /** A test image, its ground truth (all false when normal) and what was done to it ("none" or one of {@link #KINDS}). */
    public record LabelledImage(FloatImage image, GroundTruthMask mask, String defect) {
        public boolean anomalous() {
            return !defect.equals("none");
        }
    }

    /** The defect kinds, in the order defective images cycle through them. */
    public static final List<String> KINDS = List.of("paste", "scratch", "stain", "bright");

    private DefectSet() {}

    /**
     * @param heldOut the region to crop from (at least size x size)
     * @param donor   the texture pasted squares come from (at least size x size)
     * @param count   images; count / 2 normal, the rest defective
     */
    public static List<LabelledImage> make(FloatImage heldOut, FloatImage donor, int count, int size, long seed) {
        for (FloatImage im : List.of(heldOut, donor)) {
            if (im.width() < size || im.height() < size) {
                throw new IllegalArgumentException(im.source() + ": " + im.width() + "x" + im.height() + " is smaller than the "
                        + size + "x" + size + " test images");
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<LabelledImage> out = new ArrayList<>(count);
        int normals = count / 2;
        for (int i = 0; i < count; i++) {
            int y0 = rnd.nextInt(heldOut.height() - size + 1), x0 = rnd.nextInt(heldOut.width() - size + 1);
            String kind = i < normals ? "none" : KINDS.get((i - normals) % KINDS.size());
            FloatImage img = Defects.crop(heldOut, y0, x0, size, size, "test-" + i + "-" + kind);
            boolean[] mask = new boolean[size * size];
            switch (kind) {
                case "paste" -> {
                    int side = size / 5 + rnd.nextInt(size / 6 + 1);
                    Defects.pasteTexture(img.data(), mask, size, donor, rnd.nextInt(donor.height() - side + 1),
                            rnd.nextInt(donor.width() - side + 1), rnd.nextInt(size - side + 1), rnd.nextInt(size - side + 1), side);
                }
                case "scratch" -> {
                    // a dark line of length size/3..2size/3 through a random point well inside the image
                    double len = size / 3.0 + rnd.nextDouble() * size / 3.0, angle = rnd.nextDouble() * Math.PI;
                    int cy = size / 4 + rnd.nextInt(size / 2), cx = size / 4 + rnd.nextInt(size / 2);
                    int dy = (int) Math.round(Math.sin(angle) * len / 2), dx = (int) Math.round(Math.cos(angle) * len / 2);
                    Defects.scratch(img.data(), mask, size, clamp(cy - dy, size), clamp(cx - dx, size), clamp(cy + dy, size),
                            clamp(cx + dx, size), 1.0 + rnd.nextDouble(), -0.9f);
                }
                case "stain" -> {
                    double radius = size / 8.0 + rnd.nextDouble() * size / 8.0;
                    int margin = (int) Math.ceil(radius / 2);
                    Defects.stain(img.data(), mask, size, margin + rnd.nextInt(size - 2 * margin), margin + rnd.nextInt(size - 2 * margin),
                            radius, -0.8f, 0.6 + 0.2 * rnd.nextDouble());
                }
                case "bright" -> {
                    int h = size / 5 + rnd.nextInt(size / 6 + 1), w = size / 5 + rnd.nextInt(size / 6 + 1);
                    Defects.brighten(img.data(), mask, size, rnd.nextInt(size - h + 1), rnd.nextInt(size - w + 1), h, w,
                            0.35f + 0.15f * (float) rnd.nextDouble());
                }
                default -> { } // normal
            }
            out.add(new LabelledImage(img, new GroundTruthMask(size, size, mask), kind));
        }
        return out;
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size - 1, v));
    }
}
