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
import org.anoscan.nn.Init;
import org.anoscan.nn.Parameter;
import org.anoscan.nn.Sequential;
import org.anoscan.tensor.Tensor;

/**
 * Trains a DCGAN on normal patches: binary cross-entropy with logits, alternating one D step (a real
 * and a fake batch) and one G step (non-saturating loss), Adam for both. Step s draws its batch and noise
 * from its own seeded stream, so training is reproducible and a resumed run continues exactly.
 */
public final class GanTrainer implements AutoCloseable {
    private final Dcgan model;
    private final TrainConfig cfg;
    private final Backend backend;
    private final List<AdamState> gAdam = new ArrayList<>();
    private final List<AdamState> dAdam = new ArrayList<>();
    private final AdamConfig adam;
    private int step;

    public GanTrainer(Dcgan model, TrainConfig cfg) {
        this.model = model;
        this.cfg = cfg;
        this.backend = model.backend();
        this.adam = new AdamConfig(cfg.learningRate(), cfg.beta1(), 0.999f, 1e-8f, 0f);
        for (Parameter p : model.generator().parameters()) gAdam.add(new AdamState(p));
        for (Parameter p : model.discriminator().parameters()) dAdam.add(new AdamState(p));
    }

    public Dcgan model() { return model; }

    public TrainConfig config() { return cfg; }

    /** Steps done so far. */
    public int step() { return step; }

    /**
     * Trains until {@code cfg.steps()} steps are done or the listener asks to stop, saving a checkpoint to
     * checkpointFile (when not null) every {@code cfg.checkpointEvery()} steps, at the end and when stopped.
     *
     * @return true when all steps are done, false when the listener stopped training early
     */
    public boolean train(PatchSource source, TrainListener listener, Path checkpointFile) throws IOException {
        if (source.channels() != model.spec().channels() || source.patchSize() != model.spec().imageSize()) {
            throw new IllegalArgumentException("train: patches are " + source.channels() + "x" + source.patchSize() + "x"
                    + source.patchSize() + " but the model expects " + model.imageShape(1));
        }
        return TrainingLoop.run(new TrainingLoop.Steps() {
            @Override
            public int step() { return step; }

            @Override
            public float[] trainStep(PatchSource src) { return GanTrainer.this.trainStep(src); }

            @Override
            public void saveCheckpoint(Path file) throws IOException { GanTrainer.this.saveCheckpoint(file); }
        }, cfg.steps(), cfg.batchSize(), cfg.checkpointEvery(), source, listener, checkpointFile);
    }

    /** One D step and one G step; returns {lossD, lossG}. */
    public float[] trainStep(PatchSource source) {
        SplittableRandom rnd = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + step);
        int b = cfg.batchSize();
        int t = step + 1;
        Sequential g = model.generator();
        Sequential d = model.discriminator();
        float lossD;
        float lossG;
        try (Tensor real = backend.fromHost(source.sample(b, rnd), model.imageShape(b));
             Tensor z = backend.fromHost(noise(b, rnd), model.latentShape(b))) {
            // D: real batch towards realLabel, fake batch towards 0 (fake is not back-propagated into G here)
            lossD = backwardBce(d, real, cfg.realLabel(), true);
            Tensor fake = g.forward(z, true);
            lossD += backwardBce(d, fake, 0f, true);
            for (AdamState s : dAdam) s.step(t, adam);
            // G: make D call the same fake batch real; D's weights get no gradient
            Tensor logits = d.forward(fake, true);
            try (LossAndGrad l = backend.bceWithLogits(logits, 1f);
                 Tensor dFake = d.backward(l.grad(), false);
                 Tensor dz = g.backward(dFake, true)) {
                lossG = l.loss().toHost()[0];
            }
            for (AdamState s : gAdam) s.step(t, adam);
        } finally {
            g.releaseActivations();
            d.releaseActivations();
        }
        step = t;
        return new float[] {lossD, lossG};
    }

    private float backwardBce(Sequential d, Tensor input, float target, boolean weightGrads) {
        Tensor logits = d.forward(input, true);
        try (LossAndGrad l = backend.bceWithLogits(logits, target); Tensor dx = d.backward(l.grad(), weightGrads)) {
            return l.loss().toHost()[0];
        }
    }

    private float[] noise(int b, SplittableRandom rnd) {
        float[] z = new float[b * model.spec().nz()];
        for (int i = 0; i < z.length; i++) z[i] = (float) Init.gaussian(rnd);
        return z;
    }

    /** count samples G(z) with z ~ N(0, 1) drawn from seed, CHW each (eval-mode batch norm, as the search sees G). */
    public float[] samples(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Tensor z = backend.fromHost(noise(count, rnd), model.latentShape(count))) {
            float[] out = model.generator().forward(z, false).toHost();
            model.generator().releaseActivations();
            return out;
        }
    }

    /** Saves the model, the training step and the Adam moments (so {@link #resume} continues exactly). */
    public void saveCheckpoint(Path file) throws IOException {
        Map<String, Tensor> extra = new LinkedHashMap<>();
        for (AdamState s : allStates()) s.putMoments(extra);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("steps", Integer.toString(step));
        info.put("batch_size", Integer.toString(cfg.batchSize()));
        info.put("learning_rate", Float.toString(cfg.learningRate()));
        info.put("beta1", Float.toString(cfg.beta1()));
        info.put("real_label", Float.toString(cfg.realLabel()));
        info.put("seed", Long.toString(cfg.seed()));
        ModelFile.save(file, model, info, extra);
    }

    /** Continues training from a checkpoint with cfg (its steps are the new total). */
    public static GanTrainer resume(Path file, Backend backend, TrainConfig cfg) throws IOException {
        ModelFile.Loaded loaded = ModelFile.load(file, backend);
        GanTrainer t = new GanTrainer(loaded.model(), cfg);
        for (AdamState s : t.allStates()) {
            if (!s.restoreMoments(loaded.extra())) {
                t.close();
                loaded.model().close();
                throw new IOException(file + ": not a checkpoint (no Adam moments for " + s.param.name() + ")");
            }
        }
        t.step = Integer.parseInt(loaded.info().getOrDefault("steps", "0"));
        return t;
    }

    private List<AdamState> allStates() {
        List<AdamState> all = new ArrayList<>(gAdam);
        all.addAll(dAdam);
        return all;
    }


    /** Frees the Adam moments; the model stays open (its owner closes it). */
    @Override
    public void close() {
        for (AdamState s : allStates()) s.close();
    }
}
