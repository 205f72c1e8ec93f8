package org.anoscan.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Backend;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.Encoder;
import org.anoscan.nn.Parameter;
import org.anoscan.nn.Sequential;
import org.anoscan.tensor.Tensor;

/**
 * Trains a model's encoder E by f-AnoGAN's izi_f (Schlegl et al. 2019) with G and D frozen (eval-mode batch
 * norm, no weight gradients): per batch of normal patches x, the loss is
 * {@code mean_n [ |x − G(E(x))|² / pixels + κ |f(x) − f(G(E(x)))|² / features ]}, f being D's last feature map,
 * and Adam moves E's parameters only. Step s draws its batch from its own seeded stream, so a resumed run
 * continues exactly, as {@link GanTrainer}.
 */
public final class EncoderTrainer implements AutoCloseable {
    private final Dcgan model;
    private final Encoder encoder;
    private final EncoderTrainConfig cfg;
    private final Backend backend;
    private final List<AdamState> adamStates = new ArrayList<>();
    private final AdamConfig adam;
    private int step;

    /** Trains {@code model.encoder()}, which must be attached. */
    public EncoderTrainer(Dcgan model, EncoderTrainConfig cfg) {
        if (model.encoder() == null) throw new IllegalArgumentException("train-encoder: the model has no encoder to train");
        this.model = model;
        this.encoder = model.encoder();
        this.cfg = cfg;
        this.backend = model.backend();
        this.adam = new AdamConfig(cfg.learningRate(), cfg.beta1(), 0.999f, 1e-8f, 0f);
        for (Parameter p : encoder.network().parameters()) adamStates.add(new AdamState(p));
    }

    public EncoderTrainConfig config() { return cfg; }

    /** Steps done so far. */
    public int step() { return step; }

    /**
     * Trains until {@code cfg.steps()} steps are done or the listener asks to stop, saving a checkpoint (the
     * model with its encoder, the step and the Adam moments) every {@code cfg.checkpointEvery()} steps, at the
     * end and when stopped. The listener hears the total loss as lossD and the feature term as lossG.
     *
     * @return true when all steps are done, false when the listener stopped training early
     */
    public boolean train(PatchSource source, TrainListener listener, Path checkpointFile) throws IOException {
        if (source.channels() != model.spec().channels() || source.patchSize() != model.spec().imageSize()) {
            throw new IllegalArgumentException("train-encoder: patches are " + source.channels() + "x" + source.patchSize() + "x"
                    + source.patchSize() + " but the model expects " + model.imageShape(1));
        }
        return TrainingLoop.run(new TrainingLoop.Steps() {
            @Override
            public int step() { return step; }

            @Override
            public float[] trainStep(PatchSource src) {
                float[] terms = EncoderTrainer.this.trainStep(src);
                return new float[] {terms[0] + terms[1], terms[1]};
            }

            @Override
            public void saveCheckpoint(Path file) throws IOException { EncoderTrainer.this.saveCheckpoint(file); }
        }, cfg.steps(), cfg.batchSize(), cfg.checkpointEvery(), source, listener, checkpointFile);
    }

    /** One Adam step of E on a batch; returns {image term, feature term} of the batch's loss before the step. */
    public float[] trainStep(PatchSource source) {
        SplittableRandom rnd = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + step);
        int b = cfg.batchSize();
        int t = step + 1;
        float[] terms;
        try (Tensor x = backend.fromHost(source.sample(b, rnd), model.imageShape(b))) {
            terms = backward(x);
        }
        for (AdamState s : adamStates) s.step(t, adam);
        step = t;
        return terms;
    }

    /**
     * The izi_f loss of batch x and its gradient, accumulated into E's parameters (their grads); returns
     * {image term, feature term}, each summed over the batch with the 1 / (batch x size) weights. G and D's
     * features run in eval mode with input gradients only; E in training mode.
     */
    public float[] backward(Tensor x) {
        int b = x.shape().n();
        Sequential e = encoder.network();
        Sequential g = model.generator();
        Sequential f = model.features();
        int pixels = model.imageShape(1).size();
        int features = f.outputShape(model.imageShape(1)).size();
        try (Tensor fx = copy(f.forward(x, false))) {
            Tensor z = e.forward(x, true);
            Tensor gz = g.forward(z, false);
            Tensor fg = f.forward(gz, false);
            try (LossAndGrad image = backend.l2LossWithGrad(gz, x, 1f / ((float) pixels * b));
                 LossAndGrad feature = backend.l2LossWithGrad(fg, fx, cfg.kappa() / ((float) features * b));
                 Tensor dgz = f.backward(feature.grad(), false)) {
                backend.axpy(1f, image.grad(), dgz);
                try (Tensor dz = g.backward(dgz, false); Tensor dx = e.backward(dz, true)) {
                    return new float[] {sum(image.loss().toHost()), sum(feature.loss().toHost())};
                }
            }
        } finally {
            e.releaseActivations();
            g.releaseActivations();
            f.releaseActivations();
        }
    }

    private Tensor copy(Tensor t) {
        Tensor c = backend.zeros(t.shape());
        backend.copyInto(t, c);
        return c;
    }

    private static float sum(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return (float) s;
    }

    /** Saves the model with its encoder, the training step and the Adam moments (so {@link #resume} continues exactly). */
    public void saveCheckpoint(Path file) throws IOException {
        Map<String, Tensor> extra = new LinkedHashMap<>();
        for (AdamState s : adamStates) s.putMoments(extra);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("encoder.steps", Integer.toString(step));
        info.put("encoder.batch_size", Integer.toString(cfg.batchSize()));
        info.put("encoder.learning_rate", Float.toString(cfg.learningRate()));
        info.put("encoder.beta1", Float.toString(cfg.beta1()));
        info.put("encoder.kappa", Float.toString(cfg.kappa()));
        info.put("encoder.seed", Long.toString(cfg.seed()));
        ModelFile.save(file, model, info, extra);
    }

    /**
     * Continues encoder training from a checkpoint with cfg (its steps are the new total); the loaded model
     * (with its encoder) is the trainer's {@link #model()}, for the caller to close.
     */
    public static EncoderTrainer resume(Path file, Backend backend, EncoderTrainConfig cfg) throws IOException {
        ModelFile.Loaded loaded = ModelFile.load(file, backend);
        if (loaded.model().encoder() == null) {
            loaded.model().close();
            throw new IOException(file + ": not an encoder checkpoint (the model has no encoder)");
        }
        EncoderTrainer t = new EncoderTrainer(loaded.model(), cfg);
        for (AdamState s : t.adamStates) {
            if (!s.restoreMoments(loaded.extra())) {
                t.close();
                loaded.model().close();
                throw new IOException(file + ": not an encoder checkpoint (no Adam moments for " + s.param.name() + ")");
            }
        }
        t.step = Integer.parseInt(loaded.info().getOrDefault("encoder.steps", "0"));
        return t;
    }

    public Dcgan model() { return model; }

    /** Frees the Adam moments; the model and its encoder stay open (their owner closes them). */
    @Override
    public void close() {
        for (AdamState s : adamStates) s.close();
    }
}
