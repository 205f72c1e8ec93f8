package org.anoscan.search;

import org.anoscan.nn.Dcgan;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * The feature term of the search, kept per position instead of summed: {@code f(x)} and
 * {@code |f(x) − f(G(z))|} for a batch of patches and their reconstructions, with f the discriminator's
 * last feature map in the same frozen eval-mode form the search uses. One forward of f per patch, against
 * the search's Γ forward and backward passes of G and f: cheap enough to compute for every scanned patch.
 *
 * @param features         f(x), count x C_f x h x w
 * @param residual         |f(x) − f(G(z))|, count x C_f x h x w
 * @param perPatch         C_f x h x w (one sample)
 */
public record FeatureTerms(float[] features, float[] residual, Shape perPatch) {

    /** Computes both terms for {@code count} patches {@code x} (CHW each, concatenated) and their reconstructions {@code g}. */
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
            try (Tensor fxt = model.backend().fromHost(fx, out.withN(count));
                 Tensor diff = model.backend().absDiff(fxt, f.forward(gt))) {
                return new FeatureTerms(fx, diff.toHost(), out);
            }
        }
    }

    /** Values per patch (C_f x h x w). */
    public int size() { return perPatch.size(); }
}
