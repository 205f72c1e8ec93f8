package org.anoscan.scan;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which per-pixel map a scan's heatmap shows. The normalised kinds use the statistics of normal patches that
 * {@code calibrate} stores in the model ({@link MapStatistics}); without them they fall back to mean 0, spread 1.
 */
public enum MapKind {
    /** The plain residual {@code |x − G(z)|} (channel mean): AnoGAN's map, on the image's own scale. */
    RESIDUAL(c(MapTerm.RESIDUAL, false)),
    /** {@link MapTerm#RESIDUAL_Z}. */
    RESIDUAL_Z(c(MapTerm.RESIDUAL_Z, false)),
    /** {@link MapTerm#FEATURE}: sees what the score's feature term sees. */
    FEATURE(c(MapTerm.FEATURE, false)),
    /** {@link MapTerm#DEVIATION}. */
    DEVIATION(c(MapTerm.DEVIATION, false)),
    /** {@link MapTerm#DEVIATION_FINE}: f's first stage only. */
    DEVIATION_FINE(c(MapTerm.DEVIATION_FINE, false)),
    /** {@link MapTerm#DEVIATION_MIDDLE}: f's middle stages only. */
    DEVIATION_MIDDLE(c(MapTerm.DEVIATION_MIDDLE, false)),
    /**
     * The deviation of every stage of f, summed: fine positions from the early stages, context from the last. It ranks
     * a smooth stain as normal on grass and gravel: features near their mean are "more normal than normal".
     */
    LAYERS(c(MapTerm.DEVIATION_FINE, false), c(MapTerm.DEVIATION_MIDDLE, false), c(MapTerm.DEVIATION, false)),
    /** {@link MapTerm#ENERGY_PIXELS}. */
    ENERGY_PIXELS(c(MapTerm.ENERGY_PIXELS, false)),
    /** {@link MapTerm#ENERGY_FINE}. */
    ENERGY_FINE(c(MapTerm.ENERGY_FINE, false)),
    /**
     * ENERGY_PIXELS + ENERGY_FINE + DEVIATION: how the local statistics of the pixels and of f's first stage depart from
     * normal, either way, plus how far f's last features lie from normal. Needs no G.
     */
    TEXTURE(c(MapTerm.ENERGY_PIXELS, false), c(MapTerm.ENERGY_FINE, false), c(MapTerm.DEVIATION, false)),
    /** {@link MapTerm#MAHALANOBIS}: PaDiM's map on D's features. */
    MAHALANOBIS(c(MapTerm.MAHALANOBIS, false)),
    /** {@link MapTerm#WINDOW_MEAN}. */
    WINDOW_MEAN(c(MapTerm.WINDOW_MEAN, false)),
    /** {@link MapTerm#WINDOW_SPREAD}. */
    WINDOW_SPREAD(c(MapTerm.WINDOW_SPREAD, false)),
    /**
     * WINDOW_MEAN + 0.1 WINDOW_SPREAD: whether the windows of f's first stage features, whitened by their Gaussian on
     * normal patches, have their normal mean (5x5 positions) and spread (3x3). Needs no G. The radii and the weight
     * were chosen by TextureLocalisation (a larger spread weight helps gravel's pasted squares and costs grass's).
     */
    WINDOW(c(MapTerm.WINDOW_MEAN, false), w(MapTerm.WINDOW_SPREAD, 0.1)),
    /** {@link MapTerm#DETAIL_LOSS}. */
    DETAIL_LOSS(c(MapTerm.DETAIL_LOSS, false)),
    /**
     * WINDOW + 0.3 DETAIL_LOSS: the window map, plus where the finest-scale detail falls more than one normal spread
     * below normal. The window terms rank a pasted square of gravel on grass below normal when it matches grass's
     * brightness (it is calmer under D's first stage: held-out crops, pasted squares 0.441); the detail term sees it.
     * The weight, the dead zone and the smoothing (a quarter stride: better AUPRO on grass than 0.375) were chosen by
     * TextureLocalisation on image seeds 7 and 17 (README: held-out check).
     */
    WINDOW_DETAIL(c(MapTerm.WINDOW_MEAN, false), w(MapTerm.WINDOW_SPREAD, 0.1), w(MapTerm.DETAIL_LOSS, 0.3)),
    /** RESIDUAL_Z + FEATURE: both in units of normal spread. */
    COMBINED(c(MapTerm.RESIDUAL_Z, false), c(MapTerm.FEATURE, false)),
    /** RESIDUAL_Z + FEATURE + DEVIATION. */
    COMBINED_DEVIATION(c(MapTerm.RESIDUAL_Z, false), c(MapTerm.FEATURE, false), c(MapTerm.DEVIATION, false)),
    /**
     * |RESIDUAL_Z| + |FEATURE| + DEVIATION, each smoothed first: a departure from normal either way. Where G
     * reproduces a defect better than the normal texture (a smooth stain on a busy texture), the residual
     * falls below normal, and only a two-sided term sees it.
     */
    DEPARTURE(c(MapTerm.RESIDUAL_Z, true), c(MapTerm.FEATURE, true), c(MapTerm.DEVIATION, false)),
    /**
     * The best map the model's calibration allows ({@link #resolve(boolean, boolean, boolean, boolean)}: WINDOW_DETAIL
     * for a current one). Chosen by {@code TextureLocalisation}: on brick the residual-based maps do well, but on grass and gravel G
     * reproduces pasted squares and stains better than the texture itself, so every residual term ranks them below
     * normal; the maps that read D's features against normal patches hold up on all three (see the README).
     */
    AUTO();

