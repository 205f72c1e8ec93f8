package org.anoscan.testutil;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.anoscan.backend.Backend;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Parameter;
import org.anoscan.tensor.Tensor;

/** Small generated images and models for scan tests. */
public final class TestImages {
    /** DCGAN-32 with tiny widths: random weights, quick on the CPU. */
    public static final DcganSpec TINY = new DcganSpec(32, 1, 16, 8, 8);

    private TestImages() {}

    /** A texture-like gray image in [-1, 1]: two sinusoids plus noise, different per seed. */
    public static FloatImage texture(int height, int width, long seed) {
        Random r = new Random(seed);
        double fy = 0.2 + r.nextDouble() * 0.4, fx = 0.2 + r.nextDouble() * 0.4, phase = r.nextDouble() * 6;
        float[] d = new float[height * width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = 0.5 * Math.sin(fy * y + phase) * Math.cos(fx * x) + 0.3 * (r.nextDouble() * 2 - 1);
                d[y * width + x] = (float) Math.max(-1, Math.min(1, v));
            }
        }
        return FloatImage.map(height, width, d, "texture-" + seed);
    }

    /** Writes a 1-channel image in [-1, 1] as an 8-bit gray PNG. */
    public static Path writePng(Path file, FloatImage image) throws IOException {
        BufferedImage b = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int v = (int) Math.round((image.get(0, y, x) + 1) * 127.5);
                b.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, v)));
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(b, "png", file.toFile())) throw new IOException("no PNG writer");
        return file;
    }

    /** Writes a texture PNG of the given size. */
    public static Path writeTexture(Path file, int height, int width, long seed) throws IOException {
        return writePng(file, texture(height, width, seed));
    }

    /**
     * A random {@link #TINY} model whose generator's convolution weights are scaled up 25x (std 0.5 instead
     * of DCGAN's 0.02): an untrained generator with the usual init makes nearly the same patch for every z,
     * so the searches of a test could not tell one start from another.
     */
    public static Dcgan tinyModel(Backend backend, long seed) {
        Dcgan model = new Dcgan(backend, TINY, seed);
        for (Parameter p : model.state()) {
            if (!p.name().startsWith("generator") || p.value().shape().rank() != 4) continue;
            float[] w = p.value().toHost();
            for (int i = 0; i < w.length; i++) w[i] *= 25f;
            try (Tensor t = backend.fromHost(w, p.value().shape())) {
                backend.copyInto(t, p.value());
            }
        }
        return model;
    }

    /** Saves a {@link #tinyModel} (training is not what these tests are about). */
    public static Path writeTinyModel(Path file, Backend backend, long seed) throws IOException {
        try (Dcgan model = tinyModel(backend, seed)) {
            ModelFile.save(file, model, Map.of("source", "random init for tests"), Map.of());
        }
        return file;
    }
}
