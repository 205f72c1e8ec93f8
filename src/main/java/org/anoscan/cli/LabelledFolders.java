package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;

/**
 * A labelled image set laid out as {@code DIR/good/} (normal) and {@code DIR/bad/} (anomalous), with optional
 * ground-truth masks for the bad images: {@code MASKS/NAME.png} (or MVTec's {@code NAME_mask.png}), NAME being
 * the image's path below bad/ without its extension. Good images need no mask: they are normal everywhere.
 */
final class LabelledFolders {
    /** One image to score: its file, its name in the report (good/x.png), its label, and its mask file (bad images with masks). */
    record Image(Path file, String name, boolean anomalous, Path mask) {}

    private LabelledFolders() {}

    /**
     * Lists the images; every bad image must have a mask when {@code masks} is given.
     *
     * @throws IOException one line naming what is missing (a folder, a class's images, a mask)
     */
    static List<Image> list(Path dir, Path masks, Path exclude) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such folder (give a folder holding good/ and bad/)");
        if (masks != null && !Files.isDirectory(masks)) throw new IOException("--masks " + masks + ": no such folder");
        List<Image> out = new ArrayList<>();
        for (String cls : List.of("good", "bad")) {
            Path sub = dir.resolve(cls);
            if (!Files.isDirectory(sub)) {
                throw new IOException(dir + ": no " + cls + "/ folder; eval needs normal images in good/ and anomalous ones in bad/");
            }
            boolean bad = cls.equals("bad");
            for (InputFiles.Entry e : InputFiles.expand(List.of(sub), exclude)) {
                Path mask = bad && masks != null ? maskOf(masks, e.name()) : null;
                out.add(new Image(e.file(), cls + "/" + e.name(), bad, mask));
            }
        }
        return out;
    }

    private static Path maskOf(Path masks, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        for (String candidate : List.of(stem + ".png", stem + "_mask.png")) {
            Path p = masks.resolve(candidate);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IOException("--masks " + masks + ": no mask for bad/" + name + " (expected " + stem + ".png)");
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
