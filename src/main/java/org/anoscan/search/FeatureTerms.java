package org.anoscan.search;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.nn.Conv2d;
import org.anoscan.nn.Dcgan;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * The feature term of the search, kept per position instead of summed: {@code f(x)} and
 * {@code |f(x) − f(G(z))|} for a batch of patches and their reconstructions, with f the discriminator's
 * last feature map in the same frozen eval-mode form the search uses; and f's input x and the outputs of f's
 * earlier stages on x (finer positions: for a 32-pixel patch 32x32 pixels, 16x16 after the first stage, 8x8 after
 * the second). One forward
 * of f per patch, against the search's Γ forward and backward passes of G and f: cheap enough to compute for
 * every scanned patch.
 *
 * @param features         f(x), count x C_f x h x w
 * @param residual         |f(x) − f(G(z))|, count x C_f x h x w
 * @param perPatch         C_f x h x w (one sample, N = 1)
 * @param earlier          x itself (stage 0), then the outputs of f's stages before the last on x, first stage first
 */
public record FeatureTerms(float[] features, float[] residual, Shape perPatch, List<StageFeatures> earlier) {

    /** One earlier stage's output on x: count x C x h x w values, {@code perPatch} = 1 x C x h x w. */
    public record StageFeatures(float[] values, Shape perPatch) {
        public int size() { return perPatch.size(); }
    }

    public FeatureTerms {
        earlier = List.copyOf(earlier);
    }

    /** Only the last stage's terms. */
    public FeatureTerms(float[] features, float[] residual, Shape perPatch) {
        this(features, residual, perPatch, List.of());
    }

    /** Computes the terms for {@code count} patches {@code x} (CHW each, concatenated) and their reconstructions {@code g}. */
    public static FeatureTerms compute(Dcgan model, float[] x, float[] g, int count) {
        int per = model.imageShape(1).size();
        if (x.length != (long) count * per || g.length != x.length) {
            throw new IllegalArgumentException("feature terms: " + x.length + " and " + g.length + " values for " + count
                    + " patches of " + model.imageShape(1));
        }
        Shape out = model.features().outputShape(model.imageShape(1));
        try (FoldedNetwork f = new FoldedNetwork(model.features(), model.imageShape(1));
             Tensor xt = model.backend().fromHost(x, model.imageShape(count));
             Tensor gt = model.backend().fromHost(g, model.imageShape(count))) {
            float[] fx = f.forward(xt).toHost();
            List<Tensor> stages = f.stageOutputs();
            List<StageFeatures> earlier = new ArrayList<>(stages.size());
            earlier.add(new StageFeatures(x.clone(), model.imageShape(1)));
            for (int i = 0; i < stages.size() - 1; i++) {
                Shape s = stages.get(i).shape();
                earlier.add(new StageFeatures(stages.get(i).toHost(), s.withN(1)));
            }
            try (Tensor fxt = model.backend().fromHost(fx, out.withN(count));
                 Tensor diff = model.backend().absDiff(fxt, f.forward(gt))) {
                return new FeatureTerms(fx, diff.toHost(), out, earlier);
            }
        }
    }

    /** The per-patch shape (1 x C x h x w) of f's input (stage 0) and of each of f's stages before the last. */
    public static List<Shape> earlierShapes(Dcgan model) {
        List<Shape> shapes = new ArrayList<>(List.of(model.imageShape(1)));
        Shape s = model.imageShape(1);
        boolean first = true;
        for (org.anoscan.nn.Layer l : model.features().layers()) {
            if (l instanceof Conv2d && !first) shapes.add(s);
            if (l instanceof Conv2d) first = false;
            s = l.outputShape(s);
        }
        return shapes;
    }

    /** The entries per patch of f's input (stage 0) and of each of f's stages before the last. */
    public static int[] earlierSizes(Dcgan model) {
        return earlierShapes(model).stream().mapToInt(Shape::size).toArray();
    }

    /** Values per patch (C_f x h x w). */
    public int size() { return perPatch.size(); }
}
