package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;

/**
 * A labelled image set, in one of two layouts:
 * <ul>
 *   <li>{@code DIR/good/} (normal) and {@code DIR/bad/} (anomalous), with optional ground-truth masks for the
 *       bad images: {@code MASKS/NAME.png} (or MVTec's {@code NAME_mask.png}), NAME being the image's path below
 *       bad/ without its extension;
 *   <li>MVTec AD's, as it is unpacked: {@code DIR/test/good/} (normal), {@code DIR/test/DEFECT/} (anomalous, one
 *       folder per defect type) and, when present, {@code DIR/ground_truth/DEFECT/NAME_mask.png}, used as the
 *       masks ({@code DIR/train/} is for training and is not read).
 * </ul>
 * Good images need no mask: they are normal everywhere.
 */
final class LabelledFolders {
    /**
     * One image to score: its file, its name in the report (good/x.png), its label, its mask file (bad images
     * with masks), and its defect type ("bad" in the good/bad layout; "good" for normal images).
     */
    record Image(Path file, String name, boolean anomalous, Path mask, String defect) {}

    /** True when {@code dir} is laid out as MVTec AD (a test/ folder with good/ in it, and no top-level good/). */
    static boolean isMvtec(Path dir) {
        return Files.isDirectory(dir.resolve("test").resolve("good")) && !Files.isDirectory(dir.resolve("good"));
    }

    /** The ground-truth folder of an MVTec layout, or null when it has none. */
    static Path mvtecMasks(Path dir) {
        Path gt = dir.resolve("ground_truth");
        return Files.isDirectory(gt) ? gt : null;
    }

    /**
     * Lists an MVTec AD category; with {@code masks} (its ground_truth/), every defect image must have its mask.
     * Unlistable subfolders go to {@code unreadable}, as in {@link #list}.
     */
    static List<Image> listMvtec(Path dir, Path masks, Path exclude, BiConsumer<Path, String> unreadable) throws IOException {
        Path test = dir.resolve("test");
        List<Image> out = new ArrayList<>();
        for (InputFiles.Entry e : InputFiles.expand(List.of(test.resolve("good")), exclude, unreadable)) {
            out.add(new Image(e.file(), "good/" + e.name(), false, null, "good"));
        }
        List<Path> defects;
        try (var list = Files.list(test)) {
            defects = list.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().equals("good")).sorted().toList();
        }
        if (defects.isEmpty()) throw new IOException(test + ": no defect folders next to good/ (MVTec layout: test/good and test/DEFECT)");
        for (Path d : defects) {
            String defect = d.getFileName().toString();
            for (InputFiles.Entry e : InputFiles.expand(List.of(d), exclude, unreadable)) {
                Path mask = masks == null ? null : maskOf(masks.resolve(defect), e.name(), defect + "/" + e.name());
                out.add(new Image(e.file(), defect + "/" + e.name(), true, mask, defect));
            }
        }
        return out;
    }

    private LabelledFolders() {}

    /**
     * Lists the images; every bad image must have a mask when {@code masks} is given. A subfolder below good/ or
     * bad/ that cannot be listed goes to {@code unreadable} (with the reason) and the others are listed.
     *
     * @throws IOException one line naming what is missing (a folder, a class's images, a mask)
     */
    static List<Image> list(Path dir, Path masks, Path exclude, BiConsumer<Path, String> unreadable) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such folder (give a folder holding good/ and bad/)");
        if (masks != null && !Files.isDirectory(masks)) throw new IOException("--masks " + masks + ": no such folder");
        List<Image> out = new ArrayList<>();
        for (String cls : List.of("good", "bad")) {
            Path sub = dir.resolve(cls);
            if (!Files.isDirectory(sub)) {
                throw new IOException(dir + ": no " + cls + "/ folder; eval needs normal images in good/ and anomalous ones in bad/");
            }
            boolean bad = cls.equals("bad");
            for (InputFiles.Entry e : InputFiles.expand(List.of(sub), exclude, unreadable)) {
                Path mask = bad && masks != null ? maskOf(masks, e.name(), "bad/" + e.name()) : null;
                out.add(new Image(e.file(), cls + "/" + e.name(), bad, mask, cls));
            }
        }
        return out;
    }

    private static Path maskOf(Path masks, String name, String shown) throws IOException {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        for (String candidate : List.of(stem + ".png", stem + "_mask.png")) {
            Path p = masks.resolve(candidate);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IOException(masks + ": no mask for " + shown + " (expected " + stem + ".png or " + stem + "_mask.png)");
    }

    /** Reads a binary mask (a pixel above mid-gray is anomalous) that must be width x height. */
    static GroundTruthMask readMask(Path file, int width, int height) throws IOException {
        FloatImage m = ImageReader.read(file, 1);
        if (m.width() != width || m.height() != height) {
            throw new IOException(file + ": mask is " + m.width() + "x" + m.height() + " but its image is " + width + "x" + height);
        }
        boolean[] a = new boolean[width * height];
        for (int i = 0; i < a.length; i++) a[i] = m.data()[i] > 0; // 8-bit 128..255 (values in [-1, 1])
        return new GroundTruthMask(width, height, a);
    }
}
