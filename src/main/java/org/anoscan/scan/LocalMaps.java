package org.anoscan.scan;

import java.util.List;
import java.util.function.Function;
import org.anoscan.io.FloatImage;
import org.anoscan.search.FeatureTerms;

/**
 * Per-patch maps of every {@link MapTerm}, at patch resolution (P x P), from a patch's residual and feature
 * terms and the statistics of normal patches; {@link #compose} sums a {@link MapKind}'s stitched terms.
 * Feature-position values are averaged over features (channels), then brought to pixels by the transposed
 * receptive field of the stage they come from (f's input: each pixel itself).
 */
public final class LocalMaps {
    /**
     * Window radius (pixels) of the ENERGY_PIXELS term: 9x9 pixels. Chosen by TextureLocalisation: radius 6 (and 3
     * for ENERGY_FINE) gave the same mean over the three textures, coarser.
     */
    public static final int ENERGY_RADIUS_PIXELS = 4;
    /** Window radius (positions) of the ENERGY_FINE term: 5x5 of the first stage's positions (about 13x13 pixels). */
    public static final int ENERGY_RADIUS_FINE = 2;
    /** Window radius (positions of f's first stage) of the WINDOW_MEAN term: 5x5 positions (about 13x13 pixels); radius 1 did worse, 3 no better. */
    public static final int WINDOW_RADIUS = 2;
    /** Window radius of the WINDOW_SPREAD term: 3x3 positions (about 9x9 pixels); radius 2 and 3 did worse in the window map. */
    public static final int SPREAD_RADIUS = 1;
    /** Spreads below normal that {@link MapTerm#DETAIL_LOSS} ignores: 1 (0.5 let calm normal grass into the mask, 2 missed squares). */
    public static final double DETAIL_DEAD_ZONE = 1.0;
    /** Added to the local energy before its logarithm: a flat region (energy 0) counts as ln(1/0.05) = 3. */
    static final double ENERGY_FLOOR = 0.05;

    private final int patchSize;
    private final int channels;
    private final ReceptiveField field;
    private final List<ReceptiveField> earlierFields;
    private final MapStatistics stats;

    /**
     * @param channels the residual's channel count
     * @param field    the feature stack's receptive field over a patch
     * @param stats    statistics of normal patches ({@link MapStatistics#identity} for none)
     */
    public LocalMaps(int patchSize, int channels, ReceptiveField field, MapStatistics stats) {
        this(patchSize, channels, field, List.of(), stats);
    }

    /**
     * @param earlierFields the receptive fields of f's input and of f's stages before the last, first first
     *                      ({@link #earlierFields}; for the terms on them, whose statistics must be in {@code stats})
     */
    public LocalMaps(int patchSize, int channels, ReceptiveField field, List<ReceptiveField> earlierFields, MapStatistics stats) {
        if (stats.patchPixels() != patchSize * patchSize) {
            throw new IllegalArgumentException("statistics for " + stats.patchPixels() + " patch pixels, patch is " + patchSize + "x" + patchSize);
        }
        this.patchSize = patchSize;
        this.channels = channels;
        this.field = field;
        this.earlierFields = List.copyOf(earlierFields);
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
            case ENERGY_PIXELS -> stageEnergy(terms, index, 0, ENERGY_RADIUS_PIXELS);
            case DEVIATION_FINE -> stageDeviation(terms, index, 1);
            case DEVIATION_MIDDLE -> middleDeviation(terms, index);
            case ENERGY_FINE -> stageEnergy(terms, index, 1, ENERGY_RADIUS_FINE);
            case MAHALANOBIS -> gaussianMap(terms, index, FeatureView.STACKED, g -> g.distances(terms, index));
            case WINDOW_MEAN -> gaussianMap(terms, index, FeatureView.STAGE1, g -> g.windowDivergence(terms, index, WINDOW_RADIUS, true, false));
            case WINDOW_SPREAD -> gaussianMap(terms, index, FeatureView.STAGE1, g -> g.windowDivergence(terms, index, SPREAD_RADIUS, false, true));
            case DETAIL_LOSS -> detailLoss(terms, index);
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
        if (parts.size() == 1 && !parts.get(0).twoSided() && parts.get(0).weight() == 1) return first;
        float[] out = new float[first.data().length];
        for (MapKind.Component c : parts) {
            float[] v = termMap.apply(c.term()).data();
            for (int i = 0; i < out.length; i++) out[i] += (float) (c.weight() * (c.twoSided() ? Math.abs(v[i]) : v[i]));
        }
        return FloatImage.map(first.height(), first.width(), out, first.source());
    }

