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

    private static Sequential buildGenerator(Backend b, DcganSpec s, Init init) {
        List<Layer> layers = new ArrayList<>();
        int width = s.ngf() << (s.stages() - 1);
        layers.add(new ConvTranspose2d(b, gName(layers), s.nz(), width, 4, 1, 0, init));
        layers.add(new BatchNorm2d(b, gName(layers), width, init));
        layers.add(new ActivationLayer(b, Activation.RELU));
        for (int i = 1; i < s.stages(); i++) {
            layers.add(new ConvTranspose2d(b, gName(layers), width, width / 2, 4, 2, 1, init));
            width /= 2;
            layers.add(new BatchNorm2d(b, gName(layers), width, init));
            layers.add(new ActivationLayer(b, Activation.RELU));
        }
        layers.add(new ConvTranspose2d(b, gName(layers), width, s.channels(), 4, 2, 1, init));
        layers.add(new ActivationLayer(b, Activation.TANH));
        return new Sequential(layers);
    }

    private static List<Layer> buildDiscriminator(Backend b, DcganSpec s, Init init) {
        List<Layer> layers = new ArrayList<>();
        int width = s.ndf();
        layers.add(new Conv2d(b, dName(layers), s.channels(), width, 4, 2, 1, init));
        layers.add(new ActivationLayer(b, Activation.LEAKY_RELU));
        for (int i = 1; i < s.stages(); i++) {
            layers.add(new Conv2d(b, dName(layers), width, width * 2, 4, 2, 1, init));
            width *= 2;
            layers.add(new BatchNorm2d(b, dName(layers), width, init));
            layers.add(new ActivationLayer(b, Activation.LEAKY_RELU));
        }
        layers.add(new Conv2d(b, dName(layers), width, 1, 4, 1, 0, init));
        return layers;
    }

    /**
     * The names and shapes of {@link #state()} for {@code spec}, computed without allocating anything, so a
     * model file can be checked against its architecture before a network is built ({@code DcganTest} keeps
     * it equal to what the builders make).
     */
    public static java.util.Map<String, int[]> stateShapes(DcganSpec s) {
        java.util.Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        int layer = 0;
        int width = s.ngf() << (s.stages() - 1);
        shapes.put("generator.main.0.weight", new int[] {s.nz(), width, 4, 4});
        batchNormShapes(shapes, "generator.main.1", width);
        layer = 3;
        for (int i = 1; i < s.stages(); i++, layer += 3) {
            shapes.put("generator.main." + layer + ".weight", new int[] {width, width / 2, 4, 4});
            width /= 2;
            batchNormShapes(shapes, "generator.main." + (layer + 1), width);
        }
        shapes.put("generator.main." + layer + ".weight", new int[] {width, s.channels(), 4, 4});
        width = s.ndf();
        shapes.put("discriminator.main.0.weight", new int[] {width, s.channels(), 4, 4});
        layer = 2;
        for (int i = 1; i < s.stages(); i++, layer += 3) {
            shapes.put("discriminator.main." + layer + ".weight", new int[] {width * 2, width, 4, 4});
            width *= 2;
            batchNormShapes(shapes, "discriminator.main." + (layer + 1), width);
        }
        shapes.put("discriminator.main." + layer + ".weight", new int[] {1, width, 4, 4});
        return shapes;
    }

    private static void batchNormShapes(java.util.Map<String, int[]> shapes, String name, int channels) {
        for (String p : List.of("weight", "bias", "running_mean", "running_var")) shapes.put(name + "." + p, new int[] {channels});
    }

    private static String gName(List<Layer> soFar) {
        return "generator.main." + soFar.size();
    }

    private static String dName(List<Layer> soFar) {
        return "discriminator.main." + soFar.size();
    }

    public DcganSpec spec() { return spec; }

    public Backend backend() { return backend; }

    /** z [B, nz, 1, 1] -> image [B, C, S, S] in [-1, 1]. */
    public Sequential generator() { return generator; }

    /** image -> D's feature map f [B, featureChannels, 4, 4]. */
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
