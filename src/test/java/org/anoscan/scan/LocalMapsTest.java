package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.FloatImage;
import org.anoscan.nn.Conv2d;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Sequential;
import org.anoscan.search.FeatureTerms;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.SmallCpuModel;
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The new map terms against naive references on small inputs: the feature terms against the layer-by-layer
 * eval-mode features (batch norm applied separately, not folded), and every map against loops in double that
 * normalise entry by entry and spread each position over the pixels its receptive field covers (found tap by tap).
 */
class LocalMapsTest {
    private static final int P = 32, B = 3;
    private CpuBackend cpu;
    private Dcgan model;
    private final Random rnd = new Random(11);

    @RegisterExtension
    final SmallCpuModel fixture = new SmallCpuModel(new DcganSpec(P, 3, 8, 4, 4), 2L, rnd);

    @BeforeEach
    void setUp() {
        cpu = fixture.cpu();
        model = fixture.model();
    }

    private float[] random(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    private float[] layeredFeatures(float[] x) {
        try (Tensor t = cpu.fromHost(x, model.imageShape(B))) {
            float[] out = model.features().forward(t, false).toHost();
            model.features().releaseActivations();
            return out;
        }
    }

    @Test
    void featureTermsMatchTheLayeredFeatures() {
        float[] x = random(B * 3 * P * P, 0.5), g = random(B * 3 * P * P, 0.5);
        FeatureTerms t = FeatureTerms.compute(model, x, g, B);
        float[] fx = layeredFeatures(x), fg = layeredFeatures(g);
        float[] diff = new float[fx.length];
        for (int i = 0; i < diff.length; i++) diff[i] = Math.abs(fx[i] - fg[i]);
        assertEquals(model.features().outputShape(model.imageShape(1)), t.perPatch());
        assertTrue(TestModels.relativeDifference(t.features(), fx) < 1e-5, "f(x) differs by " + TestModels.relativeDifference(t.features(), fx));
        // a difference of two folded outputs: their rounding (each < 1e-5 relative) adds up relative to a smaller norm
        assertTrue(TestModels.relativeDifference(t.residual(), diff) < 1e-4, "|f(x) - f(g)| differs by " + TestModels.relativeDifference(t.residual(), diff));
        assertThrows(IllegalArgumentException.class, () -> FeatureTerms.compute(model, x, g, B + 1));
    }

    @Test
    void everyMapMatchesANaiveLoop() {
        Shape fs = model.features().outputShape(model.imageShape(1));
        int cf = fs.c(), pos = fs.h() * fs.w(), per = fs.size();
        Map<String, float[]> extra = new HashMap<>();
        float[] rm = random(P * P, 0.3), rs = positive(P * P), frm = random(per, 0.3), frs = positive(per), fm = random(per, 0.3), fsd = positive(per);
        extra.put(MapStatistics.RESIDUAL_MEAN, rm);
        extra.put(MapStatistics.RESIDUAL_STD, rs);
        extra.put(MapStatistics.FEATURE_RESIDUAL_MEAN, frm);
        extra.put(MapStatistics.FEATURE_RESIDUAL_STD, frs);
        extra.put(MapStatistics.FEATURES_MEAN, fm);
        extra.put(MapStatistics.FEATURES_STD, fsd);
        MapStatistics stats = MapStatistics.fromExtras(extra, Map.of(MapStatistics.PATCHES_KEY, "10"), P * P, per);
        LocalMaps maps = new LocalMaps(P, 3, ReceptiveField.of(model.features(), P), stats);

        float[] x = random(B * 3 * P * P, 0.5), g = random(B * 3 * P * P, 0.5);
        FeatureTerms t = FeatureTerms.compute(model, x, g, B);
        int side = fs.h();
        boolean[][] support = new boolean[side][];
        for (int j = 0; j < side; j++) support[j] = ReceptiveFieldTest.naiveSupport(model.features(), P, j);
        for (int b = 0; b < B; b++) {
            float[] residual = new float[3 * P * P];
            for (int i = 0; i < residual.length; i++) residual[i] = Math.abs(x[b * residual.length + i] - g[b * residual.length + i]);
            double[] plain = new double[P * P], rz = new double[P * P], feat = new double[P * P], dev = new double[P * P];
            for (int y = 0; y < P; y++) {
                for (int xx = 0; xx < P; xx++) {
                    int i = y * P + xx;
                    plain[i] = (residual[i] + residual[P * P + i] + residual[2 * P * P + i]) / 3.0;
                    rz[i] = (plain[i] - rm[i]) / rs[i];
                    double fSum = 0, dSum = 0;
                    int count = 0;
                    for (int jy = 0; jy < side; jy++) {
                        for (int jx = 0; jx < side; jx++) {
                            if (!support[jy][y] || !support[jx][xx]) continue;
                            count++;
                            double fz = 0, dz = 0;
                            for (int c = 0; c < cf; c++) {
                                int e = c * pos + jy * side + jx;
                                fz += (t.residual()[b * per + e] - frm[e]) / frs[e];
                                dz += Math.abs((t.features()[b * per + e] - fm[e]) / fsd[e]);
                            }
                            fSum += fz / cf;
                            dSum += dz / cf;
                        }
                    }
                    feat[i] = fSum / count;
                    dev[i] = dSum / count;
                }
            }
            assertClose(plain, maps.term(MapTerm.RESIDUAL, residual, null, b), "residual");
            assertClose(rz, maps.term(MapTerm.RESIDUAL_Z, residual, null, b), "residual-z");
            assertClose(feat, maps.term(MapTerm.FEATURE, residual, t, b), "feature");
            assertClose(dev, maps.term(MapTerm.DEVIATION, residual, t, b), "deviation");
            Map<MapTerm, FloatImage> termMaps = new EnumMap<>(MapTerm.class);
            for (MapTerm term : List.of(MapTerm.RESIDUAL, MapTerm.RESIDUAL_Z, MapTerm.FEATURE, MapTerm.DEVIATION)) {
                termMaps.put(term, FloatImage.map(P, P, maps.term(term, residual, t, b), "t"));
            }
            double[] comb = new double[P * P], combDev = new double[P * P], departure = new double[P * P];
            for (int i = 0; i < comb.length; i++) {
                comb[i] = rz[i] + feat[i];
                combDev[i] = comb[i] + dev[i];
                departure[i] = Math.abs(rz[i]) + Math.abs(feat[i]) + dev[i];
            }
            assertClose(plain, LocalMaps.compose(MapKind.RESIDUAL, termMaps::get).data(), "residual map");
            assertClose(comb, LocalMaps.compose(MapKind.COMBINED, termMaps::get).data(), "combined");
            assertClose(combDev, LocalMaps.compose(MapKind.COMBINED_DEVIATION, termMaps::get).data(), "combined-deviation");
            assertClose(departure, LocalMaps.compose(MapKind.DEPARTURE, termMaps::get).data(), "departure");
            assertThrows(IllegalArgumentException.class, () -> LocalMaps.compose(MapKind.AUTO, termMaps::get));
        }
    }

    /** The output of f's first {@code stages} stages on x, layer by layer (batch norm unfolded). */
    private float[] prefixFeatures(float[] x, int stages) {
        Sequential prefix = prefix(stages);
        try (Tensor t = cpu.fromHost(x, model.imageShape(B))) {
            float[] out = prefix.forward(t, false).toHost();
            prefix.releaseActivations();
            return out;
        }
    }

    /** f's layers up to (not including) the convolution of stage {@code stages + 1}. */
    private Sequential prefix(int stages) {
        List<Layer> layers = model.features().layers();
        int convs = 0, end = 0;
        while (end < layers.size() && !(layers.get(end) instanceof Conv2d && ++convs > stages)) end++;
        return new Sequential(layers.subList(0, end));
    }

    /** Per position of one stage map (C x side x side at {@code off}): mean over channels of |z| (energy false) or of |ln(window mean z² + floor)|. */
    private static double[] naivePerPosition(float[] v, int off, Shape ss, float[] mean, float[] std, boolean energy, int radius) {
        int side = ss.h(), pos = side * side;
        double[] out = new double[pos];
        for (int jy = 0; jy < side; jy++) {
            for (int jx = 0; jx < side; jx++) {
                double sum = 0;
                for (int c = 0; c < ss.c(); c++) {
                    if (!energy) {
                        int e = c * pos + jy * side + jx;
                        sum += Math.abs((v[off + e] - mean[e]) / std[e]);
                        continue;
                    }
                    double z2 = 0;
                    int count = 0;
                    for (int wy = jy - radius; wy <= jy + radius; wy++) {
                        for (int wx = jx - radius; wx <= jx + radius; wx++) {
                            if (wy < 0 || wx < 0 || wy >= side || wx >= side) continue;
                            int e = c * pos + wy * side + wx;
                            double z = (v[off + e] - mean[e]) / std[e];
                            z2 += z * z;
                            count++;
                        }
                    }
                    sum += Math.abs(Math.log(z2 / count + LocalMaps.ENERGY_FLOOR));
                }
                out[jy * side + jx] = sum / ss.c();
            }
        }
        return out;
    }

    /** Per-position values of a stage brought to pixels: each pixel the mean over the positions whose support (found tap by tap) holds it. */
    private double[] naivePixels(double[] perPosition, int stage, int side) {
        if (stage == 0) return perPosition; // f's input: each pixel is its own position
        Sequential prefix = prefix(stage);
        boolean[][] support = new boolean[side][];
        for (int j = 0; j < side; j++) support[j] = ReceptiveFieldTest.naiveSupport(prefix, P, j);
        double[] out = new double[P * P];
        for (int y = 0; y < P; y++) {
            for (int xx = 0; xx < P; xx++) {
                double sum = 0;
                int count = 0;
                for (int jy = 0; jy < side; jy++) {
                    for (int jx = 0; jx < side; jx++) {
                        if (!support[jy][y] || !support[jx][xx]) continue;
                        count++;
                        sum += perPosition[jy * side + jx];
                    }
                }
                out[y * P + xx] = sum / count;
            }
        }
        return out;
    }

    @Test
    void stageMapsMatchANaiveLoop() {
        Shape fs = model.features().outputShape(model.imageShape(1));
        int per = fs.size();
        int[] stageSizes = FeatureTerms.earlierSizes(model);
        assertEquals(3, stageSizes.length, "DCGAN-32: f's input and two stages before the last");
        float[] x = random(B * 3 * P * P, 0.5), g = random(B * 3 * P * P, 0.5);
        FeatureTerms t = FeatureTerms.compute(model, x, g, B);
        assertEquals(3, t.earlier().size());
        Map<String, float[]> extra = new HashMap<>(MapStatistics.identity(P * P, per).toExtras());
        float[][] means = new float[3][], stds = new float[3][];
        for (int k = 0; k < 3; k++) {
            float[] naive = k == 0 ? x : prefixFeatures(x, k);
            assertEquals(stageSizes[k], t.earlier().get(k).size());
            assertEquals(B * stageSizes[k], naive.length);
            assertTrue(TestModels.relativeDifference(t.earlier().get(k).values(), naive) < 1e-5, "stage " + k + " features");
            means[k] = random(stageSizes[k], 0.3);
            stds[k] = positive(stageSizes[k]);
            extra.put(MapStatistics.stageName(k, "mean"), means[k]);
            extra.put(MapStatistics.stageName(k, "std"), stds[k]);
        }
        Map<String, String> info = Map.of(MapStatistics.PATCHES_KEY, "10");
        MapStatistics stats = MapStatistics.fromExtras(extra, info, P * P, per, stageSizes);
        assertTrue(stats.hasStages());
        List<ReceptiveField> fields = ReceptiveField.ofStages(model.features(), P);
        LocalMaps maps = new LocalMaps(P, 3, fields.get(2), LocalMaps.earlierFields(fields, P), stats);
        for (int b = 0; b < B; b++) {
            double[][] dev = new double[3][], energy = new double[3][];
            int[] radius = {LocalMaps.ENERGY_RADIUS_PIXELS, LocalMaps.ENERGY_RADIUS_FINE, LocalMaps.ENERGY_RADIUS_FINE};
            for (int k = 0; k < 3; k++) {
                Shape ss = t.earlier().get(k).perPatch();
                float[] v = t.earlier().get(k).values();
                dev[k] = naivePixels(naivePerPosition(v, b * stageSizes[k], ss, means[k], stds[k], false, 0), k, ss.h());
                energy[k] = naivePixels(naivePerPosition(v, b * stageSizes[k], ss, means[k], stds[k], true, radius[k]), k, ss.h());
            }
            assertClose(dev[1], maps.term(MapTerm.DEVIATION_FINE, null, t, b), "deviation-fine");
            assertClose(dev[2], maps.term(MapTerm.DEVIATION_MIDDLE, null, t, b), "deviation-middle");
            assertClose(energy[0], maps.term(MapTerm.ENERGY_PIXELS, null, t, b), "energy-pixels");
            assertClose(energy[1], maps.term(MapTerm.ENERGY_FINE, null, t, b), "energy-fine");
            float[] last = maps.term(MapTerm.DEVIATION, null, t, b);
            Map<MapTerm, FloatImage> termMaps = new EnumMap<>(MapTerm.class);
            for (MapTerm term : List.of(MapTerm.DEVIATION, MapTerm.DEVIATION_FINE, MapTerm.DEVIATION_MIDDLE, MapTerm.ENERGY_PIXELS, MapTerm.ENERGY_FINE)) {
                termMaps.put(term, FloatImage.map(P, P, maps.term(term, null, t, b), "t"));
            }
            double[] layers = new double[P * P], texture = new double[P * P];
            for (int i = 0; i < layers.length; i++) {
                layers[i] = dev[1][i] + dev[2][i] + last[i];
                texture[i] = energy[0][i] + energy[1][i] + last[i];
            }
            assertClose(layers, LocalMaps.compose(MapKind.LAYERS, termMaps::get).data(), "layers");
            assertClose(texture, LocalMaps.compose(MapKind.TEXTURE, termMaps::get).data(), "texture");
        }
        // statistics without the stages (an older calibration): the stage terms refuse with a message
        LocalMaps old = new LocalMaps(P, 3, fields.get(2), LocalMaps.earlierFields(fields, P),
                MapStatistics.fromExtras(MapStatistics.identity(P * P, per).toExtras(), info, P * P, per, stageSizes));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> old.term(MapTerm.ENERGY_PIXELS, null, t, 0));
        assertTrue(e.getMessage().contains("recalibrate"), e.getMessage());
    }

