package org.anoscan.scan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.anoscan.search.FeatureTerms;

/**
 * What normal patches show, per entry: the mean and spread of the residual at each patch pixel (channel mean
 * of {@code |x − G(z)|}), of the feature residual {@code |f(x) − f(G(z))|} and of the features f(x) at each
 * feature and position. Gathered by {@code calibrate} on normal images and stored in the model file as extra
 * tensors (so the file's checksum covers them); the normalised maps ({@link MapKind}) divide by them, so a
 * texture's normally busy entries stop dominating. Also the mean and spread, per channel and position, of f's
 * input (stage 0: the patch's pixels) and of the output of each earlier stage of f (finer positions); models
 * calibrated before those were gathered have none ({@link #hasStages()}).
 */
public final class MapStatistics {
    public static final String RESIDUAL_MEAN = "calibration.residual_mean";
    public static final String RESIDUAL_STD = "calibration.residual_std";
    public static final String FEATURE_RESIDUAL_MEAN = "calibration.feature_residual_mean";
    public static final String FEATURE_RESIDUAL_STD = "calibration.feature_residual_std";
    public static final String FEATURES_MEAN = "calibration.features_mean";
    public static final String FEATURES_STD = "calibration.features_std";
    /** Prefix of the earlier stages' tensors: {@code calibration.stage0_features_mean}, ...: stage 0 is f's input (the patch), stage 1 its first conv's output. */
    public static final String STAGE_PREFIX = "calibration.stage";
    /** Prefix of the feature Gaussians' tensors ({@link FeatureGaussian}): {@code calibration.gaussian_stacked_mean}, ... */
    public static final String GAUSSIAN_PREFIX = "calibration.gaussian_";
    /**
     * The mean and spread, per patch pixel, of the patches' finest-scale detail ({@link DetailEnergy}). Named for the
     * detail with its Laplacian share: the earlier tensors {@code calibration.detail_mean/_std} held the Laplacian's
     * energy alone, so a model calibrated with those is read as having no detail statistics (auto: the window map).
     */
    public static final String DETAIL_MEAN = "calibration.detail_share_mean";
    public static final String DETAIL_STD = "calibration.detail_share_std";
    /** Tensors of earlier calibrations that this version neither reads nor keeps (recalibrating drops them). */
    public static final List<String> SUPERSEDED = List.of("calibration.detail_mean", "calibration.detail_std");
    /** The info key holding how many normal patches the statistics came from. */
    public static final String PATCHES_KEY = "calibration.patches";

    /**
     * Spreads are floored at this share of their mean over entries: an entry that hardly varies on normal
     * patches (a constant border) must not turn a tiny difference into a huge z.
     */
    static final double SPREAD_FLOOR = 0.05;

    private final float[] residualMean, residualStd, featureResidualMean, featureResidualStd, featuresMean, featuresStd;
    private final long patches;
    /** Per earlier stage of f, its features' mean and spread; null when the model's calibration predates them. */
    private final List<float[]> stageMean, stageStd;
    /** The Gaussians of f's feature vectors ({@link FeatureView#all}); empty when the calibration predates them. */
    private final List<FeatureGaussian> gaussians;
    /** The detail's mean and spread per patch pixel; null when the calibration predates them. */
    private final float[] detailMean, detailStd;

    private MapStatistics(float[] rm, float[] rs, float[] frm, float[] frs, float[] fm, float[] fs, long patches,
                          List<float[]> stageMean, List<float[]> stageStd, List<FeatureGaussian> gaussians, float[] detailMean, float[] detailStd) {
        this.residualMean = rm;
        this.residualStd = rs;
        this.featureResidualMean = frm;
        this.featureResidualStd = frs;
        this.featuresMean = fm;
        this.featuresStd = fs;
        this.patches = patches;
        this.stageMean = stageMean == null || stageMean.isEmpty() ? null : stageMean;
        this.stageStd = this.stageMean == null ? null : stageStd;
        this.gaussians = List.copyOf(gaussians);
        this.detailMean = detailMean;
        this.detailStd = detailMean == null ? null : detailStd;
    }

