package org.anoscan.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.eval.LocalisationMetrics;
import org.anoscan.io.FloatImage;
import org.anoscan.io.ImageReader;
import org.anoscan.io.Resample;
import org.anoscan.nn.CompoundScaling;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.scan.MapKind;
import org.anoscan.scan.ScanResult;
import org.junit.jupiter.api.Test;

/**
 * The texture proxy's resolution path on tiny inputs (an untrained small model, 2 search iterations): scanning at
 * resolution r is scanning the image resampled by r, its heatmap brought back to the image's pixels, and the proxy's
 * metrics are those of these heatmaps; its calibrated map at resolution 1 is what {@link TextureLocalisation} shows by
 * default, computed there by its own stitching of the patch terms.
 */
class ScaledTextureProxyTest {
    private static final TextureLocalisation.Settings TINY = new TextureLocalisation.Settings(
            new CompoundScaling(1, 1, 1, 1.25).apply(new DcganSpec(32, 1, 8, 8, 8)), TextureLocalisationTest.TINY.train(),
            TextureLocalisationTest.TINY.search().withIterations(2), 64, 4, 2, 16, 3L);

    @Test
    void trainingImagesAreResampledByTheResolution() {
        FloatImage im = ImageReader.fromFloats(new float[30 * 50], 1, 30, 50, "x");
        assertSame(im, ScaledTextureProxy.resampled(im, 1));
        FloatImage r = ScaledTextureProxy.resampled(im, 1.3);
        assertEquals(39, r.height());
        assertEquals(65, r.width());
    }

    @Test
    void scanningAtAResolutionIsScanningTheResampledImage() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] px = new float[48 * 48];
        for (int i = 0; i < px.length; i++) px[i] = (float) rnd.nextDouble();
        FloatImage image = ImageReader.fromFloats(px, 1, 48, 48, "tiny");
        try (CpuBackend cpu = new CpuBackend(); Dcgan model = new Dcgan(cpu, TINY.spec(), 1L)) {
            ScanResult scaled = ScaledTextureProxy.scan(model, List.of(image), TINY, 1.5, MapKind.RESIDUAL, null).get(0);
            ScanResult byHand = ScaledTextureProxy.scan(model, List.of(Resample.to(image, 72, 72)), TINY, 1, MapKind.RESIDUAL, null).get(0);
            assertEquals(16, scaled.patches().size(), "72x72 at stride 16: 4 x 4 patches");
            assertEquals(byHand.patches().size(), scaled.patches().size());
            for (int i = 0; i < 16; i++) assertEquals(byHand.patches().get(i).score(), scaled.patches().get(i).score(), 1e-6);
            assertEquals(48, scaled.heatmap().height());
            assertEquals(48, scaled.heatmap().width());
            assertArrayEquals(Resample.to(byHand.heatmap(), 48, 48).data(), scaled.heatmap().data(), 1e-6f);
        }
    }

    @Test
    void scoresAreThoseOfTheScansAtTheResolution() throws Exception {
        FloatImage brick = ImageReader.read(Path.of("data/textures/brick.png"), 1);
        FloatImage gravel = ImageReader.read(Path.of("data/textures/gravel.png"), 1);
        double r = TINY.spec().scaling().resolution();
        try (CpuBackend cpu = new CpuBackend(); Dcgan model = new Dcgan(cpu, TINY.spec(), 1L)) {
            ScaledTextureProxy.Result res = ScaledTextureProxy.score(model, brick, gravel, TINY, r, ScaledTextureProxy.ProxyMap.RESIDUAL, 0);
            List<DefectSet.LabelledImage> images = DefectSet.make(TextureLocalisation.testRegion(brick), gravel, 4, 64, 3L);
            List<ScanResult> scans = ScaledTextureProxy.scan(model, images.stream().map(DefectSet.LabelledImage::image).toList(), TINY, r,
                    MapKind.RESIDUAL, null);
            assertEquals(4 * 16, res.patches(), "64x64 crops resampled to 80x80: 4 x 4 patches each");
            List<FloatImage> heatmaps = new ArrayList<>();
            for (ScanResult s : scans) heatmaps.add(s.heatmap());
            LocalisationMetrics l = LocalisationMetrics.of(TextureLocalisation.maps(heatmaps), TextureLocalisation.masks(images));
            assertEquals(l.pixelAuroc(), res.pixelAuroc(), 1e-12);
            assertEquals(l.aupro(), res.aupro(), 1e-12);
        }
    }

    @Test
    void theCalibratedMapIsTextureLocalisationsDefault() throws Exception {
        FloatImage brick = ImageReader.read(Path.of("data/textures/brick.png"), 1);
        FloatImage gravel = ImageReader.read(Path.of("data/textures/gravel.png"), 1);
        try (CpuBackend cpu = new CpuBackend(); Dcgan model = new Dcgan(cpu, TINY.spec(), 1L)) {
            ScaledTextureProxy.Result res = ScaledTextureProxy.score(model, brick, gravel, TINY, 1, ScaledTextureProxy.ProxyMap.WINDOW_DETAIL, 0);
            TextureLocalisation.Score expected = TextureLocalisation.evaluate(model, brick, gravel, TINY, List.of(TextureLocalisation.DEFAULT), 0)
                    .scores().get(TextureLocalisation.DEFAULT).get("all");
            assertEquals(MapKind.WINDOW_DETAIL, TextureLocalisation.DEFAULT.kind());
            assertEquals(expected.pixelAuroc(), res.pixelAuroc(), 1e-9);
            assertEquals(expected.aupro(), res.aupro(), 1e-9);
            assertEquals(expected.imageAuroc(), res.imageAuroc(), 1e-12);
            ScaledTextureProxy.Result plain = ScaledTextureProxy.score(model, brick, gravel, TINY, 1, ScaledTextureProxy.ProxyMap.RESIDUAL, 0);
            assertNotEquals(plain.pixelAuroc(), res.pixelAuroc(), "the calibrated map is another map than the residual");
            // at a resolution, calibration and scan both see the resampled crops: 80x80 at stride 16, 4 x 4 patches each
            ScaledTextureProxy.Result scaled = ScaledTextureProxy.score(model, brick, gravel, TINY, 1.25, ScaledTextureProxy.ProxyMap.WINDOW_DETAIL, 0);
            assertEquals(4 * 16, scaled.patches());
            assertTrue(scaled.pixelAuroc() >= 0 && scaled.pixelAuroc() <= 1 && scaled.aupro() >= 0 && scaled.aupro() <= 1, scaled.toString());
        }
    }

    @Test
    void aMapOtherThanTheTwoIsAOneLineError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScaledTextureProxy.ProxyMap.parse("window"));
        assertEquals("--map: residual or window-detail, got 'window'", e.getMessage());
        assertEquals(ScaledTextureProxy.ProxyMap.WINDOW_DETAIL, ScaledTextureProxy.ProxyMap.parse("window-detail"));
    }
}
