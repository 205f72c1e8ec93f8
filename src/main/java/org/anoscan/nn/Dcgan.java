package org.anoscan.nn;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.Activation;
import org.anoscan.backend.Backend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * A DCGAN (Radford et al.): generator z [B, nz] -> tanh image [B, C, S, S], and discriminator split into
 * its feature extractor f (the last LeakyReLU feature map, as AnoGAN uses) and its head (the final 4x4
 * conv to one logit). Parameter names follow PyTorch's DCGAN example ({@code generator.main.0.weight},
 * {@code discriminator.main.1.weight}, ...), so saved weights map onto that module layout.
 */
public final class Dcgan implements AutoCloseable {
    private final DcganSpec spec;
    private final Backend backend;
    private final Sequential generator;
    private final Sequential features;
    private final Sequential head;
    private final Sequential discriminator;
    private Encoder encoder; // optional: f-AnoGAN's image -> z map, owned

    public Dcgan(Backend backend, DcganSpec spec, long seed) {
        this.backend = backend;
        this.spec = spec;
        Init init = new Init(seed);
        this.generator = buildGenerator(backend, spec, init);
        List<Layer> d = buildDiscriminator(backend, spec, init);
        this.features = new Sequential(d.subList(0, d.size() - 1));
        this.head = new Sequential(d.subList(d.size() - 1, d.size()));
        this.discriminator = new Sequential(List.of(features, head));
    }

    /** One layer of an architecture, before anything is allocated: the builders and {@link #stateShapes} read the same plan. */
    private sealed interface Step permits Conv, Norm, Act {}

    private record Conv(boolean transposed, int in, int out, int kernel, int stride, int padding) implements Step {}

    private record Norm(int channels) implements Step {}

    private record Act(Activation kind) implements Step {}

    /**
     * G: a ConvTranspose + BN + ReLU per stage (4x4 from z, then doubling), each stage followed by its share of
     * the spec's extra stride-1 3x3 Conv + BN + ReLU blocks, then the output ConvTranspose + Tanh.
     */
    private static List<Step> generatorPlan(DcganSpec s) {
        List<Step> plan = new ArrayList<>();
        int width = s.ngf() << (s.stages() - 1);
        plan.add(new Conv(true, s.nz(), width, 4, 1, 0));
        stageEnd(plan, width, Activation.RELU, s.blocksInStage(0));
        for (int i = 1; i < s.stages(); i++) {
            plan.add(new Conv(true, width, width / 2, 4, 2, 1));
            width /= 2;
            stageEnd(plan, width, Activation.RELU, s.blocksInStage(i));
        }
        plan.add(new Conv(true, width, s.channels(), 4, 2, 1));
        plan.add(new Act(Activation.TANH));
        return plan;
    }

    /**
     * D: a stride-2 Conv + LeakyReLU (first stage, no BN) or Conv + BN + LeakyReLU per stage, each followed by its
     * share of the extra blocks (Conv 3x3 + BN + LeakyReLU), then the final 4x4 conv to one logit (D's head).
     */
    private static List<Step> discriminatorPlan(DcganSpec s) {
        List<Step> plan = new ArrayList<>();
        int width = s.ndf();
        plan.add(new Conv(false, s.channels(), width, 4, 2, 1));
        plan.add(new Act(Activation.LEAKY_RELU));
        extraBlocks(plan, width, Activation.LEAKY_RELU, s.blocksInStage(s.stages() - 1));
        for (int i = 1; i < s.stages(); i++) {
            plan.add(new Conv(false, width, width * 2, 4, 2, 1));
            width *= 2;
            stageEnd(plan, width, Activation.LEAKY_RELU, s.blocksInStage(s.stages() - 1 - i));
        }
        plan.add(new Conv(false, width, 1, 4, 1, 0));
        return plan;
    }

    private static void stageEnd(List<Step> plan, int width, Activation act, int blocks) {
        plan.add(new Norm(width));
        plan.add(new Act(act));
        extraBlocks(plan, width, act, blocks);
    }

    private static void extraBlocks(List<Step> plan, int width, Activation act, int blocks) {
        for (int b = 0; b < blocks; b++) {
            plan.add(new Conv(false, width, width, 3, 1, 1));
            plan.add(new Norm(width));
            plan.add(new Act(act));
        }
    }

    private static Sequential buildGenerator(Backend b, DcganSpec s, Init init) {
        return new Sequential(build(b, generatorPlan(s), "generator.main.", init));
    }

