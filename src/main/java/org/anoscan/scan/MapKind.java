package org.anoscan.scan;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which per-pixel map a scan's heatmap shows. The normalised kinds use the statistics of normal patches that
 * {@code calibrate} stores in the model ({@link MapStatistics}); without them they fall back to mean 0, spread 1.
 */
public enum MapKind {
    /** The plain residual {@code |x − G(z)|} (channel mean): AnoGAN's map, on the image's own scale. */
    RESIDUAL,
    /** The residual in units of its spread on normal patches, per patch pixel: {@code (r − μ) / σ}. */
    RESIDUAL_Z,
    /**
     * The feature residual {@code |f(x) − f(G(z))|}, normalised per feature and position, averaged over
     * features and brought to pixels by the transposed receptive field: sees what the score's feature term sees.
     */
    FEATURE,
    /** How far f(x) itself lies from normal patches' features (mean |z| over features), at pixel resolution: needs no G. */
    DEVIATION,
    /** RESIDUAL_Z + FEATURE: both in units of normal spread. */
    COMBINED,
    /** RESIDUAL_Z + FEATURE + DEVIATION. */
    COMBINED_DEVIATION,
    /** COMBINED when the model carries calibration statistics, else RESIDUAL. */
    AUTO;

    /** The command-line name: lower case with dashes ({@code residual-z}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static MapKind parse(String s) {
        for (MapKind k : values()) if (k.label().equals(s.trim().toLowerCase(Locale.ROOT))) return k;
        throw new IllegalArgumentException("unknown map '" + s + "': use one of "
                + Arrays.stream(values()).map(MapKind::label).collect(Collectors.joining(", ")));
    }

    /** AUTO resolved against whether calibration statistics are present. */
    public MapKind resolve(boolean calibrated) {
        return this != AUTO ? this : calibrated ? COMBINED : RESIDUAL;
    }

    /** Whether this map needs the feature terms (f(x), f(G(z))) of each patch. */
    public boolean needsFeatures() {
        return this != RESIDUAL && this != RESIDUAL_Z;
    }
}
