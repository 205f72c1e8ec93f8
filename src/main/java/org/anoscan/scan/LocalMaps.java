package org.anoscan.scan;

import java.util.List;
import java.util.function.Function;
import org.anoscan.io.FloatImage;
import org.anoscan.search.FeatureTerms;

/**
 * Per-patch maps of every {@link MapTerm}, at patch resolution (P x P), from a patch's residual and feature
 * terms and the statistics of normal patches; {@link #compose} sums a {@link MapKind}'s stitched terms. Feature-position values are averaged over features, then
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
     * The P x P map of one term for one patch.
     *
     * @param residual the patch's C x P x P residual |x − G(z)|
     * @param terms    its batch's feature terms (may be null for RESIDUAL and RESIDUAL_Z)
     * @param index    the patch's place in that batch
     */
    public float[] term(MapTerm term, float[] residual, FeatureTerms terms, int index) {
        return switch (term) {
            case RESIDUAL -> residualPixels(residual);
            case RESIDUAL_Z -> residualZ(residual);
            case FEATURE -> feature(terms, index);
            case DEVIATION -> deviation(terms, index);
        };
    }

    /**
     * The sum of the terms of {@code kind} (all stitched and smoothed alike), per term map given by {@code termMap};
     * a two-sided term counts by its absolute value.
     */
    public static FloatImage compose(MapKind kind, Function<MapTerm, FloatImage> termMap) {
        List<MapKind.Component> parts = kind.components();
        if (parts.isEmpty()) throw new IllegalArgumentException("resolve " + kind.label() + " before composing a map");
        FloatImage first = termMap.apply(parts.get(0).term());
        if (parts.size() == 1 && !parts.get(0).twoSided()) return first;
        float[] out = new float[first.data().length];
        for (MapKind.Component c : parts) {
            float[] v = termMap.apply(c.term()).data();
            for (int i = 0; i < out.length; i++) out[i] += c.twoSided() ? Math.abs(v[i]) : v[i];
        }
        return FloatImage.map(first.height(), first.width(), out, first.source());
    }

    private float[] residualZ(float[] residual) {
        float[] r = residualPixels(residual);
        for (int i = 0; i < r.length; i++) r[i] = stats.residualZ(i, r[i]);
        return r;
    }

    private float[] feature(FeatureTerms t, int index) {
        return featurePixels(t, t.residual(), index, stats::featureResidualZ);
    }

    private float[] deviation(FeatureTerms t, int index) {
        return featurePixels(t, t.features(), index, (e, v) -> Math.abs(stats.featuresZ(e, v)));
    }

    /** A per-entry value of one patch's feature map, averaged over features at each position, brought to pixels. */
    private float[] featurePixels(FeatureTerms t, float[] v, int index, EntryValue value) {
        int off = index * t.size(), positions = t.perPatch().h() * t.perPatch().w(), cf = t.perPatch().c();
        float[] perPosition = new float[positions];
        for (int j = 0; j < positions; j++) {
            double s = 0;
            for (int c = 0; c < cf; c++) s += value.of(c * positions + j, v[off + c * positions + j]);
            perPosition[j] = (float) (s / cf);
        }
        return field.toPixels(perPosition, patchSize);
    }

    private interface EntryValue {
        double of(int entry, float value);
    }
}