    private static List<Layer> buildDiscriminator(Backend b, DcganSpec s, Init init) {
        return build(b, discriminatorPlan(s), "discriminator.main.", init);
    }

    private static List<Layer> build(Backend b, List<Step> plan, String prefix, Init init) {
        List<Layer> layers = new ArrayList<>();
        for (Step step : plan) {
            String name = prefix + layers.size();
            if (step instanceof Conv c) {
                layers.add(c.transposed() ? new ConvTranspose2d(b, name, c.in(), c.out(), c.kernel(), c.stride(), c.padding(), init)
                        : new Conv2d(b, name, c.in(), c.out(), c.kernel(), c.stride(), c.padding(), init));
            } else if (step instanceof Norm n) {
                layers.add(new BatchNorm2d(b, name, n.channels(), init));
            } else {
                layers.add(new ActivationLayer(b, ((Act) step).kind()));
            }
        }
        return layers;
    }

    /**
     * The names and shapes of {@link #state()} for {@code spec}, computed without allocating anything, so a
     * model file can be checked against its architecture before a network is built ({@code DcganStateShapesTest}
     * keeps it equal to what the builders make).
     */
    public static java.util.Map<String, int[]> stateShapes(DcganSpec s) {
        java.util.Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        planShapes(shapes, generatorPlan(s), "generator.main.");
        planShapes(shapes, discriminatorPlan(s), "discriminator.main.");
        return shapes;
    }

    private static void planShapes(java.util.Map<String, int[]> shapes, List<Step> plan, String prefix) {
        for (int i = 0; i < plan.size(); i++) {
            if (plan.get(i) instanceof Conv c) { // weights [in, out, k, k] transposed, [out, in, k, k] otherwise
                shapes.put(prefix + i + ".weight", c.transposed() ? new int[] {c.in(), c.out(), c.kernel(), c.kernel()}
                        : new int[] {c.out(), c.in(), c.kernel(), c.kernel()});
            } else if (plan.get(i) instanceof Norm n) {
                for (String p : List.of("weight", "bias", "running_mean", "running_var")) shapes.put(prefix + i + "." + p, new int[] {n.channels()});
            }
        }
    }

    public DcganSpec spec() { return spec; }

    public Backend backend() { return backend; }

    /** z [B, nz, 1, 1] -> image [B, C, S, S] in [-1, 1]. */
    public Sequential generator() { return generator; }

    /** image -> D's feature map f [B, featureChannels, 4, 4] (every layer of D but its head). */
    public Sequential features() { return features; }

    /** f -> logit [B, 1, 1, 1]. */
    public Sequential head() { return head; }

    /** features then head: image -> logit. */
    public Sequential discriminator() { return discriminator; }

    public Shape latentShape(int batch) {
        return Shape.of(batch, spec.nz(), 1, 1);
    }

    public Shape imageShape(int batch) {
        return Shape.of(batch, spec.channels(), spec.imageSize(), spec.imageSize());
    }

    /** Generator parameters, then discriminator parameters, then batch-norm running statistics. */
    public List<Parameter> state() {
        List<Parameter> all = new ArrayList<>(generator.parameters());
        all.addAll(discriminator.parameters());
        all.addAll(generator.buffers());
        all.addAll(discriminator.buffers());
        return all;
    }

    /** Copies the weights and running statistics of another DCGAN of the same spec (any backend). */
    public void copyStateFrom(Dcgan other) {
        if (!other.spec.equals(spec)) throw new IllegalArgumentException("copyStateFrom: spec " + other.spec + " != " + spec);
        List<Parameter> mine = state();
        List<Parameter> theirs = other.state();
        for (int i = 0; i < mine.size(); i++) {
            Tensor src = theirs.get(i).value();
            Tensor dst = mine.get(i).value();
            if (src.backend() == dst.backend()) {
                backend.copyInto(src, dst);
            } else {
                try (Tensor t = backend.fromHost(src.toHost(), src.shape())) {
                    backend.copyInto(t, dst);
                }
            }
        }
    }

    /** The encoder that maps images to this generator's z, or null when the model has none. */
    public Encoder encoder() { return encoder; }

    /** Attaches an encoder (taking ownership; a previous one is closed), or removes it with null. */
    public void setEncoder(Encoder e) {
        if (e != null && !e.gan().equals(spec)) throw new IllegalArgumentException("encoder for " + e.gan() + " does not fit " + spec);
        if (encoder != null && encoder != e) encoder.close();
        encoder = e;
    }

    @Override
    public void close() {
        if (encoder != null) encoder.close();
        encoder = null;
        generator.close();
        discriminator.close();
    }
}
