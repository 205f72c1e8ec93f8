/**
 * Detection and localisation metrics for anomaly scores; pure Java, no dependency on the rest of
 * AnoScan.
 *
 * <p>Conventions used throughout:
 * <ul>
 *   <li>A higher score means more anomalous; a sample (or pixel) is predicted anomalous when
 *       {@code score >= threshold}.</li>
 *   <li>Labels: {@code true} (or {@code 1}) = anomalous, {@code false} (or {@code 0}) = normal.</li>
 *   <li>Equal scores are one threshold: curves get one point per distinct score, AUROC counts a tied
 *       (anomalous, normal) pair as 1/2, and -0.0 ties with 0.0.</li>
 *   <li>NaN scores, length mismatches and inputs with one class only are rejected with an
 *       {@link IllegalArgumentException} rather than answered with NaN.</li>
 *   <li>AUPRO follows the MVTec AD evaluation script (Bergmann et al.): ground-truth regions are
 *       8-connected components (the script labels with a 3x3 structuring element of ones, not
 *       scipy's default cross), and the PRO curve is integrated over FPR in [0, 0.3] by the
 *       trapezoid rule, interpolated at 0.3, then divided by 0.3.</li>
 * </ul>
 */
package org.anoscan.eval;
