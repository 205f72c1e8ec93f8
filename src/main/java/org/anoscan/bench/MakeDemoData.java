package org.anoscan.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.ImageWriter;

/**
 * Makes the bundled demo images from the CC0 textures: brick's left 320 columns are the normal training
 * image; the next 64 columns give four 64x128 normal images to calibrate the thresholds on; three 128x128
 * crops of the right 128 columns (used for neither) are scanned by the demo: one clean, one with a pasted
 * gravel square, one with a dark scratch.
 *
 * <p>usage: MakeDemoData TEXTURES_DIR OUT_DIR
 */
public final class MakeDemoData {
    private MakeDemoData() {}

    public static void main(String[] args) throws IOException {
        Path textures = Path.of(args[0]);
        Path out = Path.of(args[1]);
        FloatImage brick = ImageReader.read(textures.resolve("brick.png"), 1);
        FloatImage gravel = ImageReader.read(textures.resolve("gravel.png"), 1);
        ImageWriter.writeImage(out.resolve("train/brick-train.png"), Defects.crop(brick, 0, 0, 512, 320, "brick-train"));
        for (int i = 0; i < 4; i++) {
            ImageWriter.writeImage(out.resolve("calibrate/brick-normal-" + i + ".png"), Defects.crop(brick, 128 * i, 320, 128, 64, "calibrate"));
        }

        ImageWriter.writeImage(out.resolve("scan/good/brick-clean.png"), Defects.crop(brick, 0, 384, 128, 128, "brick-clean"));

        FloatImage a = Defects.crop(brick, 160, 384, 128, 128, "brick-gravel");
        boolean[] maskA = new boolean[128 * 128];
        Defects.pasteTexture(a.data(), maskA, 128, gravel, 200, 200, 52, 40, 28);
        ImageWriter.writeImage(out.resolve("scan/bad/brick-gravel.png"), a);
        ImageWriter.writeMask(out.resolve("masks/brick-gravel.png"), maskA, 128, 128);

        FloatImage b = Defects.crop(brick, 340, 384, 128, 128, "brick-scratch");
        boolean[] maskB = new boolean[128 * 128];
        Defects.scratch(b.data(), maskB, 128, 20, 30, 100, 90, 1.5, -0.9f);
        ImageWriter.writeImage(out.resolve("scan/bad/brick-scratch.png"), b);
        ImageWriter.writeMask(out.resolve("masks/brick-scratch.png"), maskB, 128, 128);
        System.out.println("demo data written to " + out);
    }
}
