package org.anoscan.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.Activation;
import org.anoscan.backend.Backend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * f-AnoGAN's encoder E (Schlegl et al. 2019): image [B, C, S, S] -> z [B, nz, 1, 1] in one forward pass.
 * A DCGAN discriminator-like stack (4x4 stride-2 convs, batch norm after all but the first, LeakyReLU) whose
 * last 4x4 conv maps to nz channels with a linear output, since the generator's prior is N(0, 1), not a box.
 * Parameter names are {@code encoder.main.N.*}, next to the DCGAN's in a model file.
 */
public final class Encoder implements AutoCloseable {
    public static final String PREFIX = "encoder.";

    private final DcganSpec gan;
    private final int width;
    private final Sequential net;

    /** An encoder for the DCGAN of {@code gan} (its patch size, channels and nz), first stage {@code width} channels wide. */
    public Encoder(Backend backend, DcganSpec gan, int width, long seed) {
        if (width <= 0) throw new IllegalArgumentException("encoder: width must be positive, got " + width);
        this.gan = gan;
        this.width = width;
        Init init = new Init(seed);
        List<Layer> layers = new ArrayList<>();
        int w = width;
        layers.add(new Conv2d(backend, name(layers), gan.channels(), w, 4, 2, 1, init));
        layers.add(new ActivationLayer(backend, Activation.LEAKY_RELU));
        for (int i = 1; i < gan.stages(); i++) {
            layers.add(new Conv2d(backend, name(layers), w, w * 2, 4, 2, 1, init));
            w *= 2;
            layers.add(new BatchNorm2d(backend, name(layers), w, init));
            layers.add(new ActivationLayer(backend, Activation.LEAKY_RELU));
        }
        layers.add(new Conv2d(backend, name(layers), w, gan.nz(), 4, 1, 0, init));
        this.net = new Sequential(layers);
    }

    private static String name(List<Layer> soFar) {
        return PREFIX + "main." + soFar.size();
    }

    /** The names and shapes of {@link #state()}, without allocating anything (a model file is checked against them). */
    public static Map<String, int[]> stateShapes(DcganSpec gan, int width) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int w = width;
        shapes.put(PREFIX + "main.0.weight", new int[] {w, gan.channels(), 4, 4});
        int layer = 2;
        for (int i = 1; i < gan.stages(); i++, layer += 3) {
            shapes.put(PREFIX + "main." + layer + ".weight", new int[] {w * 2, w, 4, 4});
            w *= 2;
            for (String p : List.of("weight", "bias", "running_mean", "running_var")) {
                shapes.put(PREFIX + "main." + (layer + 1) + "." + p, new int[] {w});
            }
        }
        shapes.put(PREFIX + "main." + layer + ".weight", new int[] {gan.nz(), w, 4, 4});
        return shapes;
    }

    /** The DCGAN this encoder maps into. */
    public DcganSpec gan() { return gan; }

    /** Channels of the first stage (doubled at each stride-2 stage). */
    public int width() { return width; }

    /** image -> z [B, nz, 1, 1]; train: batch statistics in batch norm (training), else running ones (scoring). */
    public Sequential network() { return net; }

    /** Parameters, then batch-norm running statistics (the order of {@link #stateShapes}' entries may differ). */
    public List<Parameter> state() {
        List<Parameter> all = new ArrayList<>(net.parameters());
        all.addAll(net.buffers());
        return all;
    }

    public Shape outputShape(int batch) {
        return Shape.of(batch, gan.nz(), 1, 1);
    }

    /** Copies another encoder's weights and statistics (same architecture). */
    public void copyStateFrom(Encoder other) {
        if (!other.gan.equals(gan) || other.width != width) throw new IllegalArgumentException("encoder: copyStateFrom needs the same architecture");
        List<Parameter> mine = state(), theirs = other.state();
        for (int i = 0; i < mine.size(); i++) {
            Tensor dst = mine.get(i).value();
            try (Tensor t = dst.backend().fromHost(theirs.get(i).value().toHost(), dst.shape())) {
                dst.backend().copyInto(t, dst);
            }
        }
    }

    @Override
    public void close() {
        net.close();
    }
}
