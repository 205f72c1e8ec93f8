package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.ImageReader;
import org.anoscan.io.ImageWriter;
import org.anoscan.io.Mnist;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.train.ArrayPatchSource;
import org.anoscan.train.GanTrainer;
import org.anoscan.train.ImagePatchSource;
import org.anoscan.train.PatchSource;
import org.anoscan.train.TrainConfig;
import org.anoscan.train.TrainListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anoscan train}: normal images (a folder, image files, or an MNIST IDX file) -> a model file. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a DCGAN on normal images only.",
                "INPUT: image files or folders of them (random PxP crops are drawn), or an MNIST IDX image file "
                        + "(*-images-idx3-ubyte[.gz], padded to 32x32; labels read from the matching labels file)."})
final class TrainCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Normal images: files, folders, or one IDX file.")
    List<Path> inputs;

    @Option(names = {"-o", "--out"}, description = "Model file to write (default: ${DEFAULT-VALUE}).", defaultValue = "model.safetensors")
    Path out;

    @Option(names = "--digit", description = "IDX input: train on this label only (MNIST one-class).")
    Integer digit;

    @Option(names = "--size", description = "Patch size, 32 or 64 (default: 32 for IDX, 64 for images).")
    Integer size;

    @Option(names = "--channels", description = "1 (gray) or 3 (colour) (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int channels;

    @Option(names = "--nz", defaultValue = "100", description = "Latent size (default: ${DEFAULT-VALUE}).")
    int nz;

    @Option(names = "--ngf", defaultValue = "64", description = "Generator width (default: ${DEFAULT-VALUE}).")
    int ngf;

    @Option(names = "--ndf", defaultValue = "64", description = "Discriminator width (default: ${DEFAULT-VALUE}).")
    int ndf;

    @Option(names = "--steps", defaultValue = "2000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "64", description = "Patches per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-4", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--beta1", defaultValue = "0.5", description = "Adam beta1 (default: ${DEFAULT-VALUE}).")
    float beta1;

    @Option(names = "--real-label", defaultValue = "1.0", description = "Target for real patches; 0.9 = one-sided label smoothing (default: ${DEFAULT-VALUE}).")
    float realLabel;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights, batches and noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Save OUT.ckpt every N steps (0: only at the end).")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from this checkpoint (its architecture wins; --steps is the new total).")
    Path resume;

    @Option(names = "--samples-every", defaultValue = "0", description = "Write a grid of G samples every N steps (0: at the end only).")
    int samplesEvery;

    @Option(names = "--samples-dir", description = "Folder for sample grids (default: next to OUT).")
    Path samplesDir;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", paramLabel = "P",
            description = "Convolution arithmetic: fp32, tf32 or bf16 (bf16 operands, fp32 accumulation; on the GPU) "
                    + "(default: tf32 on a GPU with TF32 tensor cores, else fp32).")
    String precision;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws IOException {
        org.anoscan.tensor.Precision chosen = ScanSettings.precision(commandSpec.commandLine(), precision);
        boolean idx = inputs.size() == 1 && inputs.get(0).getFileName().toString().contains("idx3-ubyte");
        int patch = size != null ? size : idx ? 32 : 64;
        PatchSource source = idx ? idxSource(inputs.get(0), patch) : imageSource(patch);
        Path checkpoint = out.resolveSibling(out.getFileName() + ".ckpt");
        TrainConfig cfg = new TrainConfig(steps, batch, lr, beta1, realLabel, seed, checkpointEvery);
        try (Backend backend = Devices.open(device, System.err::println)) {
            ScanSettings.apply(backend, chosen);
            GanTrainer trainer;
            Dcgan model;
            if (resume != null) {
                trainer = GanTrainer.resume(resume, backend, cfg);
                model = trainer.model();
            } else {
                model = new Dcgan(backend, new DcganSpec(patch, channels, nz, ngf, ndf), seed);
                trainer = new GanTrainer(model, cfg);
            }
            try (model; trainer; TrainProgress bar = new TrainProgress(trainer.step(), steps)) {
                Path grids = samplesDir != null ? samplesDir : out.toAbsolutePath().getParent().resolve("samples");
                TrainListener listener = new TrainListener() {
                    @Override
                    public void onStep(int step, int total, float lossD, float lossG, double patchesPerSecond) {
                        bar.onStep(step, total, lossD, lossG, patchesPerSecond);
                        if (samplesEvery > 0 && step % samplesEvery == 0) writeSamples(trainer, grids, step);
                    }

                    @Override
                    public void onCheckpoint(int step, Path file) {
                        bar.onCheckpoint(step, file);
                    }
                };
                trainer.train(source, listener, checkpointEvery > 0 ? checkpoint : null);
                writeSamples(trainer, grids, trainer.step());
                Map<String, String> info = new LinkedHashMap<>();
                info.put("steps", Integer.toString(trainer.step()));
                info.put("trained_on", describeInputs());
                info.put("batch_size", Integer.toString(batch));
                info.put("learning_rate", Float.toString(lr));
                info.put("real_label", Float.toString(realLabel));
                info.put("seed", Long.toString(seed));
                info.put("device", backend.name());
                ModelFile.save(out, model, info, Map.of());
            }
        }
        System.err.println("model written to " + out);
        return ExitCodes.OK;
    }

    private static void writeSamples(GanTrainer trainer, Path dir, int step) {
        int s = trainer.model().spec().imageSize();
        int c = trainer.model().spec().channels();
        try {
            ImageWriter.writeGrid(dir.resolve(String.format("samples-%06d.png", step)), trainer.samples(64, 1234L), 64, c, s, 8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private PatchSource idxSource(Path images, int patch) throws IOException {
        if (patch != Mnist.SIZE) throw new IllegalArgumentException("IDX input is trained at patch size 32, not " + patch);
        if (channels != 1) throw new IllegalArgumentException("IDX input is gray: use --channels 1");
        Path dir = images.toAbsolutePath().getParent();
        String name = images.getFileName().toString();
        String prefix = name.substring(0, name.indexOf("-images-idx3-ubyte"));
        Mnist.Set set = Mnist.read(dir, prefix);
        if (digit != null) set = set.filter(digit, true, Integer.MAX_VALUE);
        if (set.count() == 0) throw new IllegalArgumentException(images + ": no images with label " + digit);
        System.err.println("training on " + set.count() + " images from " + images + (digit != null ? " (digit " + digit + ")" : ""));
        return new ArrayPatchSource(set.patches(), set.count(), 1, Mnist.SIZE);
    }

    private PatchSource imageSource(int patch) throws IOException {
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
                images.add(ImageReader.read(f, channels));
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("skipped " + Main.oneLine(e));
            }
        }
        if (images.isEmpty()) throw new IOException("no readable training images in " + inputs);
        System.err.println("training on random " + patch + "x" + patch + " crops of " + images.size() + " image(s)");
        return new ImagePatchSource(images, patch);
    }

    private String describeInputs() {
        StringBuilder sb = new StringBuilder();
        for (Path p : inputs) sb.append(sb.length() == 0 ? "" : " ").append(p.getFileName());
        if (digit != null) sb.append(" digit ").append(digit);
        return sb.toString();
    }
}
