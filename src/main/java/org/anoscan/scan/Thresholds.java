package org.anoscan.scan;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The thresholds a scan decides with: an image is anomalous when its top-k mean score is above
 * {@link #image}, a pixel when its heatmap value is above {@link #pixel}. Either may be absent (NaN):
 * then scores and heatmaps are reported without that decision.
 *
 * <p>They come from an explicit setting (which wins: the caller asked for it) or else from the model
 * file's info map, written by {@link Calibration} under the {@code threshold.*} keys below.
 *
 * @param origin where they came from, for people ("calibrated: q 0.99 over 40 images", "--threshold", "none")
 */
public record Thresholds(double image, double pixel, String origin) {
    public static final String IMAGE_KEY = "threshold.image";
    public static final String PIXEL_KEY = "threshold.pixel";
    public static final String QUANTILE_KEY = "threshold.quantile";
    public static final String IMAGES_KEY = "threshold.images";

    public static final Thresholds NONE = new Thresholds(Double.NaN, Double.NaN, "none");

    public boolean hasImage() { return !Double.isNaN(image); }

    public boolean hasPixel() { return !Double.isNaN(pixel); }

    /** Explicit thresholds from {@code cfg} where given, else the calibrated ones in {@code info}, else none. */
    public static Thresholds resolve(ScanConfig cfg, Map<String, String> info) {
        double storedImage = number(info, IMAGE_KEY), storedPixel = number(info, PIXEL_KEY);
        double image = Double.isNaN(cfg.imageThreshold()) ? storedImage : cfg.imageThreshold();
        double pixel = Double.isNaN(cfg.pixelThreshold()) ? storedPixel : cfg.pixelThreshold();
        String calibrated = "calibrated (quantile " + info.getOrDefault(QUANTILE_KEY, "?") + " over "
                + info.getOrDefault(IMAGES_KEY, "?") + " normal images)";
        String imageFrom = !Double.isNaN(cfg.imageThreshold()) ? "given" : Double.isNaN(storedImage) ? "none" : calibrated;
        String pixelFrom = !Double.isNaN(cfg.pixelThreshold()) ? "given" : Double.isNaN(storedPixel) ? "none" : calibrated;
        if (Double.isNaN(image) && Double.isNaN(pixel)) return NONE;
        String origin = imageFrom.equals(pixelFrom) ? imageFrom : "image " + imageFrom + ", pixel " + pixelFrom;
        return new Thresholds(image, pixel, origin);
    }

    /**
     * Warnings when {@code cfg} differs from the {@link ScoringSettings} the stored thresholds were calibrated
     * with (scores grow with the stride's overlap, fall with more iterations): empty when they match or when
     * nothing calibrated is used.
     */
    public static List<String> settingMismatches(ScanConfig cfg, int patchSize, Map<String, String> info) {
        boolean usesStored = (Double.isNaN(cfg.imageThreshold()) && info.containsKey(IMAGE_KEY))
                || (Double.isNaN(cfg.pixelThreshold()) && info.containsKey(PIXEL_KEY));
        return usesStored ? ScoringSettings.differences(cfg, patchSize, info) : List.of();
    }

    private static double number(Map<String, String> info, String key) {
        String v = info.get(key);
        if (v == null) return Double.NaN;
        try {
            double d = Double.parseDouble(v);
            return Double.isFinite(d) ? d : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "image %s, pixel %s (%s)", fmt(image), fmt(pixel), origin);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "none" : String.format(Locale.ROOT, "%.6g", v);
    }
}