    /** Mean 0 and spread 1 everywhere: the normalised maps on their raw scale. */
    public static MapStatistics identity(int patchPixels, int featureSize, int... stageSizes) {
        List<float[]> means = new ArrayList<>(), stds = new ArrayList<>();
        for (int n : stageSizes) {
            means.add(new float[n]);
            stds.add(ones(n));
        }
        return new MapStatistics(new float[patchPixels], ones(patchPixels), new float[featureSize], ones(featureSize),
                new float[featureSize], ones(featureSize), 0, means, stds, List.of(), new float[patchPixels], ones(patchPixels));
    }

    public long patches() { return patches; }

    public boolean calibrated() { return patches > 0; }

    public int patchPixels() { return residualMean.length; }

    public int featureSize() { return featuresMean.length; }

    /** Whether the statistics of f's earlier stages are there (models calibrated before them have none). */
    public boolean hasStages() { return stageMean != null; }

    /** The number of earlier stages with statistics (0 when none). */
    public int stages() { return stageMean == null ? 0 : stageMean.size(); }

    /** Whether the feature Gaussians are there (models calibrated before them have none). */
    public boolean hasGaussians() { return !gaussians.isEmpty(); }

    public List<FeatureGaussian> gaussians() { return gaussians; }

    /** Whether the statistics of the patches' finest-scale detail are there (models calibrated before them have none). */
    public boolean hasDetail() { return detailMean != null; }

    /** The Gaussian of the view named {@code name} ({@link FeatureView#all}). */
    FeatureGaussian gaussian(String name) {
        for (FeatureGaussian g : gaussians) if (g.view().name().equals(name)) return g;
        throw new IllegalArgumentException("the Mahalanobis maps need the Gaussian of f's " + name
                + " on normal patches, which this model's calibration predates: recalibrate the model");
    }

    /** These statistics with the feature Gaussians stored in a model file's extra tensors (none: as they are). */
    public MapStatistics withGaussians(Map<String, float[]> extra, List<FeatureView> views) {
        List<FeatureGaussian> g = FeatureGaussian.fromExtras(extra, views);
        return new MapStatistics(residualMean, residualStd, featureResidualMean, featureResidualStd, featuresMean, featuresStd, patches,
                stageMean, stageStd, g, detailMean, detailStd);
    }

    /** (v[i] − mean[i]) / std[i] of the residual map (patch pixels). */
    float residualZ(int i, float v) { return (v - residualMean[i]) / residualStd[i]; }

    float featureResidualZ(int i, float v) { return (v - featureResidualMean[i]) / featureResidualStd[i]; }

    float featuresZ(int i, float v) { return (v - featuresMean[i]) / featuresStd[i]; }

    /** The z of the detail ({@link DetailEnergy}) at patch pixel i. */
    float detailZ(int i, float v) {
        if (detailMean == null) throw new IllegalArgumentException("the " + MapTerm.DETAIL_LOSS + " term needs the statistics of the patches' detail "
                + "on normal patches, which this model's calibration predates: recalibrate the model");
        return (v - detailMean[i]) / detailStd[i];
    }

    /** The z of entry i of earlier stage {@code stage} (0: the first conv's output). */
    float stageZ(int stage, int i, float v) { return (v - stageMean.get(stage)[i]) / stageStd.get(stage)[i]; }

    /** The tensors to store, by name (flat vectors). */
    public Map<String, float[]> toExtras() {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put(RESIDUAL_MEAN, residualMean.clone());
        out.put(RESIDUAL_STD, residualStd.clone());
        out.put(FEATURE_RESIDUAL_MEAN, featureResidualMean.clone());
        out.put(FEATURE_RESIDUAL_STD, featureResidualStd.clone());
        out.put(FEATURES_MEAN, featuresMean.clone());
        out.put(FEATURES_STD, featuresStd.clone());
        for (int k = 0; k < stages(); k++) {
            out.put(stageName(k, "mean"), stageMean.get(k).clone());
            out.put(stageName(k, "std"), stageStd.get(k).clone());
        }
        for (FeatureGaussian g : gaussians) {
            out.put(g.meanName(), g.mean().clone());
            out.put(g.precisionName(), g.precision().clone());
        }
        if (detailMean != null) {
            out.put(DETAIL_MEAN, detailMean.clone());
            out.put(DETAIL_STD, detailStd.clone());
        }
        return out;
    }