    @Test
    void statisticsAreTheMeanAndFlooredSpreadOfTheAddedPatches() {
        Shape fs = model.features().outputShape(model.imageShape(1));
        int per = fs.size(), n = 5;
        int[] stageSizes = FeatureTerms.earlierSizes(model);
        MapStatistics.Accumulator acc = new MapStatistics.Accumulator(P * P, per, stageSizes);
        float[] x = random(n * 3 * P * P, 0.5), g = random(n * 3 * P * P, 0.5);
        FeatureTerms t = FeatureTerms.compute(model, x, g, n);
        float[][] res = new float[n][];
        for (int b = 0; b < n; b++) {
            res[b] = random(P * P, 1);
            res[b][7] = 0.25f; // constant over patches: its spread must be floored, not 0
            acc.add(res[b], t, b);
        }
        MapStatistics s = acc.result();
        assertEquals(n, s.patches());
        Map<String, float[]> e = s.toExtras();
        double[] mean = new double[P * P], sd = new double[P * P];
        double avg = 0;
        for (int i = 0; i < P * P; i++) {
            for (int b = 0; b < n; b++) mean[i] += res[b][i] / (double) n;
            for (int b = 0; b < n; b++) sd[i] += Math.pow(res[b][i] - mean[i], 2) / (n - 1);
            sd[i] = Math.sqrt(sd[i]);
            avg += sd[i] / (P * P);
        }
        for (int i = 0; i < P * P; i++) {
            assertEquals(mean[i], e.get(MapStatistics.RESIDUAL_MEAN)[i], 1e-5);
            assertEquals(Math.max(sd[i], MapStatistics.SPREAD_FLOOR * avg + 1e-6), e.get(MapStatistics.RESIDUAL_STD)[i], 1e-5);
        }
        double m0 = 0;
        for (int b = 0; b < n; b++) m0 += t.features()[b * per + 3] / (double) n;
        assertEquals(m0, e.get(MapStatistics.FEATURES_MEAN)[3], 1e-5);
        for (int k = 0; k < stageSizes.length; k++) { // the earlier stages' too, entry by entry
            float[] v = t.earlier().get(k).values();
            int size = stageSizes[k];
            double[] m = new double[size], sdk = new double[size];
            double avgK = 0;
            for (int i = 0; i < size; i++) {
                for (int b = 0; b < n; b++) m[i] += v[b * size + i] / (double) n;
                for (int b = 0; b < n; b++) sdk[i] += Math.pow(v[b * size + i] - m[i], 2) / (n - 1);
                sdk[i] = Math.sqrt(sdk[i]);
                avgK += sdk[i] / size;
            }
            for (int i = 0; i < size; i++) {
                assertEquals(m[i], e.get(MapStatistics.stageName(k, "mean"))[i], 1e-5, "stage " + (k + 1) + " mean " + i);
                assertEquals(Math.max(sdk[i], MapStatistics.SPREAD_FLOOR * avgK + 1e-6), e.get(MapStatistics.stageName(k, "std"))[i], 1e-5,
                        "stage " + (k + 1) + " spread " + i);
            }
        }
        assertThrows(IllegalStateException.class, () -> new MapStatistics.Accumulator(4, 4).result(), "one patch has no spread");
    }

