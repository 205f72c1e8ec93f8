package org.anoscan.scan;

import java.util.List;
import org.anoscan.io.FloatImage;

/**
 * What a scan found in one image.
 *
 * @param image        the scanned image (CHW in [-1, 1]), for overlays; not copied
 * @param patches      every patch position with its score, in tiling order (row by row)
 * @param maxScore     the highest patch score
 * @param topKMean     the mean of the {@code topK} highest patch scores (all of them when there are fewer):
 *                     the image score that thresholds and calibration use
 * @param topK         the k asked for
 * @param heatmap      1 x H x W: each pixel the mean residual |x - G(z)| of the patches covering it
 * @param mask         the heatmap above the pixel threshold, with its regions; null without a pixel threshold
 * @param anomalous    {@code topKMean > thresholds.image()}; null without an image threshold
 * @param thresholds   the thresholds the decisions used
 * @param searchSeconds this image's share of the search time (each batch's time split over its patches):
 *                     patches of several images share a batch, so wall time per image is not defined
 */
public record ScanResult(FloatImage image, List<PatchScore> patches, float maxScore, float topKMean, int topK,
                         FloatImage heatmap, AnomalyMask mask, Boolean anomalous, Thresholds thresholds,
                         double searchSeconds) {

    public String source() { return image.source(); }

    /** The anomalous regions at the pixel threshold; empty without one. */
    public List<Region> regions() { return mask == null ? List.of() : mask.regions(); }

    /** How many patches were skipped as flat background. */
    public int skippedPatches() {
        int n = 0;
        for (PatchScore p : patches) if (p.skipped()) n++;
        return n;
    }
}
