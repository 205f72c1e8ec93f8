package org.anoscan.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.ImageWriter;

/**
 * The images of the Spark scaling benchmark ({@code bench/spark-scaling.sh}): N crops of SIZE x SIZE from the bundled
 * brick texture at seeded random places, so every run scans the same images.
 *
 * <p>usage: SparkScalingImages TEXTURE OUT_DIR N SIZE
 */
public final class SparkScalingImages {
    private SparkScalingImages() {}

    public static void main(String[] args) throws IOException {
        FloatImage texture = ImageReader.read(Path.of(args[0]), 1);
        Path out = Path.of(args[1]);
        int n = Integer.parseInt(args[2]), size = Integer.parseInt(args[3]);
        Random rnd = new Random(17);
        for (int i = 0; i < n; i++) {
            int y = rnd.nextInt(texture.height() - size + 1), x = rnd.nextInt(texture.width() - size + 1);
            ImageWriter.writeImage(out.resolve(String.format("crop-%04d.png", i)), Defects.crop(texture, y, x, size, size, "crop-" + i));
        }
        System.out.println(n + " images of " + size + "x" + size + " written to " + out);
    }
}
