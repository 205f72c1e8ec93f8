package org.anoscan.report;

import java.util.List;
import org.anoscan.scan.PatchScore;
import org.anoscan.scan.Region;

/**
 * One scanned image as the outputs record it (no pixels: thousands of these stay small).
 *
 * @param file       the input path as given
 * @param name       a short unique name (the path below the scanned folder); output files are named after it
 * @param anomalous  the decision; null without an image threshold
 * @param regions    anomalous regions at the pixel threshold; empty without one
 * @param searchShareSeconds this image's share of the search time (each batch's time split over its patches):
 *                   patches of several images share a batch, so a wall time per image is not defined
 * @param heatmap    output paths relative to the output folder; mask is null without a pixel threshold
 * @param label      the known truth (true = anomalous); null when not known
 * @param panel      the side-by-side panel (image, heatmap, mask, colour bar), relative; null when not drawn
 * @param topPatch   the highest-scoring patch (where the score comes from); null when unknown
 * @param patchSize  the model's patch size, 0 when unknown
 * @param heatmapMax the heatmap's highest pixel
 */
public record ScoredImage(String file, String name, int height, int width, float maxScore, float topKMean, int topK,
                          Boolean anomalous, List<Region> regions, int patches, int skippedPatches, double searchShareSeconds,
                          String heatmap, String overlay, String mask, Boolean label, String panel, PatchScore topPatch,
                          int patchSize, float heatmapMax) {

    /** The old shape, without panel and top patch. */
    public ScoredImage(String file, String name, int height, int width, float maxScore, float topKMean, int topK,
                       Boolean anomalous, List<Region> regions, int patches, int skippedPatches, double searchShareSeconds,
                       String heatmap, String overlay, String mask, Boolean label) {
        this(file, name, height, width, maxScore, topKMean, topK, anomalous, regions, patches, skippedPatches,
                searchShareSeconds, heatmap, overlay, mask, label, null, null, 0, Float.NaN);
    }

    /** Flagged by its patch scores while no heatmap pixel passed the pixel threshold: the report explains it. */
    public boolean flaggedWithoutRegions() {
        return Boolean.TRUE.equals(anomalous) && mask != null && regions.isEmpty();
    }

    /** yes, no, or empty (no threshold): the form the csv and report show. */
    public String decision() {
        return anomalous == null ? "" : anomalous ? "yes" : "no";
    }
}
