package org.anoscan.report;

import java.util.List;
import org.anoscan.scan.Region;

/**
 * One scanned image as the outputs record it (no pixels: thousands of these stay small).
 *
 * @param file       the input path as given
 * @param name       a short unique name (the path below the scanned folder); output files are named after it
 * @param anomalous  the decision; null without an image threshold
 * @param regions    anomalous regions at the pixel threshold; empty without one
 * @param heatmap    output paths relative to the output folder; mask is null without a pixel threshold
 * @param label      the known truth (true = anomalous); null when not known
 */
public record ScoredImage(String file, String name, int height, int width, float maxScore, float topKMean, int topK,
                          Boolean anomalous, List<Region> regions, int patches, int skippedPatches, double seconds,
                          String heatmap, String overlay, String mask, Boolean label) {

    /** yes, no, or empty (no threshold): the form the csv and report show. */
    public String decision() {
        return anomalous == null ? "" : anomalous ? "yes" : "no";
    }
}
