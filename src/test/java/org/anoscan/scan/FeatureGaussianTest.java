package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.FeatureTerms;
import org.anoscan.tensor.Shape;
import org.anoscan.testutil.SmallCpuModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The feature Gaussians and the maps on them against naive references in double: the mean per position and the pooled
 * within-position covariance by two passes over the gathered vectors, its inverse by Gauss-Jordan elimination, the
 * window divergence from the raw window covariance and determinants by elimination (no whitening, no Cholesky).
 */
class FeatureGaussianTest {
    private static final int P = 32, N = 7;
    private CpuBackend cpu;
    private Dcgan model;
    private final Random rnd = new Random(5);

    @RegisterExtension
    final SmallCpuModel fixture = new SmallCpuModel(new DcganSpec(P, 1, 8, 4, 4), 2L, rnd);

    @BeforeEach
    void setUp() {
        cpu = fixture.cpu();
        model = fixture.model();
    }

    private FeatureTerms terms(int count) {
        float[] x = new float[count * P * P];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 0.5);
        return FeatureTerms.compute(model, x, x.clone(), count);
    }

    /** The statistics of the first {@code n} patches of {@code t}. */
    private MapStatistics fit(FeatureTerms t, int n) {
        MapStatistics.Accumulator acc = new MapStatistics.Accumulator(P * P, t.size(), FeatureTerms.earlierSizes(model));
        for (int b = 0; b < n; b++) acc.add(new float[P * P], t, b);
        return acc.result();
    }

    /** The vector of view v at position p of patch b, read straight from the stage tensors (nearest position on coarser grids). */
    private static double[] vector(FeatureView v, FeatureTerms t, int b, int p) {
        List<Shape> shapes = v.shapes();
        Shape grid = shapes.get(v.gridStage());
        int y = p / grid.w(), x = p % grid.w();
        double[] out = new double[v.dims()];
        int d = 0;
        for (int s : v.stages()) {
            Shape sh = shapes.get(s);
            float[] values = s < t.earlier().size() ? t.earlier().get(s).values() : t.features();
            int sy = y * sh.h() / grid.h(), sx = x * sh.w() / grid.w();
            for (int c = 0; c < sh.c(); c++) out[d++] = values[b * sh.size() + c * sh.h() * sh.w() + sy * sh.w() + sx];
        }
        return out;
    }

    @Test
    void theViewsAreTheStagesAloneAndStacked() {
        FeatureTerms t = terms(1);
        List<FeatureView> views = FeatureView.all(FeatureView.shapes(t));
        assertEquals(List.of(FeatureView.STAGE1, FeatureView.STACKED), views.stream().map(FeatureView::name).toList());
        assertEquals(FeatureView.shapes(model), FeatureView.shapes(t), "a model's stage shapes are its terms'");
        assertEquals(4, views.get(0).dims());
        FeatureView stacked = views.get(1);
        assertEquals(4 + 8 + 16, stacked.dims());
        assertEquals(16 * 16, stacked.positions());
    }

    @Test
    void theGaussianIsThePooledCovarianceAndItsInverse() {
        FeatureTerms t = terms(N);
        MapStatistics stats = fit(t, N);
        assertTrue(stats.hasGaussians());
        for (FeatureGaussian g : stats.gaussians()) {
            FeatureView v = g.view();
            int d = v.dims(), positions = v.positions();
            double[][] mean = new double[positions][d];
            for (int p = 0; p < positions; p++) {
                for (int b = 0; b < N; b++) {
                    double[] x = vector(v, t, b, p);
                    for (int i = 0; i < d; i++) mean[p][i] += x[i] / N;
                }
                for (int i = 0; i < d; i++) assertEquals(mean[p][i], g.mean()[p * d + i], 1e-5 * (1 + Math.abs(mean[p][i])), v.name() + " mean");
            }
            double[][] cov = new double[d][d];
            for (int p = 0; p < positions; p++) {
                for (int b = 0; b < N; b++) {
                    double[] x = vector(v, t, b, p);
                    for (int i = 0; i < d; i++) {
                        for (int j = 0; j < d; j++) cov[i][j] += (x[i] - mean[p][i]) * (x[j] - mean[p][j]) / ((double) positions * (N - 1));
                    }
                }
            }
            double trace = 0;
            for (int i = 0; i < d; i++) trace += cov[i][i];
            for (int i = 0; i < d; i++) cov[i][i] += FeatureGaussian.SHRINKAGE * trace / d;
            double[][] inv = gaussJordanInverse(cov);
            double scale = 0;
            for (double[] row : inv) for (double e : row) scale = Math.max(scale, Math.abs(e));
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) assertEquals(inv[i][j], g.precision()[i * d + j], 1e-4 * scale, v.name() + " precision " + i + "," + j);
            }

            // the distance map: sqrt((x − m)ᵀ Σ⁻¹ (x − m) / d) per position
            FeatureTerms probe = terms(2);
            float[] got = g.distances(probe, 1);
            for (int p = 0; p < positions; p++) {
                double[] x = vector(v, probe, 1, p);
                double q = 0;
                for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) q += (x[i] - mean[p][i]) * inv[i][j] * (x[j] - mean[p][j]);
                double expected = Math.sqrt(q / d);
                assertEquals(expected, got[p], 1e-3 * (1 + expected), v.name() + " distance at " + p);
            }
        }
    }

    @Test
    void theWindowDivergenceMatchesTheWindowsMeanAndWhitenedVariances() {
        FeatureTerms t = terms(N);
        FeatureGaussian g = fit(t, N).gaussian(FeatureView.STAGE1);
        FeatureView v = g.view();
        int d = v.dims(), h = v.height(), w = v.width(), radius = 2;
        double[][] precision = new double[d][d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) precision[i][j] = g.precision()[i * d + j];
        double[][] l = crout(precision); // precision = L Lᵀ; whitened u = Lᵀ (x − m), so uᵀu = (x − m)ᵀ P (x − m)
        FeatureTerms probe = terms(2);
        double[][] whitened = g.whitened(probe, 1);
        float[] both = g.windowDivergence(probe, 1, radius, true, true);
        float[] meanOnly = g.windowDivergence(probe, 1, radius, true, false);
        float[] spreadOnly = g.windowDivergence(probe, 1, radius, false, true);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                List<double[]> win = new java.util.ArrayList<>();
                for (int yy = Math.max(0, y - radius); yy <= Math.min(h - 1, y + radius); yy++) {
                    for (int xx = Math.max(0, x - radius); xx <= Math.min(w - 1, x + radius); xx++) {
                        double[] e = vector(v, probe, 1, yy * w + xx);
                        for (int i = 0; i < d; i++) e[i] -= g.mean()[(yy * w + xx) * d + i];
                        double[] u = new double[d];
                        for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) u[i] += l[k][i] * e[k];
                        for (int i = 0; i < d; i++) {
                            assertEquals(u[i], whitened[yy * w + xx][i], 1e-4 * (1 + Math.abs(u[i])), "whitened at " + yy + "," + xx);
                        }
                        win.add(e); // raw (minus the mean), then whitened
                        win.add(u);
                    }
                }
                int n = win.size() / 2;
                double[] m = new double[d], mu = new double[d], var = new double[d];
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < d; i++) {
                        m[i] += win.get(2 * k)[i] / n;
                        mu[i] += win.get(2 * k + 1)[i] / n;
                    }
                }
                for (int k = 0; k < n; k++) for (int i = 0; i < d; i++) var[i] += Math.pow(win.get(2 * k + 1)[i] - mu[i], 2) / n;
                double meanTerm = 0, spreadTerm = 0; // the mean part from the raw window mean and the precision: no whitening
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) meanTerm += m[i] * precision[i][j] * m[j];
                    double vf = var[i] + FeatureGaussian.WINDOW_FLOOR;
                    spreadTerm += vf - 1 - Math.log(vf);
                }
                meanTerm = 0.5 * meanTerm / d;
                spreadTerm = 0.5 * spreadTerm / d;
                int at = y * w + x;
                assertEquals(meanTerm, meanOnly[at], 1e-3 * (1 + meanTerm), "mean part at " + y + "," + x);
                assertEquals(spreadTerm, spreadOnly[at], 1e-3 * (1 + spreadTerm), "spread part at " + y + "," + x);
                assertEquals(meanTerm + spreadTerm, both[at], 1e-3 * (1 + meanTerm + spreadTerm), "both at " + y + "," + x);
            }
        }
    }

    @Test
    void aFlatPatchShowsInTheWindowMapsAndTheWindowMapWeighsItsParts() {
        FeatureTerms t = terms(N);
        MapStatistics stats = fit(t, N);
        FeatureGaussian g = stats.gaussian(FeatureView.STAGE1);
        // a patch whose first-stage features sit at their normal mean everywhere: a smooth stain at its most extreme
        Shape s1 = t.earlier().get(1).perPatch();
        int d = s1.c(), plane = s1.h() * s1.w();
        float[] flat = new float[s1.size()];
        for (int c = 0; c < d; c++) for (int p = 0; p < plane; p++) flat[c * plane + p] = g.mean()[p * d + c];
        List<FeatureTerms.StageFeatures> earlier = new java.util.ArrayList<>(t.earlier().stream()
                .map(st -> new FeatureTerms.StageFeatures(java.util.Arrays.copyOf(st.values(), st.size()), st.perPatch())).toList());
        earlier.set(1, new FeatureTerms.StageFeatures(flat, s1));
        FeatureTerms flatTerms = new FeatureTerms(java.util.Arrays.copyOf(t.features(), t.size()), java.util.Arrays.copyOf(t.residual(), t.size()),
                t.perPatch(), earlier);
        double floorKl = 0.5 * (FeatureGaussian.WINDOW_FLOOR - 1 - Math.log(FeatureGaussian.WINDOW_FLOOR));
        for (float m : g.windowDivergence(flatTerms, 0, 2, true, false)) assertEquals(0, m, 1e-5, "at the mean");
        for (float m : g.windowDivergence(flatTerms, 0, 2, false, true)) assertEquals(floorKl, m, 1e-4, "no spread: the floor's divergence");
        assertTrue(floorKl > 1, "far above a normal window's (about 0 to 0.5)");

        java.util.List<ReceptiveField> fields = ReceptiveField.ofStages(model.features(), P);
        LocalMaps maps = new LocalMaps(P, 1, fields.get(fields.size() - 1), LocalMaps.earlierFields(fields, P), stats);
        float[] spread = maps.term(MapTerm.WINDOW_SPREAD, null, flatTerms, 0), mean = maps.term(MapTerm.WINDOW_MEAN, null, flatTerms, 0);
        float[] expected = fields.get(0).toPixels(g.windowDivergence(flatTerms, 0, LocalMaps.SPREAD_RADIUS, false, true), P);
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(spread), "brought to pixels by the first stage's field");
        org.anoscan.io.FloatImage m = org.anoscan.io.FloatImage.map(P, P, mean, "m"), sp = org.anoscan.io.FloatImage.map(P, P, spread, "s");
        float[] window = LocalMaps.compose(MapKind.WINDOW, term -> term == MapTerm.WINDOW_MEAN ? m : sp).data();
        for (int i = 0; i < window.length; i++) assertEquals(mean[i] + 0.1 * spread[i], window[i], 1e-5, "WINDOW = mean + 0.1 spread");
        float[] pad = maps.term(MapTerm.MAHALANOBIS, null, t, 2);
        assertEquals(P * P, pad.length);
    }

    /** The Cholesky factor by the Crout column order (columns left to right), independent of SymmetricInverse's row order. */
    private static double[][] crout(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int j = 0; j < n; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) s -= l[j][k] * l[j][k];
            l[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < n; i++) {
                double t = a[i][j];
                for (int k = 0; k < j; k++) t -= l[i][k] * l[j][k];
                l[i][j] = t / l[j][j];
            }
        }
        return l;
    }

    @Test
    void storedGaussiansAreAllOrNoneAndChecked() {
        FeatureTerms t = terms(3);
        MapStatistics stats = fit(t, 3);
        Map<String, float[]> extra = new HashMap<>(stats.toExtras());
        Map<String, String> info = Map.of(MapStatistics.PATCHES_KEY, "3");
        List<FeatureView> views = FeatureView.all(FeatureView.shapes(model));
        MapStatistics loaded = MapStatistics.fromExtras(extra, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).withGaussians(extra, views);
        assertEquals(stats.gaussians().size(), loaded.gaussians().size());
        for (int i = 0; i < stats.gaussians().size(); i++) {
            assertEquals(java.util.Arrays.toString(stats.gaussians().get(i).precision()), java.util.Arrays.toString(loaded.gaussians().get(i).precision()));
        }
        Map<String, float[]> older = new HashMap<>(extra);
        older.keySet().removeIf(k -> k.startsWith(MapStatistics.GAUSSIAN_PREFIX) || k.equals(MapStatistics.DETAIL_MEAN) || k.equals(MapStatistics.DETAIL_STD));
        MapStatistics old = MapStatistics.fromExtras(older, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).withGaussians(older, views);
        assertEquals(false, old.hasGaussians(), "a calibration older than the Gaussians");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> old.gaussian(FeatureView.STAGE1));
        assertTrue(e.getMessage().contains("recalibrate"), e.getMessage());

        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), old, ScanConfig.defaults())) {
            assertEquals(MapKind.TEXTURE, s.mapKind(), "auto on a calibration older than the Gaussians: the texture map");
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> new AnomalyScanner(model, Map.of(), old, ScanConfig.defaults().withMap(MapKind.WINDOW, 0)).close());
        assertTrue(e.getMessage().contains("calibrate again"), e.getMessage());
        Map<String, float[]> noDetail = new HashMap<>(extra);
        noDetail.remove(MapStatistics.DETAIL_MEAN);
        noDetail.remove(MapStatistics.DETAIL_STD);
        MapStatistics gaussiansOnly = MapStatistics.fromExtras(noDetail, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).withGaussians(noDetail, views);
        try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), gaussiansOnly, ScanConfig.defaults())) {
            assertEquals(MapKind.WINDOW, s.mapKind(), "auto with the Gaussians (and no detail statistics): the window map");
            assertEquals(6.0, ScanConfig.defaults().smoothingPixels(s.mapKind(), P), "0.375 of the default stride, 16 pixels");
            assertEquals(4.0, ScanConfig.defaults().smoothingPixels(MapKind.TEXTURE, P), "the other maps: a quarter stride");
        }

        Map<String, float[]> partial = new HashMap<>(extra);
        partial.remove(MapStatistics.GAUSSIAN_PREFIX + "stacked_precision");
        e = assertThrows(IllegalArgumentException.class, () -> stats.withGaussians(partial, views));
        assertTrue(e.getMessage().contains("recalibrate"), e.getMessage());
        Map<String, float[]> wrong = new HashMap<>(extra);
        wrong.put(MapStatistics.GAUSSIAN_PREFIX + "stage1_mean", new float[5]);
        assertThrows(IllegalArgumentException.class, () -> stats.withGaussians(wrong, views), "wrong size");
        Map<String, float[]> nan = new HashMap<>(extra);
        float[] p = nan.get(MapStatistics.GAUSSIAN_PREFIX + "stacked_precision").clone();
        p[0] = Float.NaN;
        nan.put(MapStatistics.GAUSSIAN_PREFIX + "stacked_precision", p);
        assertThrows(IllegalArgumentException.class, () -> stats.withGaussians(nan, views), "not finite");
    }

    @Test
    void theInverseIsExactOnAKnownMatrix() {
        double[][] a = {{4, 2, 0.4}, {2, 5, 1}, {0.4, 1, 3}};
        double[][] inv = SymmetricInverse.of(a);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) s += a[i][k] * inv[k][j];
                assertEquals(i == j ? 1 : 0, s, 1e-12);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SymmetricInverse.of(new double[][] {{1, 2}, {2, 1}}), "indefinite");
    }

    private static double[][] gaussJordanInverse(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
            double[] tmp = m[c];
            m[c] = m[piv];
            m[piv] = tmp;
            double div = m[c][c];
            for (int k = 0; k < 2 * n; k++) m[c][k] /= div;
            for (int r = 0; r < n; r++) {
                if (r == c) continue;
                double f = m[r][c];
                for (int k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, inv[i], 0, n);
        return inv;
    }
}
