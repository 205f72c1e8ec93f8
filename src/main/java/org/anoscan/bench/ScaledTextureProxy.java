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
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.ScanResult;
import org.anoscan.train.TrainListener;

/**
 * Compound scaling's proxy for the resolution term γ: texture localisation ({@link TextureLocalisation}'s training
 * region, test crops and defects) for a family member, with the images resampled by the member's resolution r = γ^φ
 * as {@code anoscan train --phi} and {@code scan} do: the training region is resampled by r before patches are cut
 * (as cli/PatchSources does), and the test crops are scanned with {@link ScanConfig#scale()} = r (the model's scoring
 * scale), so the scanner tiles the resampled crop and brings its heatmap back to the crop's pixels. Scored on AnoGAN's
 * plain residual map (no calibration pass, so the cost is training plus one scan): pixel AUROC, AUPRO (FPR <= 0.3),
 * image AUROC (top-k mean).
 */
public final class ScaledTextureProxy {
    private ScaledTextureProxy() {}

    /** The outcome for one texture and member: the residual map's scores and where the time went. */
    public record Result(double pixelAuroc, double aupro, double imageAuroc, int patches, double trainSeconds, double scanSeconds) {}

    /** An image resampled by factor (itself at 1), as training images are before patches are cut from them. */
    static FloatImage resampled(FloatImage image, double factor) {
        if (factor == 1) return image;
        return Resample.to(image, Resample.scaled(image.height(), factor), Resample.scaled(image.width(), factor));
    }

    /** Trains s.spec() on the texture's training region resampled by resolution, then scores it at that resolution. */
    public static Result run(Backend backend, FloatImage texture, FloatImage donor, TextureLocalisation.Settings s, double resolution,
                             TrainListener listener) throws IOException {
        long t0 = System.nanoTime();
        try (Dcgan model = TextureLocalisation.train(backend, resampled(TextureLocalisation.trainRegion(texture), resolution), s, listener)) {
            return score(model, texture, donor, s, resolution, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Scans the texture's test crops (half with a defect) with the image resampled by resolution before tiling. */
    public static Result score(Dcgan model, FloatImage texture, FloatImage donor, TextureLocalisation.Settings s, double resolution,
                               double trainSeconds) {
        List<DefectSet.LabelledImage> images = DefectSet.make(TextureLocalisation.testRegion(texture), donor, s.images(), s.imageSize(), s.seed());
        long t0 = System.nanoTime();
        List<ScanResult> results = scan(model, images.stream().map(DefectSet.LabelledImage::image).toList(), s, resolution);
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

    /** The scans, plain residual map, at the settings' stride and search, the images resampled by resolution before tiling. */
    static List<ScanResult> scan(Dcgan model, List<FloatImage> images, TextureLocalisation.Settings s, double resolution) {
        ScanConfig cfg = ScanConfig.defaults().withStride(s.stride()).withSearch(s.search()).withMap(MapKind.RESIDUAL, 0).withScale(resolution);
        List<ScanResult> results = new ArrayList<>(images.size());
        try (AnomalyScanner scanner = new AnomalyScanner(model, Map.of(), cfg)) {
            scanner.scanAll(images.iterator(), results::add);
        }
        return results;
    }
}
