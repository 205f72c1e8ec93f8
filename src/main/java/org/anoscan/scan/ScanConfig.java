package org.anoscan.scan;

import org.anoscan.backend.Backend;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Precision;

/**
 * How a {@link AnomalyScanner} cuts, searches and judges images.
 *
 * @param stride        pixels between patch starts; 0 for half the model's patch size
 * @param search        the latent search; its {@code maxBatch} is raised to hold a whole scan batch
 * @param batchSize     patches per backend batch; patches of consecutive images share a batch, so the
 *                      backend stays full whatever the image size
 * @param topK          the image score is the mean of its top-k patch scores (the max is reported too)
 * @param flatStd       patches whose standard deviation is below this are background: not searched, score 0;
 *                      0 searches every patch
 * @param pad           reflect-pad images smaller than a patch instead of refusing them
 * @param imageThreshold explicit image threshold (overrides a calibrated one), NaN for none
 * @param pixelThreshold explicit heatmap threshold for masks (overrides a calibrated one), NaN for none
 * @param precision     convolution arithmetic of the search, or null for the backend's default
 *                      ({@link Backend#defaultPrecision()}: TF32 on a TF32-capable GPU, FP32 on the CPU)
 * @param scale         each image is resampled by this factor before tiling (0.5: half the width and height,
 *                      a quarter of the patches), trading resolution for time; maps come back at the original
 *                      size. 1 leaves images as they are
 * @param map           which map the heatmap shows ({@link MapKind}; AUTO picks by the model's calibration)
 * @param smoothing     Gaussian smoothing of the stitched heatmap, sigma in units of the stride (0: none); NaN for
 *                      the map's default: none for the plain residual (AnoGAN's map, unchanged), else
 *                      {@link #DEFAULT_SMOOTHING}
 */
