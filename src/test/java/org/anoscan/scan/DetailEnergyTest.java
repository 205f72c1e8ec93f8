package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.FloatImage;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.FeatureTerms;
import org.anoscan.testutil.SmallCpuModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The detail and the DETAIL_LOSS term against naive references in double: the Laplacian and the gradient from explicit
 * neighbours with the border reflected by hand, the window mean as a plain 2-d sum over (2r+1)² mirrored samples; the
 * term from the stored mean and spread entry by entry; and the statistics through a model file's extra tensors.
 */
class DetailEnergyTest {
    private static final int P = 32, N = 6;
    private CpuBackend cpu;
    private Dcgan model;
    private final Random rnd = new Random(3);

    @RegisterExtension
    final SmallCpuModel fixture = new SmallCpuModel(new DcganSpec(P, 1, 8, 4, 4), 2L, rnd);

    @BeforeEach
    void setUp() {
        cpu = fixture.cpu();
        model = fixture.model();
    }

    /** Reflects i into [0, n) with the edge repeated: -1 is 0, n is n - 1. */
    private static int reflect(int i, int n) {
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
        return i;
    }

    /** The mean over the (2r+1)² mirrored window around (y, i) of the squared Laplacian (gradient: false) or squared central-difference gradient. */
    private static double naiveWindowEnergy(float[] x, int offset, int channels, int size, int y, int i, boolean gradient) {
        int r = DetailEnergy.RADIUS;
        double sum = 0;
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                int yy = reflect(y + dy, size), xx = reflect(i + dx, size);
                for (int c = 0; c < channels; c++) {
                    int o = offset + c * size * size;
                    double up = x[o + reflect(yy - 1, size) * size + xx], down = x[o + reflect(yy + 1, size) * size + xx];
                    double left = x[o + yy * size + reflect(xx - 1, size)], right = x[o + yy * size + reflect(xx + 1, size)];
                    double l = up + down + left + right - 4.0 * x[o + yy * size + xx];
                    double gx = (right - left) / 2, gy = (down - up) / 2;
                    sum += (gradient ? gx * gx + gy * gy : l * l) / channels;
                }
            }
        }
        return sum / ((2 * r + 1) * (2 * r + 1));
    }

    /** ln(L + floor) + ln((L + floor) / (G + floor)), straight from the definition. */
    private static double naiveDetail(float[] x, int offset, int channels, int size, int y, int i) {
        double l = naiveWindowEnergy(x, offset, channels, size, y, i, false) + DetailEnergy.FLOOR;
        double g = naiveWindowEnergy(x, offset, channels, size, y, i, true) + DetailEnergy.FLOOR;
        return Math.log(l) + Math.log(l / g);
    }

    @Test
    void theDetailMatchesANaiveLoop() {
        int size = 9, channels = 3, offset = 5;
        float[] x = new float[offset + 2 * channels * size * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] e = DetailEnergy.detail(x, offset, channels, size);
        for (int y = 0; y < size; y++) {
            for (int i = 0; i < size; i++) {
                assertEquals(naiveDetail(x, offset, channels, size, y, i), e[y * size + i], 1e-5, "at " + y + "," + i);
            }
        }
        // a linear ramp (steps of 0.1 both ways) has no second difference inside, only a gradient of 0.1² + 0.1²;
        // only the reflected border bends it
        float[] ramp = new float[size * size];
        for (int y = 0; y < size; y++) for (int i = 0; i < size; i++) ramp[y * size + i] = 0.1f * (y + i);
        float[] flat = DetailEnergy.detail(ramp, 0, 1, size);
        double floor = DetailEnergy.FLOOR;
        assertEquals(2 * Math.log(floor) - Math.log(0.02 + floor), flat[4 * size + 4], 1e-4, "the centre of a ramp: no detail, all gradient");
        assertTrue(flat[0] > flat[4 * size + 4], "the corner sees the reflected border's bend");
        // the same Laplacian energy with a larger share of the local variation counts as more detail
        float[] checker = new float[size * size], rampedChecker = new float[size * size];
        for (int k = 0; k < checker.length; k++) {
            checker[k] = ((k / size + k % size) % 2 == 0 ? 0.05f : -0.05f);
            rampedChecker[k] = checker[k] + 0.3f * (k / size);
        }
        float[] pure = DetailEnergy.detail(checker, 0, 1, size), ramped = DetailEnergy.detail(rampedChecker, 0, 1, size);
        assertTrue(pure[4 * size + 4] > ramped[4 * size + 4] + 0.5, "a gradient under the same fine detail lowers its share: "
                + pure[4 * size + 4] + " vs " + ramped[4 * size + 4]);
    }

    private FeatureTerms terms(float[] x, int count) {
        return FeatureTerms.compute(model, x, x.clone(), count);
    }

    private float[] noise(int count, double scale) {
        float[] x = new float[count * P * P];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * scale);
        return x;
    }

    @Test
    void theDetailLossCountsASmootherPatchBeyondTheDeadZone() {
        FeatureTerms normal = terms(noise(N, 0.3), N);
        MapStatistics.Accumulator acc = new MapStatistics.Accumulator(P * P, normal.size(), FeatureTerms.earlierSizes(model));
        double[] sum = new double[P * P], sq = new double[P * P];
        for (int b = 0; b < N; b++) {
            acc.add(new float[P * P], normal, b);
            float[] e = DetailEnergy.detail(normal.earlier().get(0).values(), b * P * P, 1, P);
            for (int i = 0; i < e.length; i++) {
                sum[i] += e[i];
                sq[i] += (double) e[i] * e[i];
            }
        }
        MapStatistics stats = acc.result();
        assertTrue(stats.hasDetail());
        java.util.List<ReceptiveField> fields = ReceptiveField.ofStages(model.features(), P);
        LocalMaps maps = new LocalMaps(P, 1, fields.get(fields.size() - 1), LocalMaps.earlierFields(fields, P), stats);

        float[] x = noise(2, 0.3);
        for (int i = 0; i < P * P; i++) x[P * P + i] *= 0.05f; // patch 1: the same noise, 20 times calmer
        FeatureTerms test = terms(x, 2);
        double meanStd = 0;
        double[] std = new double[P * P];
        for (int i = 0; i < std.length; i++) {
            double m = sum[i] / N;
            std[i] = Math.sqrt(Math.max(0, (sq[i] - N * m * m) / (N - 1)));
            meanStd += std[i] / std.length;
        }
        for (int b = 0; b < 2; b++) {
            float[] got = maps.term(MapTerm.DETAIL_LOSS, null, test, b);
            double total = 0;
            for (int i = 0; i < got.length; i++) {
                double s = Math.max(std[i], MapStatistics.SPREAD_FLOOR * meanStd + 1e-6);
                double z = (naiveDetail(x, b * P * P, 1, P, i / P, i % P) - sum[i] / N) / s;
                assertEquals(Math.max(0, -z - LocalMaps.DETAIL_DEAD_ZONE), got[i], 2e-3 * (1 + Math.abs(z)), "patch " + b + " pixel " + i);
                total += got[i];
            }
            if (b == 0) assertTrue(total / got.length < 0.5, "normal noise is mostly inside the dead zone: " + total / got.length);
            else assertTrue(total / got.length > 3, "a calmer patch loses detail everywhere: " + total / got.length);
        }
        FloatImage a = FloatImage.map(P, P, maps.term(MapTerm.WINDOW_MEAN, null, test, 1), "m");
        FloatImage s = FloatImage.map(P, P, maps.term(MapTerm.WINDOW_SPREAD, null, test, 1), "s");
        FloatImage d = FloatImage.map(P, P, maps.term(MapTerm.DETAIL_LOSS, null, test, 1), "d");
        float[] wd = LocalMaps.compose(MapKind.WINDOW_DETAIL, t -> t == MapTerm.WINDOW_MEAN ? a : t == MapTerm.WINDOW_SPREAD ? s : d).data();
        for (int i = 0; i < wd.length; i++) {
            assertEquals(a.data()[i] + 0.1 * s.data()[i] + 0.3 * d.data()[i], wd[i], 1e-4 * (1 + wd[i]), "WINDOW_DETAIL = window + 0.3 detail");
        }
    }

    @Test
    void storedDetailStatisticsAreBothOrNoneAndChecked() {
        FeatureTerms t = terms(noise(3, 0.3), 3);
        MapStatistics.Accumulator acc = new MapStatistics.Accumulator(P * P, t.size(), FeatureTerms.earlierSizes(model));
        for (int b = 0; b < 3; b++) acc.add(new float[P * P], t, b);
        MapStatistics stats = acc.result();
        Map<String, float[]> extra = new HashMap<>(stats.toExtras());
        assertTrue(extra.containsKey(MapStatistics.DETAIL_MEAN) && extra.containsKey(MapStatistics.DETAIL_STD));
        Map<String, String> info = Map.of(MapStatistics.PATCHES_KEY, "3");
        List<FeatureView> views = FeatureView.all(FeatureView.shapes(model));
        MapStatistics loaded = MapStatistics.fromExtras(extra, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).withGaussians(extra, views);
        assertTrue(loaded.hasDetail());
        assertEquals(java.util.Arrays.toString(extra.get(MapStatistics.DETAIL_STD)),
                java.util.Arrays.toString(loaded.toExtras().get(MapStatistics.DETAIL_STD)), "read back as written");
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), loaded, ScanConfig.defaults())) {
            assertEquals(MapKind.WINDOW_DETAIL, s.mapKind(), "auto with every statistic: the window map with the detail term");
            assertEquals(4.0, ScanConfig.defaults().smoothingPixels(s.mapKind(), P), "smoothed by a quarter stride (the window map alone: 0.375)");
        }

        Map<String, float[]> older = new HashMap<>(extra);
        older.remove(MapStatistics.DETAIL_MEAN);
        older.remove(MapStatistics.DETAIL_STD);
        MapStatistics old = MapStatistics.fromExtras(older, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).withGaussians(older, views);
        assertFalse(old.hasDetail(), "a calibration older than the detail statistics");
        Map<String, float[]> laplacianOnly = new HashMap<>(older); // the Laplacian's energy alone, under its own names
        laplacianOnly.put(MapStatistics.SUPERSEDED.get(0), extra.get(MapStatistics.DETAIL_MEAN));
        laplacianOnly.put(MapStatistics.SUPERSEDED.get(1), extra.get(MapStatistics.DETAIL_STD));
        assertFalse(MapStatistics.fromExtras(laplacianOnly, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).hasDetail(),
                "statistics of the earlier detail (the Laplacian's energy alone) are not read as the current detail's");
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), old, ScanConfig.defaults())) {
            assertEquals(MapKind.WINDOW, s.mapKind(), "auto on it: the window map, as before");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AnomalyScanner(model, Map.of(), old, ScanConfig.defaults().withMap(MapKind.WINDOW_DETAIL, 0)).close());
        assertTrue(e.getMessage().contains("calibrate again"), e.getMessage());

        Map<String, float[]> partial = new HashMap<>(extra);
        partial.remove(MapStatistics.DETAIL_STD);
        e = assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(partial, info, P * P, t.size(), FeatureTerms.earlierSizes(model)));
        assertTrue(e.getMessage().contains(MapStatistics.DETAIL_STD) && e.getMessage().contains("recalibrate"), e.getMessage());
        Map<String, float[]> wrong = new HashMap<>(extra);
        wrong.put(MapStatistics.DETAIL_MEAN, new float[7]);
        assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(wrong, info, P * P, t.size(), FeatureTerms.earlierSizes(model)), "wrong size");
        Map<String, float[]> zero = new HashMap<>(extra);
        zero.put(MapStatistics.DETAIL_STD, new float[P * P]);
        assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(zero, info, P * P, t.size(), FeatureTerms.earlierSizes(model)), "no spread");
    }
}
