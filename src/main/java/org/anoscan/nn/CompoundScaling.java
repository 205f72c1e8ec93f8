package org.anoscan.nn;

import java.util.Locale;

/**
 * EfficientNet's compound scaling (Tan and Le, ICML 2019) for AnoScan's DCGAN family: one coefficient φ grows
 * depth by α^φ, width by β^φ and input resolution by γ^φ together, with α·β²·γ² ≈ 2 so that each step of φ
 * about doubles the work per image. φ = 0 is the base model, whatever α, β, γ are.
 *
 * <ul>
 *   <li>Depth: G and D each have one convolution per stage; at φ they get round(stages · (α^φ − 1)) extra
 *       stride-1 3x3 blocks (conv, batch norm, the stage's activation), so that their convolution count grows by
 *       α^φ ({@link #extraBlocks(int)}). The blocks go to the stages round-robin from the 4x4 one outwards. (A
 *       whole block per stage, as EfficientNet rounds its multi-layer stages up, would double a one-layer stage:
 *       in a DCGAN every stage costs about the same, so that is 2x the FLOPs at α = 1.2.)
 *   <li>Width: ngf and ndf times β^φ, rounded to a multiple of 8 ({@link #width(int)}).
 *   <li>Resolution: the image is resampled by γ^φ before tiling ({@link #resolution()}), so a patch keeps its 32
 *       or 64 pixels and covers 1/γ^φ as much of the image: the search stays one batch of equal patches, and
 *       the work per image grows with the patch count, γ^(2φ). A trained model stores it as its scoring scale.
 * </ul>
 */
public record CompoundScaling(double phi, double alpha, double beta, double gamma) {
    /** The base model: no scaling. */
    public static final CompoundScaling NONE = new CompoundScaling(0, 1, 1, 1);
    /**
     * The coefficients {@code anoscan train --phi} uses unless told otherwise: the best of bench/CompoundScalingSearch's
     * grid at φ = 1 (α·β²·γ² = 1.96), by MNIST one-class AUROC on digits 1, 4, 7 plus brick localisation, mean of two
     * training seeds (bench/results/compound-scaling-2026-12-03-grid-quality.txt). On those proxies resolution bought
     * quality at both seeds, width nothing beyond seed noise, and the plain extra blocks of depth made training fail, so
     * the grid's winner scales resolution alone; (1.0, 1.1, 1.3) came second. The family measured since (README,
     * "Compound scaling") keeps this on brick only: on all ten MNIST digits width buys quality, on grass and gravel
     * resolution is the weakest member at φ = 1.
     */
    public static final double ALPHA = 1.0, BETA = 1.0, GAMMA = 1.4;
    /** Bounds that keep a model file's architecture sane (checked before anything is built from it). */
    public static final double MAX_PHI = 8, MAX_COEFFICIENT = 4;

    public CompoundScaling {
        if (!(phi >= 0 && phi <= MAX_PHI)) throw new IllegalArgumentException("phi must lie in [0, " + trim(MAX_PHI) + "], got " + phi);
        for (double c : new double[] {alpha, beta, gamma}) {
            if (!(c >= 1 && c <= MAX_COEFFICIENT)) {
                throw new IllegalArgumentException("alpha, beta and gamma must lie in [1, " + trim(MAX_COEFFICIENT) + "], got " + alpha + ", "
                        + beta + ", " + gamma);
            }
        }
    }

    /** φ with the same coefficients. */
    public CompoundScaling withPhi(double newPhi) {
        return new CompoundScaling(newPhi, alpha, beta, gamma);
    }

    public boolean isNone() {
        return phi == 0;
    }

    /** Stride-1 3x3 blocks added to each of G and D, of {@code stages} stages: round(stages · (α^φ − 1)). */
    public int extraBlocks(int stages) {
        return (int) Math.round(stages * (Math.pow(alpha, phi) - 1));
    }

    /** A base width times β^φ, rounded to a multiple of 8 (at least 8); φ = 0 keeps the base width. */
    public int width(int base) {
        if (isNone()) return base;
        return Math.max(8, (int) Math.round(base * Math.pow(beta, phi) / 8) * 8);
    }

    /** The factor the image is resampled by before tiling: γ^φ. */
    public double resolution() {
        return Math.pow(gamma, phi);
    }

    /** α·β²·γ²: the FLOPs factor per step of φ (about 2 by the constraint). */
    public double flopsPerStep() {
        return alpha * beta * beta * gamma * gamma;
    }

    /** The family member of {@code base} (a φ = 0 architecture) at this φ. */
    public DcganSpec apply(DcganSpec base) {
        return new DcganSpec(base.imageSize(), base.channels(), base.nz(), width(base.ngf()), width(base.ndf()), extraBlocks(base.stages()), this);
    }

    /** "φ 1 (α 1.2, β 1.1, γ 1.15)". */
    public String describe() {
        return String.format(Locale.ROOT, "φ %s (α %s, β %s, γ %s)", trim(phi), trim(alpha), trim(beta), trim(gamma));
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