    /** A term of a map; a two-sided one counts by its absolute value once stitched and smoothed. */
    public record Component(MapTerm term, boolean twoSided, double weight) {}

    private final List<Component> components;

    MapKind(Component... components) {
        this.components = List.of(components);
    }

    private static Component c(MapTerm t, boolean twoSided) {
        return new Component(t, twoSided, 1);
    }

    private static Component w(MapTerm t, double weight) {
        return new Component(t, false, weight);
    }

    /** The terms summed into this map (empty for AUTO: resolve it first). */
    public List<Component> components() { return components; }

    /** The command-line name: lower case with dashes ({@code residual-z}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static MapKind parse(String s) {
        for (MapKind k : values()) if (k.label().equals(s.trim().toLowerCase(Locale.ROOT))) return k;
        throw new IllegalArgumentException("unknown map '" + s + "': use one of "
                + Arrays.stream(values()).map(MapKind::label).collect(Collectors.joining(", ")));
    }

    /** AUTO resolved against whether calibration statistics are present (all of them, for a current calibration). */
    public MapKind resolve(boolean calibrated) {
        return resolve(calibrated, calibrated, calibrated, calibrated);
    }

    /** AUTO resolved against whether calibration statistics are present, and those of f's earlier stages. */
    public MapKind resolve(boolean calibrated, boolean stages) {
        return resolve(calibrated, stages, stages);
    }

    /**
     * AUTO resolved against what the calibration gathered: WINDOW with the feature Gaussians, TEXTURE with only the
     * earlier stages' statistics, DEVIATION with only the last stage's, RESIDUAL with none.
     */
    public MapKind resolve(boolean calibrated, boolean stages, boolean gaussians) {
        return resolve(calibrated, stages, gaussians, false);
    }

    /** As {@link #resolve(boolean, boolean, boolean)}; WINDOW_DETAIL when the detail statistics are there too. */
    public MapKind resolve(boolean calibrated, boolean stages, boolean gaussians, boolean detail) {
        if (this != AUTO) return this;
        if (!calibrated) return RESIDUAL;
        if (stages && gaussians) return detail ? WINDOW_DETAIL : WINDOW;
        return stages ? TEXTURE : DEVIATION;
    }

    /** Whether this map needs the statistics of f's earlier stages. */
    public boolean needsStages() {
        return components.stream().anyMatch(c -> c.term() != MapTerm.RESIDUAL && c.term() != MapTerm.RESIDUAL_Z
                && c.term() != MapTerm.FEATURE && c.term() != MapTerm.DEVIATION && c.term() != MapTerm.DETAIL_LOSS);
    }

    /** Whether this map needs the feature Gaussians of normal patches. */
    public boolean needsGaussians() {
        return components.stream().anyMatch(c -> c.term() == MapTerm.MAHALANOBIS || c.term() == MapTerm.WINDOW_MEAN || c.term() == MapTerm.WINDOW_SPREAD);
    }

    /** Whether this map needs the statistics of the patches' finest-scale detail ({@link DetailEnergy}). */
    public boolean needsDetail() {
        return components.stream().anyMatch(c -> c.term() == MapTerm.DETAIL_LOSS);
    }

    /** Whether this map needs the feature terms (f(x), f(G(z))) of each patch (DETAIL_LOSS reads x from them). */
    public boolean needsFeatures() {
        return components.stream().anyMatch(c -> c.term() != MapTerm.RESIDUAL && c.term() != MapTerm.RESIDUAL_Z);
    }
}
