package org.anoscan.scan;

import org.anoscan.search.FeatureTerms;

/**
 * Per-patch maps of every {@link MapKind}, at patch resolution (P x P), from a patch's residual and feature
 * terms and the statistics of normal patches. Feature-position values are averaged over features, then
 * brought to pixels by the feature stack's transposed receptive field.
 */
public final class LocalMaps {
    private final int patchSize;
    private final int channels;
    private final ReceptiveField field;
    private final MapStatistics stats;

    /**
     * @param channels the residual's channel count
     * @param field    the feature stack's receptive field over a patch
     * @param stats    statistics of normal patches ({@link MapStatistics#identity} for none)
     */
    public LocalMaps(int patchSize, int channels, ReceptiveField field, MapStatistics stats) {
        if (stats.patchPixels() != patchSize * patchSize) {
            throw new IllegalArgumentException("statistics for " + stats.patchPixels() + " patch pixels, patch is " + patchSize + "x" + patchSize);
        }
        this.patchSize = patchSize;
        this.channels = channels;
        this.field = field;
        this.stats = stats;
    }

    public MapStatistics statistics() { return stats; }

    /** The channel mean of a C x P x P residual. */
    public float[] residualPixels(float[] residual) {
        int plane = patchSize * patchSize;
        float[] out = new float[plane];
        for (int i = 0; i < plane; i++) {
            double s = 0;
            for (int c = 0; c < channels; c++) s += residual[c * plane + i];
            out[i] = (float) (s / channels);
        }
        return out;
    }

    /**
     * The P x P map of {@code kind} (not AUTO) for one patch.
     *
     * @param residual the patch's C x P x P residual |x − G(z)|
     * @param terms    its batch's feature terms (may be null for RESIDUAL and RESIDUAL_Z)
     * @param index    the patch's place in that batch
     */
    public float[] map(MapKind kind, float[] residual, FeatureTerms terms, int index) {
        return switch (kind) {
            case RESIDUAL -> residualPixels(residual);
            case RESIDUAL_Z -> residualZ(residual);
            case FEATURE -> feature(terms, index);
            case DEVIATION -> deviation(terms, index);
            case COMBINED -> add(residualZ(residual), feature(terms, index));
            case COMBINED_DEVIATION -> add(add(residualZ(residual), feature(terms, index)), deviation(terms, index));
            case AUTO -> throw new IllegalArgumentException("resolve AUTO before asking for a map");
        };
    }

    private float[] residualZ(float[] residual) {
        float[] r = residualPixels(residual);
        for (int i = 0; i < r.length; i++) r[i] = stats.residualZ(i, r[i]);
        return r;
    }

    private float[] feature(FeatureTerms t, int index) {
        float[] v = t.residual();
        int off = index * t.size(), positions = t.perPatch().h() * t.perPatch().w(), cf = t.perPatch().c();
        float[] perPosition = new float[positions];
        for (int j = 0; j < positions; j++) {
            double s = 0;
            for (int c = 0; c < cf; c++) s += stats.featureResidualZ(c * positions + j, v[off + c * positions + j]);
            perPosition[j] = (float) (s / cf);
        }
        return field.toPixels(perPosition, patchSize);
    }

    private float[] deviation(FeatureTerms t, int index) {
        float[] v = t.features();
        int off = index * t.size(), positions = t.perPatch().h() * t.perPatch().w(), cf = t.perPatch().c();
        float[] perPosition = new float[positions];
        for (int j = 0; j < positions; j++) {
            double s = 0;
            for (int c = 0; c < cf; c++) s += Math.abs(stats.featuresZ(c * positions + j, v[off + c * positions + j]));
            perPosition[j] = (float) (s / cf);
        }
        return field.toPixels(perPosition, patchSize);
    }

    private static float[] add(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }
}