public record ScanConfig(int stride, SearchConfig search, int batchSize, int topK, double flatStd, boolean pad,
                         double imageThreshold, double pixelThreshold, Precision precision, double scale, MapKind map,
                         double smoothing) {

    /** The largest {@link #scale}: enlarging more than this only multiplies the work. */
    public static final double MAX_SCALE = 4;

    /** A config with the backend's default precision, without resampling. */
    public ScanConfig(int stride, SearchConfig search, int batchSize, int topK, double flatStd, boolean pad,
                      double imageThreshold, double pixelThreshold) {
        this(stride, search, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, null, 1.0);
    }

    /** Without resampling (scale 1). */
    public ScanConfig(int stride, SearchConfig search, int batchSize, int topK, double flatStd, boolean pad,
                      double imageThreshold, double pixelThreshold, Precision precision) {
        this(stride, search, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, precision, 1.0);
    }

    /** The AUTO map with its default smoothing. */
    public ScanConfig(int stride, SearchConfig search, int batchSize, int topK, double flatStd, boolean pad,
                      double imageThreshold, double pixelThreshold, Precision precision, double scale) {
        this(stride, search, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, precision, scale, MapKind.AUTO, Double.NaN);
    }

    /** Heatmap smoothing, sigma in strides (chosen by {@code TextureLocalisation}, see the README). */
    public static final double DEFAULT_SMOOTHING = 0.25;
    /** The window map's default smoothing, sigma in strides: 0.375 brought grass closer to the targets than 0.25 (TextureLocalisation). */
    public static final double WINDOW_SMOOTHING = 0.375;

    /**
     * Patches per batch: enough to keep the CPU's sgemm busy and a GPU well fed for DCGAN-32/64, small
     * enough (256 x 64 x 64 floats = 4 MiB of input) to bound memory; device backends split it further when
     * their memory is short.
     */
    public static final int DEFAULT_BATCH = 256;

    /**
     * Top 3: with the default stride of half a patch a defect is seen by several overlapping patches, so a
     * top-3 mean still catches a small one while one noisy patch alone does not flag an image.
     */
    public static final int DEFAULT_TOP_K = 3;

    public ScanConfig {
        if (stride < 0) throw new IllegalArgumentException("stride must be >= 0 (0 = half a patch), got " + stride);
        if (search == null) throw new IllegalArgumentException("search config is null");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (topK < 1) throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        if (!(flatStd >= 0) || Double.isInfinite(flatStd)) {
            throw new IllegalArgumentException("flat-patch threshold must be finite and >= 0, got " + flatStd);
        }
        if (Double.isInfinite(imageThreshold) || Double.isInfinite(pixelThreshold)) {
            throw new IllegalArgumentException("thresholds must be finite (NaN for none)");
        }
        if (!(scale > 0 && scale <= MAX_SCALE)) throw new IllegalArgumentException("scale must be in (0, " + MAX_SCALE + "], got " + scale);
        if (map == null) throw new IllegalArgumentException("map kind is null");
        if (smoothing < 0 || Double.isInfinite(smoothing)) {
            throw new IllegalArgumentException("smoothing must be finite and >= 0 (in strides; NaN for the default), got " + smoothing);
        }
    }

    /**
     * Search iterations when neither the caller nor a calibrated model says otherwise: 200, not the paper's
     * 500 ({@link SearchConfig#defaults()}): 2.5x fewer Adam steps make a scan 2.5x faster, and decisions stay
     * consistent as long as calibration used the same count (a calibrated model carries its own).
     */
    public static final int DEFAULT_ITERATIONS = 200;

    /** The defaults the library and the command line share; a calibrated model's {@link ScoringSettings} replace them. */
    public static ScanConfig defaults() {
        return new ScanConfig(0, SearchConfig.defaults().withIterations(DEFAULT_ITERATIONS), DEFAULT_BATCH, DEFAULT_TOP_K, 0,
                false, Double.NaN, Double.NaN);
    }

    public ScanConfig withStride(int s) {
        return new ScanConfig(s, search, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, precision, scale, map, smoothing);
    }

    public ScanConfig withSearch(SearchConfig c) {
        return new ScanConfig(stride, c, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, precision, scale, map, smoothing);
    }

    public ScanConfig withIterations(int n) {
        return withSearch(search.withIterations(n));
    }

    public ScanConfig withBatchSize(int b) {
        return new ScanConfig(stride, search, b, topK, flatStd, pad, imageThreshold, pixelThreshold, precision, scale, map, smoothing);
    }

    public ScanConfig withTopK(int k) {
        return new ScanConfig(stride, search, batchSize, k, flatStd, pad, imageThreshold, pixelThreshold, precision, scale, map, smoothing);
    }

    public ScanConfig withFlatStd(double s) {
        return new ScanConfig(stride, search, batchSize, topK, s, pad, imageThreshold, pixelThreshold, precision, scale, map, smoothing);
    }

    public ScanConfig withPad(boolean p) {
        return new ScanConfig(stride, search, batchSize, topK, flatStd, p, imageThreshold, pixelThreshold, precision, scale, map, smoothing);
    }

    /** Explicit thresholds (NaN for none), used instead of the model file's calibrated ones. */
    public ScanConfig withThresholds(double image, double pixel) {
        return new ScanConfig(stride, search, batchSize, topK, flatStd, pad, image, pixel, precision, scale, map, smoothing);
    }

    /** Convolution precision (null: the backend's default). */
    public ScanConfig withPrecision(Precision p) {
        return new ScanConfig(stride, search, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, p, scale, map, smoothing);
    }

    /** The precision a search on {@code backend} runs in: the config's, else the backend's default. */
    public Precision precisionFor(Backend backend) {
        return precision != null ? precision : backend.defaultPrecision();
    }

    public ScanConfig withScale(double f) {
        return new ScanConfig(stride, search, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, precision, f, map, smoothing);
    }

    /** The heatmap's map kind and smoothing (sigma in strides; 0 for none, NaN for the map's default). */
    public ScanConfig withMap(MapKind kind, double smoothingStrides) {
        return new ScanConfig(stride, search, batchSize, topK, flatStd, pad, imageThreshold, pixelThreshold, precision, scale, kind,
                smoothingStrides);
    }

    /** The smoothing sigma in strides for {@code kind} (resolved): the given one, else the map's default. */
    public double smoothingStrides(MapKind kind) {
        return !Double.isNaN(smoothing) ? smoothing : kind == MapKind.RESIDUAL ? 0 : kind == MapKind.WINDOW ? WINDOW_SMOOTHING : DEFAULT_SMOOTHING;
    }

    /** The smoothing sigma in pixels for {@code kind} (resolved) and a model of patch size {@code patchSize}. */
    public double smoothingPixels(MapKind kind, int patchSize) {
        return smoothingStrides(kind) * strideFor(patchSize);
    }

    /** The stride for a model of patch size {@code patchSize}. */
    public int strideFor(int patchSize) {
        return stride == 0 ? Math.max(1, patchSize / 2) : stride;
    }
}
