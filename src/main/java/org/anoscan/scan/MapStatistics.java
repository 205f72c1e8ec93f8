package org.anoscan.scan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What normal patches show, per entry: the mean and spread of the residual at each patch pixel (channel mean
 * of {@code |x − G(z)|}), of the feature residual {@code |f(x) − f(G(z))|} and of the features f(x) at each
 * feature and position. Gathered by {@code calibrate} on normal images and stored in the model file as extra
 * tensors (so the file's checksum covers them); the normalised maps ({@link MapKind}) divide by them, so a
 * texture's normally busy entries stop dominating.
 */
public final class MapStatistics {
    public static final String RESIDUAL_MEAN = "calibration.residual_mean";
    public static final String RESIDUAL_STD = "calibration.residual_std";
    public static final String FEATURE_RESIDUAL_MEAN = "calibration.feature_residual_mean";
    public static final String FEATURE_RESIDUAL_STD = "calibration.feature_residual_std";
    public static final String FEATURES_MEAN = "calibration.features_mean";
    public static final String FEATURES_STD = "calibration.features_std";
    /** The info key holding how many normal patches the statistics came from. */
    public static final String PATCHES_KEY = "calibration.patches";

    /**
     * Spreads are floored at this share of their mean over entries: an entry that hardly varies on normal
     * patches (a constant border) must not turn a tiny difference into a huge z.
     */
    static final double SPREAD_FLOOR = 0.05;

    private final float[] residualMean, residualStd, featureResidualMean, featureResidualStd, featuresMean, featuresStd;
    private final long patches;

    private MapStatistics(float[] rm, float[] rs, float[] frm, float[] frs, float[] fm, float[] fs, long patches) {
        this.residualMean = rm;
        this.residualStd = rs;
        this.featureResidualMean = frm;
        this.featureResidualStd = frs;
        this.featuresMean = fm;
        this.featuresStd = fs;
        this.patches = patches;
    }

    /** Mean 0 and spread 1 everywhere: the normalised maps on their raw scale. */
    public static MapStatistics identity(int patchPixels, int featureSize) {
        return new MapStatistics(new float[patchPixels], ones(patchPixels), new float[featureSize], ones(featureSize),
                new float[featureSize], ones(featureSize), 0);
    }

    public long patches() { return patches; }

    public boolean calibrated() { return patches > 0; }

    public int patchPixels() { return residualMean.length; }

    public int featureSize() { return featuresMean.length; }

    /** (v[i] − mean[i]) / std[i] of the residual map (patch pixels). */
    float residualZ(int i, float v) { return (v - residualMean[i]) / residualStd[i]; }

    float featureResidualZ(int i, float v) { return (v - featureResidualMean[i]) / featureResidualStd[i]; }

    float featuresZ(int i, float v) { return (v - featuresMean[i]) / featuresStd[i]; }

    /** The tensors to store, by name (flat vectors). */
    public Map<String, float[]> toExtras() {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put(RESIDUAL_MEAN, residualMean.clone());
        out.put(RESIDUAL_STD, residualStd.clone());
        out.put(FEATURE_RESIDUAL_MEAN, featureResidualMean.clone());
        out.put(FEATURE_RESIDUAL_STD, featureResidualStd.clone());
        out.put(FEATURES_MEAN, featuresMean.clone());
        out.put(FEATURES_STD, featuresStd.clone());
        return out;
    }

    /**
     * The statistics stored in a model file's extra tensors and info, or null when it has none.
     *
     * @throws IllegalArgumentException when some are missing, have the wrong size or are not usable (a spread
     *     that is not positive): the file was made for another architecture or damaged
     */
    public static MapStatistics fromExtras(Map<String, float[]> extra, Map<String, String> info, int patchPixels, int featureSize) {
        if (!extra.containsKey(RESIDUAL_MEAN)) return null;
        float[] rm = get(extra, RESIDUAL_MEAN, patchPixels, false), rs = get(extra, RESIDUAL_STD, patchPixels, true);
        float[] frm = get(extra, FEATURE_RESIDUAL_MEAN, featureSize, false), frs = get(extra, FEATURE_RESIDUAL_STD, featureSize, true);
        float[] fm = get(extra, FEATURES_MEAN, featureSize, false), fs = get(extra, FEATURES_STD, featureSize, true);
        long patches;
        try {
            patches = Long.parseLong(info.getOrDefault(PATCHES_KEY, "0"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("calibration statistics: " + PATCHES_KEY + " is not a number");
        }
        if (patches < 1) throw new IllegalArgumentException("calibration statistics: " + PATCHES_KEY + " is missing or not positive");
        return new MapStatistics(rm, rs, frm, frs, fm, fs, patches);
    }

    private static float[] get(Map<String, float[]> extra, String name, int size, boolean spread) {
        float[] v = extra.get(name);
        if (v == null) throw new IllegalArgumentException("calibration statistics: tensor " + name + " is missing; recalibrate the model");
        if (v.length != size) {
            throw new IllegalArgumentException("calibration statistics: tensor " + name + " has " + v.length + " values, this model needs "
                    + size + "; recalibrate the model");
        }
        for (float f : v) {
            if (!Float.isFinite(f) || (spread && !(f > 0))) {
                throw new IllegalArgumentException("calibration statistics: tensor " + name + " holds " + f + "; recalibrate the model");
            }
        }
        return v;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    /** Gathers the statistics patch by patch (Welford's running mean and variance, in double). */
    public static final class Accumulator {
        private final Welford residual, featureResidual, features;

        public Accumulator(int patchPixels, int featureSize) {
            residual = new Welford(patchPixels);
            featureResidual = new Welford(featureSize);
            features = new Welford(featureSize);
        }

        /**
         * Adds one normal patch.
         *
         * @param residualPixels its residual map, channel mean (patch pixels)
         * @param terms          the batch's feature terms, of which this patch is number {@code index}
         */
        public void add(float[] residualPixels, org.anoscan.search.FeatureTerms terms, int index) {
            residual.add(residualPixels, 0);
            featureResidual.add(terms.residual(), index * terms.size());
            features.add(terms.features(), index * terms.size());
        }

        public long patches() { return residual.n; }

        /** @throws IllegalStateException when fewer than two patches were added (no spread) */
        public MapStatistics result() {
            if (residual.n < 2) throw new IllegalStateException("calibration statistics need at least 2 normal patches, got " + residual.n);
            return new MapStatistics(residual.mean(), residual.std(), featureResidual.mean(), featureResidual.std(),
                    features.mean(), features.std(), residual.n);
        }
    }

    private static final class Welford {
        final double[] mean, m2;
        long n;

        Welford(int size) {
            mean = new double[size];
            m2 = new double[size];
        }

        void add(float[] v, int off) {
            n++;
            for (int i = 0; i < mean.length; i++) {
                double d = v[off + i] - mean[i];
                mean[i] += d / n;
                m2[i] += d * (v[off + i] - mean[i]);
            }
        }

        float[] mean() {
            float[] out = new float[mean.length];
            for (int i = 0; i < out.length; i++) out[i] = (float) mean[i];
            return out;
        }

        float[] std() {
            double[] s = new double[mean.length];
            double avg = 0;
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.sqrt(m2[i] / (n - 1));
                avg += s[i] / s.length;
            }
            float[] out = new float[s.length];
            for (int i = 0; i < out.length; i++) out[i] = (float) Math.max(s[i], SPREAD_FLOOR * avg + 1e-6);
            return out;
        }
    }
}
