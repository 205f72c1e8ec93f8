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
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
        model = new Dcgan(cpu, new DcganSpec(P, 1, 8, 4, 4), 2L);
        TestModels.randomizeBatchNorms(model, rnd);
    }

    @AfterEach
    void tearDown() {
        model.close();
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    private FeatureTerms terms(int count) {
        float[] x = new float[count * P * P];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 0.5);
        return FeatureTerms.compute(model, x, x.clone(), count);
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
        assertEquals(List.of("stage1", "stage2", "features", "stacked"), views.stream().map(FeatureView::name).toList());
        assertEquals(FeatureView.shapes(model), FeatureView.shapes(t), "a model's stage shapes are its terms'");
        FeatureView stacked = views.get(3);
        assertEquals(4 + 8 + 16, stacked.dims());
        assertEquals(16 * 16, stacked.positions());
    }

    @Test
    void theGaussianIsThePooledCovarianceAndItsInverse() {
        FeatureTerms t = terms(N);
        MapStatistics.Accumulator acc = new MapStatistics.Accumulator(P * P, t.size(), FeatureTerms.earlierSizes(model));
        for (int b = 0; b < N; b++) acc.add(new float[P * P], t, b);
        MapStatistics stats = acc.result();
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
    void theWindowDivergenceMatchesTheKlDivergenceOfTheRawWindow() {
        FeatureTerms t = terms(N);
        MapStatistics.Accumulator acc = new MapStatistics.Accumulator(P * P, t.size(), FeatureTerms.earlierSizes(model));
        for (int b = 0; b < N; b++) acc.add(new float[P * P], t, b);
        FeatureGaussian g = acc.result().gaussian("stage1");
        FeatureView v = g.view();
        int d = v.dims(), h = v.height(), w = v.width(), radius = 2;
        double[][] precision = new double[d][d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) precision[i][j] = g.precision()[i * d + j];
        double[][] sigma = gaussJordanInverse(precision);
        double logDetPrecision = logDet(precision);
        FeatureTerms probe = terms(2);
        float[] both = g.windowDivergence(probe, 1, radius, true, true);
        float[] meanOnly = g.windowDivergence(probe, 1, radius, true, false);
        float[] covOnly = g.windowDivergence(probe, 1, radius, false, true);
        for (int y = 0; y < h; y += 3) {
            for (int x = 0; x < w; x += 2) {
                // window vectors minus the Gaussian's mean at their positions
                List<double[]> win = new java.util.ArrayList<>();
                for (int yy = Math.max(0, y - radius); yy <= Math.min(h - 1, y + radius); yy++) {
                    for (int xx = Math.max(0, x - radius); xx <= Math.min(w - 1, x + radius); xx++) {
                        double[] e = vector(v, probe, 1, yy * w + xx);
                        for (int i = 0; i < d; i++) e[i] -= g.mean()[(yy * w + xx) * d + i];
                        win.add(e);
                    }
                }
                int n = win.size();
                double[] m = new double[d];
                for (double[] e : win) for (int i = 0; i < d; i++) m[i] += e[i] / n;
                double[][] s = new double[d][d];
                for (double[] e : win) for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) s[i][j] += (e[i] - m[i]) * (e[j] - m[j]) / n;
                // whitened: μᵀμ = mᵀ Σ⁻¹ m; tr C' = tr(Σ⁻¹ S) + floor d; det C' = det(S + floor Σ) det(Σ⁻¹)
                double meanTerm = 0, trace = FeatureGaussian.WINDOW_FLOOR * d;
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        meanTerm += m[i] * precision[i][j] * m[j];
                        trace += precision[i][j] * s[j][i];
                    }
                }
                double[][] floored = new double[d][d];
                for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) floored[i][j] = s[i][j] + FeatureGaussian.WINDOW_FLOOR * sigma[i][j];
                double covTerm = 0.5 * (trace - d - (logDet(floored) + logDetPrecision)) / d;
                meanTerm = 0.5 * meanTerm / d;
                int at = y * w + x;
                assertEquals(meanTerm, meanOnly[at], 1e-3 * (1 + meanTerm), "mean part at " + y + "," + x);
                assertEquals(covTerm, covOnly[at], 1e-3 * (1 + covTerm), "covariance part at " + y + "," + x);
                assertEquals(meanTerm + covTerm, both[at], 1e-3 * (1 + meanTerm + covTerm), "both at " + y + "," + x);
            }
        }
    }

    @Test
    void storedGaussiansAreAllOrNoneAndChecked() {
        FeatureTerms t = terms(3);
        MapStatistics.Accumulator acc = new MapStatistics.Accumulator(P * P, t.size(), FeatureTerms.earlierSizes(model));
        for (int b = 0; b < 3; b++) acc.add(new float[P * P], t, b);
        MapStatistics stats = acc.result();
        Map<String, float[]> extra = new HashMap<>(stats.toExtras());
        Map<String, String> info = Map.of(MapStatistics.PATCHES_KEY, "3");
        List<FeatureView> views = FeatureView.all(FeatureView.shapes(model));
        MapStatistics loaded = MapStatistics.fromExtras(extra, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).withGaussians(extra, views);
        assertEquals(stats.gaussians().size(), loaded.gaussians().size());
        for (int i = 0; i < stats.gaussians().size(); i++) {
            assertEquals(java.util.Arrays.toString(stats.gaussians().get(i).precision()), java.util.Arrays.toString(loaded.gaussians().get(i).precision()));
        }
        Map<String, float[]> older = new HashMap<>(extra);
        older.keySet().removeIf(k -> k.startsWith(MapStatistics.GAUSSIAN_PREFIX));
        MapStatistics old = MapStatistics.fromExtras(older, info, P * P, t.size(), FeatureTerms.earlierSizes(model)).withGaussians(older, views);
        assertEquals(false, old.hasGaussians(), "a calibration older than the Gaussians");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> old.gaussian("stage1"));
        assertTrue(e.getMessage().contains("recalibrate"), e.getMessage());

        Map<String, float[]> partial = new HashMap<>(extra);
        partial.remove(MapStatistics.GAUSSIAN_PREFIX + "stacked_precision");
        e = assertThrows(IllegalArgumentException.class, () -> stats.withGaussians(partial, views));
        assertTrue(e.getMessage().contains("recalibrate"), e.getMessage());
        Map<String, float[]> wrong = new HashMap<>(extra);
        wrong.put(MapStatistics.GAUSSIAN_PREFIX + "stage1_mean", new float[5]);
        assertThrows(IllegalArgumentException.class, () -> stats.withGaussians(wrong, views), "wrong size");
        Map<String, float[]> nan = new HashMap<>(extra);
        float[] p = nan.get(MapStatistics.GAUSSIAN_PREFIX + "features_precision").clone();
        p[0] = Float.NaN;
        nan.put(MapStatistics.GAUSSIAN_PREFIX + "features_precision", p);
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

    /** ln |det a| by elimination with partial pivoting. */
    private static double logDet(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) m[i] = a[i].clone();
        double s = 0;
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
            double[] tmp = m[c];
            m[c] = m[piv];
            m[piv] = tmp;
            s += Math.log(Math.abs(m[c][c]));
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k < n; k++) m[r][k] -= f * m[c][k];
            }
        }
        return s;
    }
}
