package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.anoscan.io.ImageReader;
import org.anoscan.io.Mnist;
import org.anoscan.io.Resample;
import org.anoscan.nn.DcganSpec;
import org.anoscan.train.ArrayPatchSource;
import org.anoscan.train.ImagePatchSource;
import org.anoscan.train.PatchSource;

/** The normal patches that train and train-encoder read: image files or folders (random crops), or one MNIST IDX file. */
final class PatchSources {
    private PatchSources() {}

    static boolean isIdx(List<Path> inputs) {
        return inputs.size() == 1 && inputs.get(0).getFileName().toString().contains("idx3-ubyte");
    }

    /**
     * Patches for a model of {@code arch}; {@code digit} keeps one label of an IDX file (null: all); images (not
     * IDX digits) are resampled by {@code imageScale} before cropping, as scans resample by the model's scale.
     */
    static PatchSource open(List<Path> inputs, Integer digit, DcganSpec arch, double imageScale) throws IOException {
        return isIdx(inputs) ? idxSource(inputs.get(0), digit, arch) : imageSource(inputs, arch, imageScale);
    }

    private static PatchSource idxSource(Path images, Integer digit, DcganSpec arch) throws IOException {
        if (arch.imageSize() != Mnist.SIZE) throw new IllegalArgumentException("IDX input is trained at patch size 32, not " + arch.imageSize());
        if (arch.channels() != 1) throw new IllegalArgumentException("IDX input is gray: use --channels 1");
        Path dir = images.toAbsolutePath().getParent();
        String name = images.getFileName().toString();
        String prefix = name.substring(0, name.indexOf("-images-idx3-ubyte"));
        Mnist.Set set = Mnist.read(dir, prefix);
        if (digit != null) set = set.filter(digit, true, Integer.MAX_VALUE);
        if (set.count() == 0) throw new IllegalArgumentException(images + ": no images with label " + digit);
        System.err.println("training on " + set.count() + " images from " + images + (digit != null ? " (digit " + digit + ")" : ""));
        return new ArrayPatchSource(set.patches(), set.count(), 1, Mnist.SIZE);
    }

    private static PatchSource imageSource(List<Path> inputs, DcganSpec arch, double imageScale) throws IOException {
        int patch = arch.imageSize();
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (var s = Files.list(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.exists(p)) {
                files.add(p);
            } else {
                throw new IOException(p + ": no such file or folder");
            }
        }
        List<org.anoscan.io.FloatImage> images = new ArrayList<>();
        for (Path f : files) {
            try {
                org.anoscan.io.FloatImage im = ImageReader.read(f, arch.channels());
                if (imageScale != 1) im = Resample.to(im, Resample.scaled(im.height(), imageScale), Resample.scaled(im.width(), imageScale));
                if (im.height() < patch || im.width() < patch) {
                    System.err.println("skipped " + f + ": " + im.width() + "x" + im.height() + " is smaller than the " + patch + "x" + patch + " patch");
                } else {
                    images.add(im);
                }
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("skipped " + Main.oneLine(e));
            }
        }
        if (images.isEmpty()) throw new IOException("no usable training images in " + inputs + " (readable and at least " + patch + "x" + patch + ")");
        System.err.println("training on random " + patch + "x" + patch + " crops of " + images.size() + " image(s)"
                + (imageScale != 1 ? String.format(java.util.Locale.ROOT, " resampled by %.4g", imageScale) : ""));
        return new ImagePatchSource(images, patch);
    }

}
