package org.anoscan.scan;

/** One per-pixel term a heatmap ({@link MapKind}) is made of; each is stitched and smoothed on its own. */
public enum MapTerm {
    /** The plain residual {@code |x − G(z)|}, channel mean. */
    RESIDUAL,
    /** The residual in units of its spread on normal patches, per patch pixel: {@code (r − μ) / σ}. */
    RESIDUAL_Z,
    /**
     * The feature residual {@code |f(x) − f(G(z))|} in units of normal spread per feature and position, averaged
     * over features and brought to pixels by the transposed receptive field.
     */
    FEATURE,
    /** How far f(x) itself lies from normal patches' features (mean |z| over features), at pixel resolution: needs no G. */
    DEVIATION,
    /** As ENERGY_FINE, on f's input: the patch's pixels, z-scored per pixel, window {@link LocalMaps#ENERGY_RADIUS_PIXELS}. */
    ENERGY_PIXELS,
    /** As DEVIATION, on the output of f's first stage (finest positions: 16x16 for a 32-pixel patch). */
    DEVIATION_FINE,
    /** As DEVIATION, on the outputs of f's stages between the first and the last, averaged (8x8 for a 32-pixel patch). */
    DEVIATION_MIDDLE,
    /**
     * The local texture energy of f's first stage against normal, two-sided: per channel the mean of z² over a
     * window of positions around each position ({@link LocalMaps#ENERGY_RADIUS_FINE}), which normal patches hold
     * near 1; the term is the mean over channels of |ln(energy + 0.05)|. A smooth stain (features near their mean: low
     * energy, which DEVIATION ranks as more normal than normal) and a patch of another texture (energy shifted
     * between channels) both show.
     */
    ENERGY_FINE,
    /**
     * PaDiM's map on D's features: at each position of f's first stage, the Mahalanobis distance of the vector of
     * every stage of f there ({@link FeatureView#STACKED}) from normal ({@link FeatureGaussian}), over the square root
     * of its dimension.
     */
    MAHALANOBIS,
    /**
     * The mean part of {@link FeatureGaussian#windowDivergence} on f's first stage, window radius
     * {@link LocalMaps#WINDOW_RADIUS}: how far the window's mean whitened feature vector lies from normal.
     */
    WINDOW_MEAN,
    /**
     * The spread part of {@link FeatureGaussian#windowDivergence}, window radius {@link LocalMaps#SPREAD_RADIUS}: how the
     * whitened variances depart from 1, either way.
     */
    WINDOW_SPREAD,
    /**
     * How far the patch's finest-scale detail ({@link DetailEnergy}: the local energy of its Laplacian and that energy's
     * share of the gradient's, per pixel) falls below what normal patches show there, in units of its normal spread, beyond a dead zone of
     * {@link LocalMaps#DETAIL_DEAD_ZONE} spreads: {@code max(0, −z − dead zone)}. One-sided: a pasted texture that is
     * smoother than the normal one (gravel on grass), a stain or a saturated patch show; a busier region is left to the
     * window terms. Needs neither G nor D.
     */
    DETAIL_LOSS
}
