package org.anoscan.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What every executor needs to scan: the model file, the output folder (both on storage every node mounts), the
 * scoring options exactly as {@code anoscan scan} takes them ({@link org.anoscan.cli.ScanOptions}) and explicit
 * thresholds (NaN: the model's calibrated ones).
 *
 * @param baseDir the inputs' common folder, as a path prefix: an image's name (and its maps' names) is its path below it
 * @param failFirstAttemptAfter a test hook: the first attempt of partition 0 fails after writing this many images'
 *     maps (-1: never), as a killed task would
 */
public record ScanSpec(String model, String out, List<String> scoringArgs, double threshold, double pixelThreshold, String colorMap,
                       String baseDir, int failFirstAttemptAfter) implements Serializable {
    public ScanSpec {
        scoringArgs = List.copyOf(scoringArgs);
    }

    /** The settings a scanner is built from: executors keep one scanner per key and device. */
    String scannerKey() {
        return model + "|" + String.join(" ", scoringArgs) + "|" + threshold + "|" + pixelThreshold;
    }
}
