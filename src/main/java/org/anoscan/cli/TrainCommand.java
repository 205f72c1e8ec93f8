package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.ImageWriter;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.CompoundScaling;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Encoder;
import org.anoscan.scan.ScoringSettings;
import org.anoscan.train.EncoderTrainConfig;
import org.anoscan.train.EncoderTrainer;
import org.anoscan.train.GanTrainer;
import org.anoscan.train.PatchSource;
import org.anoscan.train.TrainConfig;
import org.anoscan.train.TrainListener;
import picocli.CommandLine;
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

    @Option(names = "--phi", defaultValue = "0", paramLabel = "F", description = "Compound scaling: grow depth by alpha^F, width by "
            + "beta^F and resolution by gamma^F together (0: the base model; each step about doubles the work per image).")
    double phi;

    @Option(names = "--alpha", defaultValue = "" + CompoundScaling.ALPHA, description = "Depth coefficient of --phi (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", defaultValue = "" + CompoundScaling.BETA, description = "Width coefficient of --phi (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--gamma", defaultValue = "" + CompoundScaling.GAMMA, description = "Resolution coefficient of --phi (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "F", description = "Resample training images by F (times gamma^phi) "
            + "before cropping patches; the model keeps it as its scoring scale, so scans resample the same way (repeat it with --resume).")
    double scale;

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

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Save OUT.ckpt every N steps (0: only at the end; Ctrl-C or SIGTERM also saves it).")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from this checkpoint (its architecture wins; --steps is the new total).")
    Path resume;

    @Option(names = "--samples-every", defaultValue = "0", description = "Write a grid of G samples every N steps (0: at the end only).")
    int samplesEvery;

    @Option(names = "--samples-dir", description = "Folder for sample grids (default: next to OUT).")
    Path samplesDir;

    @Option(names = "--encoder-steps", defaultValue = "0",
            description = "Then train an encoder (f-AnoGAN's izi_f) for N steps, for the encoder and hybrid scoring modes (default: 0, none; "
                    + "anoscan train-encoder adds one later).")
    int encoderSteps;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", paramLabel = "P",
            description = "Convolution arithmetic: fp32, tf32 or bf16 (bf16 operands, fp32 accumulation; on the GPU) "
                    + "(default: tf32 on a GPU with TF32 tensor cores, else fp32).")
    String precision;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        org.anoscan.tensor.Precision chosen = ScanSettings.precision(cmd, precision);
        DcganSpec arch = resume != null ? resumedArchitecture(cmd) : architecture(cmd);
        checkOptions(cmd);
        Path checkpoint = out.resolveSibling(out.getFileName() + ".ckpt");
        Path grids = samplesDir != null ? samplesDir : out.toAbsolutePath().getParent().resolve("samples");
        OutputChecks.writableFile(out, "-o");
        OutputChecks.writableFile(checkpoint, "the checkpoint");
        OutputChecks.writableFolder(grids, "--samples-dir");
        boolean samplesOk = true;
        boolean idx = PatchSources.isIdx(inputs);
        if (idx && imageScale(scale, arch) != 1) {
            System.err.println("anoscan train: IDX digits are trained at their own 28x28 pixels; the resolution factor "
                    + imageScale(scale, arch) + " is not applied (they have no more pixels to give)");
        }
        double imageScale = idx ? 1 : imageScale(scale, arch);
        PatchSource source = PatchSources.open(inputs, digit, arch, imageScale);
        TrainConfig cfg = new TrainConfig(steps, batch, lr, beta1, realLabel, seed, checkpointEvery);
        boolean finished;
        int done;
        try (Backend backend = Devices.open(device, System.err::println); StopSignals stop = StopSignals.install()) {
            ScanSettings.apply(backend, chosen);
            GanTrainer trainer;
            Dcgan model;
            if (resume != null) {
                trainer = GanTrainer.resume(resume, backend, cfg);
                model = trainer.model();
            } else {
                model = new Dcgan(backend, arch, seed);
                trainer = new GanTrainer(model, cfg);
            }
            try (model; trainer; TrainProgress bar = new TrainProgress(trainer.step(), steps)) {
                boolean[] samples = {samplesOk};
                TrainListener listener = new TrainListener() {
                    @Override
                    public void onStep(int step, int total, float lossD, float lossG, double patchesPerSecond) {
                        bar.onStep(step, total, lossD, lossG, patchesPerSecond);
                        if (samplesEvery > 0 && step % samplesEvery == 0) samples[0] = writeSamples(trainer, grids, step, samples[0]);
                    }

                    @Override
                    public void onCheckpoint(int step, Path file) {
                        bar.onCheckpoint(step, file);
                    }

                    @Override
                    public boolean stopRequested() {
                        return stop.requested();
                    }
                };
                finished = trainer.train(source, listener, checkpoint);
                done = trainer.step();
                if (finished) {
                    writeSamples(trainer, grids, done, samples[0]);
                    Map<String, String> info = info(backend, done);
                    // scans must see images at the scale the patches were cut at: stored as the model's scoring scale
                    if (imageScale != 1) info.put(ScoringSettings.Setting.SCALE.key(), Double.toString(imageScale));
                    ModelFile.save(out, model, info, Map.of());
                }
                if (finished && encoderSteps > 0) {
                    System.err.println("model written to " + out + "; now its encoder (" + encoderSteps + " steps)");
                    Path encoderCheckpoint = out.resolveSibling(out.getFileName() + ".encoder.ckpt");
                    model.setEncoder(new Encoder(backend, model.spec(), model.spec().ndf(), seed + 1));
                    try (EncoderTrainer et = new EncoderTrainer(model, new EncoderTrainConfig(encoderSteps, batch, 1e-3f, 0.9f, 1f, seed,
                            checkpointEvery))) {
                        if (!EncoderTraining.run(et, source, encoderCheckpoint, stop)) {
                            System.err.println(EncoderTraining.stopped("train", stop, et.step(), encoderSteps, encoderCheckpoint, out));
                            return stop.exitCode();
                        }
                    }
                    Map<String, String> info = info(backend, done);
                    info.put("encoder.steps", Integer.toString(encoderSteps));
                    ModelFile.save(out, model, info, Map.of());
                }
            }
            if (!finished) {
                System.err.println("anoscan train: stopped by SIG" + stop.name() + " after step " + done + " of " + steps
                        + "; checkpoint written to " + checkpoint + " (continue with --resume " + checkpoint + ")");
                return stop.exitCode();
            }
        }
        System.err.println("model written to " + out + " (checkpoint " + checkpoint + ")");
        return ExitCodes.OK;
    }

    /** The architecture from the options: a bad value is a usage error, reported before any image is read. */
    private DcganSpec architecture(CommandLine cmd) {
        int patch = size != null ? size : idxInput() ? 32 : 64;
        if (patch != 32 && patch != 64) throw new CommandLine.ParameterException(cmd, "--size must be 32 or 64, got " + patch);
        if (channels != 1 && channels != 3) throw new CommandLine.ParameterException(cmd, "--channels must be 1 or 3, got " + channels);
        between(cmd, "--nz", nz, 1, ModelFile.MAX_NZ);
        between(cmd, "--ngf", ngf, 1, ModelFile.MAX_WIDTH);
        between(cmd, "--ndf", ndf, 1, ModelFile.MAX_WIDTH);
        CompoundScaling scaling;
        try {
            scaling = new CompoundScaling(phi, alpha, beta, gamma);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--phi/--alpha/--beta/--gamma: " + e.getMessage());
        }
        DcganSpec member = scaling.apply(new DcganSpec(patch, channels, nz, ngf, ndf));
        if (member.ngf() > ModelFile.MAX_WIDTH || member.ndf() > ModelFile.MAX_WIDTH) {
            throw new CommandLine.ParameterException(cmd, "--phi " + phi + " makes the widths " + member.ngf() + "/" + member.ndf()
                    + ", over the bound " + ModelFile.MAX_WIDTH);
        }
        if (!scaling.isNone()) System.err.println("anoscan train: compound scaling " + scaling.describe() + ": " + member.describe());
        return member;
    }

    /** A resumed run takes the checkpoint's architecture; options that disagree with it are named. */
    private DcganSpec resumedArchitecture(CommandLine cmd) throws IOException {
        DcganSpec s = ModelFile.readSpec(resume);
        if ((size != null && size != s.imageSize()) || (cmd.getParseResult().hasMatchedOption("--channels") && channels != s.channels())) {
            System.err.println("anoscan train: the checkpoint's architecture " + s + " is used (--resume wins over --size/--channels)");
        }
        return s;
    }

    private void checkOptions(CommandLine cmd) {
        between(cmd, "--steps", steps, 1, Integer.MAX_VALUE);
        between(cmd, "--batch", batch, 2, 1 << 16);
        between(cmd, "--checkpoint-every", checkpointEvery, 0, Integer.MAX_VALUE);
        between(cmd, "--encoder-steps", encoderSteps, 0, Integer.MAX_VALUE);
        between(cmd, "--samples-every", samplesEvery, 0, Integer.MAX_VALUE);
        if (!(lr > 0) || !Float.isFinite(lr)) throw new CommandLine.ParameterException(cmd, "--lr must be a finite number > 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1)) throw new CommandLine.ParameterException(cmd, "--beta1 must lie in [0, 1), got " + beta1);
        if (!(realLabel > 0.5f && realLabel <= 1f)) {
            throw new CommandLine.ParameterException(cmd, "--real-label must lie in (0.5, 1], got " + realLabel);
        }
        if (digit != null && (digit < 0 || digit > 9)) throw new CommandLine.ParameterException(cmd, "--digit must be 0-9, got " + digit);
        if (!(scale >= 0.05 && scale <= 8)) throw new CommandLine.ParameterException(cmd, "--scale must lie in [0.05, 8], got " + scale);
    }

    /** The factor training images are resampled by: --scale times the architecture's resolution factor. */
    private static double imageScale(double scale, DcganSpec arch) {
        return scale * arch.scaling().resolution();
    }

    private static void between(CommandLine cmd, String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new CommandLine.ParameterException(cmd, name + " must be " + (max == Integer.MAX_VALUE ? "at least " + min
                    : "between " + min + " and " + max) + ", got " + v);
        }
    }

    private boolean idxInput() {
        return PatchSources.isIdx(inputs);
    }

    private Map<String, String> info(Backend backend, int done) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("steps", Integer.toString(done));
        info.put("trained_on", describeInputs());
        info.put("batch_size", Integer.toString(batch));
        info.put("learning_rate", Float.toString(lr));
        info.put("real_label", Float.toString(realLabel));
        info.put("seed", Long.toString(seed));
        info.put("device", backend.name());
        return info;
    }

    /** Writes a sample grid; a failure is reported once and never costs the training. Returns whether to keep writing. */
    private static boolean writeSamples(GanTrainer trainer, Path dir, int step, boolean enabled) {
        if (!enabled) return false;
        int s = trainer.model().spec().imageSize();
        int c = trainer.model().spec().channels();
        Path file = dir.resolve(String.format("samples-%06d.png", step));
        try {
            ImageWriter.writeGrid(file, trainer.samples(64, 1234L), 64, c, s, 8);
            return true;
        } catch (IOException | RuntimeException e) {
            System.err.println("anoscan train: cannot write " + file + " (" + Main.oneLine(e) + "); no more sample grids, training goes on");
            return false;
        }
    }

    private String describeInputs() {
        StringBuilder sb = new StringBuilder();
        for (Path p : inputs) sb.append(sb.length() == 0 ? "" : " ").append(p.getFileName());
        if (digit != null) sb.append(" digit ").append(digit);
        return sb.toString();
    }
}
