package org.anoscan.scan;

import org.anoscan.io.FloatImage;
import org.anoscan.search.FeatureTerms;

/** Hears every searched patch's terms during a scan: for gathering calibration statistics, or stitching other maps. */
public interface PatchObserver {
    /**
     * @param image    the image the patch belongs to
     * @param residual the patch's C x P x P residual |x − G(z)|
     * @param terms    its batch's feature terms; the patch is number {@code index} there
     */
    void onPatch(FloatImage image, PatchPosition position, float[] residual, FeatureTerms terms, int index);
}
