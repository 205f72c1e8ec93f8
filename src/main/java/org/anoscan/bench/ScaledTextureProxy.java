package org.anoscan.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.Backend;
import org.anoscan.eval.LocalisationMetrics;
import org.anoscan.eval.Roc;
import org.anoscan.io.FloatImage;
import org.anoscan.io.Resample;
import org.anoscan.nn.Dcgan;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.scan.MapKind;
import org.anoscan.scan.MapStatistics;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanResult;
import org.anoscan.train.TrainListener;

/**
 * Compound scaling's proxy for the resolution term γ: texture localisation ({@link TextureLocalisation}'s training
 * region, test crops and defects) for a family member, with the images resampled by the member's resolution r = γ^φ
 * as {@code anoscan train --phi} and {@code scan} do: the training region is resampled by r before patches are cut
 * (as cli/PatchSources does), and the test crops are scanned with {@link ScanConfig#scale()} = r (the model's scoring
 * scale), so the scanner tiles the resampled crop and brings its heatmap back to the crop's pixels. Scored on AnoGAN's
 * plain residual map (no calibration pass, so the cost is training plus one scan) or on a calibrated map such as
 * window-detail (the statistics of normal patches gathered first from the texture's calibration crops, scanned at the
 * same resolution, as {@code calibrate} does for a model with φ > 0): pixel AUROC, AUPRO (FPR <= 0.3), image AUROC
 * (top-k mean).
 */
public final class ScaledTextureProxy {
    private ScaledTextureProxy() {}

    /** The outcome for one texture and member: the scored map's figures and where the time went. */
    public record Result(double pixelAuroc, double aupro, double imageAuroc, int patches, double trainSeconds, double scanSeconds) {}

    /** The map the proxy scores, and whether it needs a calibration pass first. */
    public enum ProxyMap {
        RESIDUAL(MapKind.RESIDUAL), WINDOW_DETAIL(MapKind.WINDOW_DETAIL);

        final MapKind kind;

        ProxyMap(MapKind kind) {
            this.kind = kind;
        }

        boolean calibrated() {
            return kind != MapKind.RESIDUAL;
        }

        public static ProxyMap parse(String s) {
            for (ProxyMap m : values()) if (m.kind.label().equals(s.trim())) return m;
            throw new IllegalArgumentException("--map: residual or window-detail, got '" + s + "'");
        }
    }

    /** An image resampled by factor (itself at 1), as training images are before patches are cut from them. */
    static FloatImage resampled(FloatImage image, double factor) {
        if (factor == 1) return image;
        return Resample.to(image, Resample.scaled(image.height(), factor), Resample.scaled(image.width(), factor));
    }

    /** Trains s.spec() on the texture's training region resampled by resolution, then scores it at that resolution. */
    public static Result run(Backend backend, FloatImage texture, FloatImage donor, TextureLocalisation.Settings s, double resolution,
                             ProxyMap map, TrainListener listener) throws IOException {
        long t0 = System.nanoTime();
        try (Dcgan model = TextureLocalisation.train(backend, resampled(TextureLocalisation.trainRegion(texture), resolution), s, listener)) {
            return score(model, texture, donor, s, resolution, map, (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * Scans the texture's test crops (half with a defect) with the image resampled by resolution before tiling; for a
     * calibrated map, the calibration crops first (their time counts as scanning).
     */
    public static Result score(Dcgan model, FloatImage texture, FloatImage donor, TextureLocalisation.Settings s, double resolution,
                               ProxyMap map, double trainSeconds) {
        List<DefectSet.LabelledImage> images = DefectSet.make(TextureLocalisation.testRegion(texture), donor, s.images(), s.imageSize(), s.seed());
        long t0 = System.nanoTime();
        MapStatistics stats = map.calibrated()
                ? TextureLocalisation.statistics(model, TextureLocalisation.calibrationNormals(texture, donor, s), config(s, resolution, MapKind.RESIDUAL))
                : null;
        List<ScanResult> results = scan(model, images.stream().map(DefectSet.LabelledImage::image).toList(), s, resolution, map.kind, stats);
        double scanSeconds = (System.nanoTime() - t0) / 1e9;
        double[] scores = new double[images.size()];
        boolean[] labels = new boolean[images.size()];
        List<FloatImage> heatmaps = new ArrayList<>(images.size());
        int patches = 0;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = results.get(i).topKMean();
            labels[i] = images.get(i).anomalous();
            heatmaps.add(results.get(i).heatmap());
            patches += results.get(i).patches().size();
        }
        LocalisationMetrics l = LocalisationMetrics.of(TextureLocalisation.maps(heatmaps), TextureLocalisation.masks(images));
        return new Result(l.pixelAuroc(), l.aupro(), Roc.auroc(scores, labels), patches, trainSeconds, scanSeconds);
    }

    /**
     * The scans at the settings' stride and search, the images resampled by resolution before tiling, showing kind
     * (its default smoothing) with the statistics stats (null for the plain residual map).
     */
    static List<ScanResult> scan(Dcgan model, List<FloatImage> images, TextureLocalisation.Settings s, double resolution, MapKind kind,
                                 MapStatistics stats) {
        List<ScanResult> results = new ArrayList<>(images.size());
        try (AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), stats, config(s, resolution, kind))) {
            scanner.scanAll(images.iterator(), results::add);
        }
        return results;
    }

    private static ScanConfig config(TextureLocalisation.Settings s, double resolution, MapKind kind) {
        // NaN: the map's default smoothing (none for the plain residual)
        return ScanConfig.defaults().withStride(s.stride()).withSearch(s.search()).withMap(kind, Double.NaN).withScale(resolution);
    }
}