    /** {@link MapTerm#DETAIL_LOSS} of one patch, from its pixels (f's input, stage 0 of the terms). */
    private float[] detailLoss(FeatureTerms t, int index) {
        if (t.earlier().isEmpty()) throw new IllegalArgumentException("the " + MapTerm.DETAIL_LOSS + " term needs the patches' pixels in the feature terms");
        FeatureTerms.StageFeatures x = t.earlier().get(0);
        float[] e = DetailEnergy.detail(x.values(), index * x.size(), x.perPatch().c(), patchSize);
        for (int i = 0; i < e.length; i++) e[i] = (float) Math.max(0, -stats.detailZ(i, e[i]) - DETAIL_DEAD_ZONE);
        return e;
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

    /** The mean of the deviation maps of f's middle stages (all but the first and the last; stage 0 is f's input). */
    private float[] middleDeviation(FeatureTerms t, int index) {
        int stages = t.earlier().size();
        if (stages < 3) throw new IllegalArgumentException("the " + MapTerm.DEVIATION_MIDDLE + " term needs a feature stack of 3 stages or more");
        float[] out = new float[patchSize * patchSize];
        for (int k = 2; k < stages; k++) {
            float[] m = stageDeviation(t, index, k);
            for (int i = 0; i < out.length; i++) out[i] += m[i] / (stages - 2);
        }
        return out;
    }

    /** A per-position map of the Gaussian of the named view, brought to pixels by the receptive field of the view's grid. */
    private float[] gaussianMap(FeatureTerms t, int index, String view, Function<FeatureGaussian, float[]> map) {
        FeatureGaussian g = stats.gaussian(view);
        int grid = g.view().gridStage();
        ReceptiveField rf = grid == t.earlier().size() ? field : earlierFields.get(grid);
        return rf.toPixels(map.apply(g), patchSize);
    }

    /** The fields {@link #LocalMaps(int, int, ReceptiveField, List, MapStatistics)} takes: f's input's, then all of {@code stages} but the last. */
    public static List<ReceptiveField> earlierFields(List<ReceptiveField> stages, int patchSize) {
        List<ReceptiveField> out = new java.util.ArrayList<>(List.of(ReceptiveField.identity(patchSize)));
        out.addAll(stages.subList(0, stages.size() - 1));
        return out;
    }

    /**
     * Per position of earlier stage {@code stage}: the mean over channels of |ln(e + floor)|, e the channel's mean
     * z² over the (2 radius + 1)² window of positions around it (clipped at the patch's edge); brought to pixels.
     */
    private float[] stageEnergy(FeatureTerms t, int index, int stage, int radius) {
        checkStages(t);
        FeatureTerms.StageFeatures st = t.earlier().get(stage);
        int c = st.perPatch().c(), h = st.perPatch().h(), w = st.perPatch().w(), off = index * st.size();
        double[] z2 = new double[st.size()];
        for (int e = 0; e < z2.length; e++) {
            double z = stats.stageZ(stage, e, st.values()[off + e]);
            z2[e] = z * z;
        }
        float[] perPosition = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int y0 = Math.max(0, y - radius), y1 = Math.min(h - 1, y + radius), x0 = Math.max(0, x - radius), x1 = Math.min(w - 1, x + radius);
                int count = (y1 - y0 + 1) * (x1 - x0 + 1);
                double sum = 0;
                for (int ch = 0; ch < c; ch++) {
                    double e = 0;
                    for (int yy = y0; yy <= y1; yy++) {
                        for (int xx = x0; xx <= x1; xx++) e += z2[ch * h * w + yy * w + xx];
                    }
                    sum += Math.abs(Math.log(e / count + ENERGY_FLOOR));
                }
                perPosition[y * w + x] = (float) (sum / c);
            }
        }
        return earlierFields.get(stage).toPixels(perPosition, patchSize);
    }

    private void checkStages(FeatureTerms t) {
        if (!stats.hasStages() || stats.stages() != t.earlier().size() || earlierFields.size() != t.earlier().size()) {
            throw new IllegalArgumentException("the stage maps need the statistics of f's input and every earlier stage of f: recalibrate the model");
        }
    }

    /** Mean |z| over the channels of earlier stage {@code stage} at each of its positions, brought to pixels. */
    private float[] stageDeviation(FeatureTerms t, int index, int stage) {
        checkStages(t);
        FeatureTerms.StageFeatures st = t.earlier().get(stage);
        return channelMean(st.values(), index * st.size(), st.perPatch(), earlierFields.get(stage), (e, v) -> Math.abs(stats.stageZ(stage, e, v)));
    }

    /** A per-entry value of one patch's feature map, averaged over features at each position, brought to pixels. */
    private float[] featurePixels(FeatureTerms t, float[] v, int index, EntryValue value) {
        return channelMean(v, index * t.size(), t.perPatch(), field, value);
    }

    /** The mean over channels of a per-entry value, at each position of a C x h x w map starting at {@code off}, brought to pixels. */
    private float[] channelMean(float[] v, int off, org.anoscan.tensor.Shape shape, ReceptiveField rf, EntryValue value) {
        int positions = shape.h() * shape.w(), cf = shape.c();
        float[] perPosition = new float[positions];
        for (int j = 0; j < positions; j++) {
            double s = 0;
            for (int c = 0; c < cf; c++) s += value.of(c * positions + j, v[off + c * positions + j]);
            perPosition[j] = (float) (s / cf);
        }
        return rf.toPixels(perPosition, patchSize);
    }

    private interface EntryValue {
        double of(int entry, float value);
    }
}