    @Test
    void damagedStatisticsAreRefusedWithAMessage() {
        Shape fs = model.features().outputShape(model.imageShape(1));
        MapStatistics ok = MapStatistics.identity(P * P, fs.size());
        Map<String, float[]> extra = new HashMap<>(ok.toExtras());
        Map<String, String> info = Map.of(MapStatistics.PATCHES_KEY, "3");
        assertEquals(null, MapStatistics.fromExtras(Map.of(), info, P * P, fs.size()), "no statistics: none");
        assertArrayEquals(ok.toExtras().get(MapStatistics.FEATURES_STD), MapStatistics.fromExtras(extra, info, P * P, fs.size())
                .toExtras().get(MapStatistics.FEATURES_STD));
        extra.put(MapStatistics.FEATURES_STD, new float[fs.size() - 1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(extra, info, P * P, fs.size()));
        assertTrue(e.getMessage().contains("recalibrate"), e.getMessage());
        extra.put(MapStatistics.FEATURES_STD, new float[fs.size()]);
        assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(extra, info, P * P, fs.size()), "spread 0");

        int[] stageSizes = FeatureTerms.earlierSizes(model);
        Map<String, float[]> staged = new HashMap<>(MapStatistics.identity(P * P, fs.size(), stageSizes).toExtras());
        assertTrue(MapStatistics.fromExtras(staged, info, P * P, fs.size(), stageSizes).hasStages());
        assertEquals(false, MapStatistics.fromExtras(ok.toExtras(), info, P * P, fs.size(), stageSizes).hasStages(), "an older calibration");
        staged.remove(MapStatistics.stageName(1, "std"));
        e = assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(staged, info, P * P, fs.size(), stageSizes));
        assertTrue(e.getMessage().contains("stage1_features_std"), e.getMessage());
        staged.put(MapStatistics.stageName(1, "std"), new float[stageSizes[1] + 1]);
        assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(staged, info, P * P, fs.size(), stageSizes), "wrong size");
        assertThrows(IllegalArgumentException.class, () -> MapStatistics.fromExtras(
                MapStatistics.identity(P * P, fs.size(), stageSizes).toExtras(), info, P * P, fs.size(), stageSizes[0]), "a stage too many");
    }

    private float[] positive(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = 0.2f + rnd.nextFloat();
        return a;
    }

    private static void assertClose(double[] expected, float[] got, String what) {
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-4 * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }
}
