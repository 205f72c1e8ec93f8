package org.anoscan.search;

/**
 * The outcome of the latent search for one patch: the best of its restarts.
 *
 * @param score         anomaly score: residualScore + featureScore at the best z
 * @param residualScore (1 - lambda) * sum |x - G(z)|
 * @param featureScore  lambda * sum |f(x) - f(G(z))|
 * @param residualMap   |x - G(z)|, CHW, the patch's map of where it is abnormal
 * @param generated     G(z), CHW
 * @param z             the best latent vector
 * @param iterations    Adam steps the best restart took (fewer than Γ when it stopped early)
 * @param restart       which restart was best
 * @param trace         that restart's loss per iteration, or null when not asked for
 */
public record SearchResult(float score, float residualScore, float featureScore, float[] residualMap, float[] generated,
                           float[] z, int iterations, int restart, float[] trace) {
}
