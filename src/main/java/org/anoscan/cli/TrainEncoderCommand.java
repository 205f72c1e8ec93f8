package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Encoder;
import org.anoscan.scan.ScoringSettings;
import org.anoscan.tensor.Tensor;
import org.anoscan.train.EncoderTrainConfig;
import org.anoscan.train.EncoderTrainer;
import org.anoscan.train.PatchSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code anoscan train-encoder}: adds f-AnoGAN's encoder to a trained model (G and D stay as they are). */
@Command(name = "train-encoder", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an encoder E (image -> z, f-AnoGAN's izi_f: G and D frozen) for a trained model, so that it can "
                + "score in the encoder and hybrid modes.",
                "INPUT: the same normal images as for train (files, folders, or one IDX file)."})
final class TrainEncoderCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "Model file (from anoscan train).")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Normal images: files, folders, or one IDX file.")
    List<Path> inputs;

    @Option(names = {"-o", "--out"}, description = "Model file to write (default: the model file itself).")
    Path out;

    @Option(names = "--digit", description = "IDX input: train on this label only.")
    Integer digit;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "64", description = "Patches per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--kappa", defaultValue = "1.0", description = "Weight of the feature residual in the loss (default: ${DEFAULT-VALUE}, as f-AnoGAN).")
    float kappa;

    @Option(names = "--width", description = "Channels of the encoder's first stage (default: the model's ndf).")
    Integer width;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Save OUT.encoder.ckpt every N steps (0: only at the end; Ctrl-C or SIGTERM also saves it).")
    int checkpointEvery;

    @Option(names = "--resume", description = "Continue from this encoder checkpoint (--steps is the new total).")
    Path resume;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", paramLabel = "P", description = "Convolution arithmetic: fp32, tf32 or bf16 (default: the device's).")
    String precision;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        org.anoscan.tensor.Precision chosen = ScanSettings.precision(cmd, precision);
        EncoderTrainConfig cfg = config(cmd);
        if (width != null && (width < 1 || width > ModelFile.MAX_WIDTH)) {
            throw new CommandLine.ParameterException(cmd, "--width must be between 1 and " + ModelFile.MAX_WIDTH + ", got " + width);
        }
        Path target = out != null ? out : model;
        Path checkpoint = target.resolveSibling(target.getFileName() + ".encoder.ckpt");
        OutputChecks.writableFile(target, "-o");
        OutputChecks.writableFile(checkpoint, "the checkpoint");
        DcganSpec arch = ModelFile.readSpec(model); // a bad model fails here, before a device is opened
        // the encoder sees patches as the GAN did: images resampled by the model's scale (compound scaling, train --scale)
        String stored = ModelFile.readInfo(model).get(org.anoscan.scan.ScoringSettings.Setting.SCALE.key());
        PatchSource source = PatchSources.open(inputs, digit, arch, stored == null ? 1 : Double.parseDouble(stored));
        try (Backend backend = Devices.open(device, System.err::println); StopSignals stop = StopSignals.install()) {
            ScanSettings.apply(backend, chosen);
            ModelFile.Loaded loaded = ModelFile.load(model, backend);
            for (String w : loaded.warnings()) System.err.println("anoscan train-encoder: " + w);
            try (Dcgan m = loaded.model()) {
                if (m.encoder() != null && resume == null) {
                    System.err.println("anoscan train-encoder: " + model + " already has an encoder; it is replaced by a new one");
                }
                EncoderTrainer trainer;
                if (resume != null) { // the checkpoint holds G, D and the encoder so far: training continues there
                    trainer = EncoderTrainer.resume(resume, backend, cfg);
                    if (!trainer.model().spec().equals(m.spec())) {
                        trainer.model().close();
                        trainer.close();
                        throw new IOException(resume + ": a checkpoint for " + trainer.model().spec().describe() + ", not for " + model);
                    }
                } else {
                    m.setEncoder(new Encoder(backend, m.spec(), width != null ? width : m.spec().ndf(), seed));
                    trainer = new EncoderTrainer(m, cfg);
                }
                boolean finished;
                try (trainer) {
                    finished = EncoderTraining.run(trainer, source, checkpoint, stop);
                    if (trainer.model() != m) {
                        if (finished) {
                            m.setEncoder(new Encoder(backend, m.spec(), trainer.model().encoder().width(), seed));
                            m.encoder().copyStateFrom(trainer.model().encoder());
                        }
                        trainer.model().close();
                    }
                }
                if (!finished) {
                    System.err.println(EncoderTraining.stopped("train-encoder", stop, trainer.step(), steps, checkpoint, model));
                    return stop.exitCode();
                }
                save(m, loaded, target);
            }
        }
        System.err.println("model with encoder written to " + target + " (checkpoint " + checkpoint + ")");
        if (ScoringSettings.present(ModelFile.readInfo(target))) {
            System.err.println("anoscan train-encoder: the model's thresholds were calibrated in its stored mode; run anoscan calibrate "
                    + "--mode hybrid (or encoder) to score in another mode");
        }
        return ExitCodes.OK;
    }

    private EncoderTrainConfig config(CommandLine cmd) {
        try {
            return new EncoderTrainConfig(steps, batch, lr, 0.9f, kappa, seed, checkpointEvery);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    /** The model with its new encoder, keeping its information and extra tensors (thresholds, statistics). */
    private void save(Dcgan m, ModelFile.Loaded loaded, Path target) throws IOException {
        Map<String, String> info = new LinkedHashMap<>(loaded.info());
        info.put("encoder.steps", Integer.toString(steps));
        info.put("encoder.trained_on", String.join(" ", inputs.stream().map(p -> p.getFileName().toString()).toList())
                + (digit != null ? " digit " + digit : ""));
        info.put("encoder.kappa", Float.toString(kappa));
        info.put("encoder.learning_rate", Float.toString(lr));
        info.put("encoder.seed", Long.toString(seed));
        Map<String, Tensor> extra = new LinkedHashMap<>();
        try {
            loaded.extra().forEach((k, v) -> extra.put(k, m.backend().fromHost(v, org.anoscan.tensor.Shape.of(v.length))));
            ModelFile.save(target, m, info, extra);
        } finally {
            for (Tensor t : extra.values()) t.close();
        }
    }
}
