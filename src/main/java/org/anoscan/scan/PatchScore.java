package org.anoscan.scan;

/**
 * One patch of a scanned image: where it is, its anomaly score (the latent search's final loss), and
 * whether it was skipped as flat background (then its score is 0 and it was not searched).
 */
public record PatchScore(PatchPosition position, float score, boolean skipped) {}