    /**
     * The statistics stored in a model file's extra tensors and info, or null when it has none. The earlier
     * stages' are all there or all absent (a calibration older than them).
     *
     * @param stageSizes the entries per patch of each of f's earlier stages
     * @throws IllegalArgumentException when some are missing, have the wrong size or are not usable (a spread
     *     that is not positive): the file was made for another architecture or damaged
     */
    public static MapStatistics fromExtras(Map<String, float[]> extra, Map<String, String> info, int patchPixels, int featureSize,
                                           int... stageSizes) {
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
        List<float[]> means = null, stds = null;
        if (stageSizes.length > 0 && extra.containsKey(stageName(0, "mean"))) {
            means = new ArrayList<>();
            stds = new ArrayList<>();
            for (int k = 0; k < stageSizes.length; k++) {
                means.add(get(extra, stageName(k, "mean"), stageSizes[k], false));
                stds.add(get(extra, stageName(k, "std"), stageSizes[k], true));
            }
        }
        if (extra.containsKey(stageName(stageSizes.length, "mean"))) {
            throw new IllegalArgumentException("calibration statistics: tensor " + stageName(stageSizes.length, "mean")
                    + " is for a stage this model does not have; recalibrate the model");
        }
        float[] dm = null, ds = null;
        if (extra.containsKey(DETAIL_MEAN) || extra.containsKey(DETAIL_STD)) { // both, or none (an older calibration)
            dm = get(extra, DETAIL_MEAN, patchPixels, false);
            ds = get(extra, DETAIL_STD, patchPixels, true);
        }
        return new MapStatistics(rm, rs, frm, frs, fm, fs, patches, means, stds, List.of(), dm, ds);
    }

    static String stageName(int stage, String what) {
        return STAGE_PREFIX + stage + "_features_" + what;
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
        private final List<Welford> stages = new ArrayList<>();
        private final Welford detail;
        /** Made at the first patch, from its feature terms' shapes. */
        private List<FeatureGaussian.Accumulator> gaussians;

        /** @param stageSizes the entries per patch of each of f's earlier stages (none: their statistics are not gathered) */
        public Accumulator(int patchPixels, int featureSize, int... stageSizes) {
            residual = new Welford(patchPixels);
            featureResidual = new Welford(featureSize);
            features = new Welford(featureSize);
            for (int n : stageSizes) stages.add(new Welford(n));
            detail = new Welford(patchPixels);
        }

        /**
         * Adds one normal patch.
         *
         * @param residualPixels its residual map, channel mean (patch pixels)
         * @param terms          the batch's feature terms, of which this patch is number {@code index}
         */
        public void add(float[] residualPixels, FeatureTerms terms, int index) {
            residual.add(residualPixels, 0);
            featureResidual.add(terms.residual(), index * terms.size());
            features.add(terms.features(), index * terms.size());
            if (!stages.isEmpty() && terms.earlier().size() != stages.size()) {
                throw new IllegalArgumentException("feature terms with " + terms.earlier().size() + " earlier stages, statistics for " + stages.size());
            }
            for (int k = 0; k < stages.size(); k++) {
                FeatureTerms.StageFeatures st = terms.earlier().get(k);
                stages.get(k).add(st.values(), index * st.size());
            }
            if (gaussians == null) {
                gaussians = FeatureView.all(FeatureView.shapes(terms)).stream().map(FeatureGaussian.Accumulator::new).toList();
            }
            for (FeatureGaussian.Accumulator g : gaussians) g.add(terms, index);
            if (!terms.earlier().isEmpty()) {
                FeatureTerms.StageFeatures x = terms.earlier().get(0);
                detail.add(DetailEnergy.detail(x.values(), index * x.size(), x.perPatch().c(), x.perPatch().h()), 0);
            }
        }

        public long patches() { return residual.n; }

        /** @throws IllegalStateException when fewer than two patches were added (no spread) */
        public MapStatistics result() {
            if (residual.n < 2) throw new IllegalStateException("calibration statistics need at least 2 normal patches, got " + residual.n);
            return new MapStatistics(residual.mean(), residual.std(), featureResidual.mean(), featureResidual.std(),
                    features.mean(), features.std(), residual.n, stages.stream().map(Welford::mean).toList(),
                    stages.stream().map(Welford::std).toList(), gaussians.stream().map(FeatureGaussian.Accumulator::result).toList(),
                    detail.n < 2 ? null : detail.mean(), detail.n < 2 ? null : detail.std());
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
