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
    DEVIATION
}
