package org.anoscan.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anoscan.search.FeatureTerms;

/**
 * A Gaussian of normal patches' feature vectors ({@link FeatureView}), as PaDiM: a mean per position and one
 * covariance shared by all positions (textures are stationary; the pooled within-position covariance), shrunk
 * towards its diagonal's mean so that it inverts. A patch of another texture can keep every feature's marginal
 * normal and still break their correlations, which the per-feature z of the deviation maps cannot see; the
 * Mahalanobis distance does.
 *
 * @param mean      positions x dims (position-major)
 * @param precision the inverse of the shrunk covariance, dims x dims
 */
public record FeatureGaussian(FeatureView view, float[] mean, float[] precision) {
    /** Added to the covariance's diagonal, as a share of its mean diagonal entry. */
    static final double SHRINKAGE = 0.01;

    public FeatureGaussian {
        int d = view.dims();
        if (mean.length != view.positions() * d || precision.length != d * d) {
            throw new IllegalArgumentException("a Gaussian of " + view.name() + " needs " + view.positions() * d + " means and "
                    + d * d + " precision entries, got " + mean.length + " and " + precision.length);
        }
    }

    /** Per position of the view's grid: the Mahalanobis distance over the square root of dims (about 1 on normal vectors). */
    public float[] distances(FeatureTerms t, int index) {
        int d = view.dims(), positions = view.positions();
        double[] v = new double[d];
        float[] out = new float[positions];
        for (int p = 0; p < positions; p++) {
            view.gather(t, index, p, v);
            for (int i = 0; i < d; i++) v[i] -= mean[p * d + i];
            double q = 0;
            for (int i = 0; i < d; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) s += precision[i * d + j] * v[j];
                q += v[i] * s;
            }
            out[p] = (float) Math.sqrt(Math.max(0, q) / d);
        }
        return out;
    }

    /** Added to a window's whitened variances before their logarithm: a flat window (variance 0) stays finite. */
    static final double WINDOW_FLOOR = 0.05;

    /** Per position: the vector whitened by this Gaussian, {@code L^T (v − mean)} with {@code L L^T} the precision (unit covariance on normal). */
    double[][] whitened(FeatureTerms t, int index) {
        int d = view.dims(), positions = view.positions();
        double[][] p = new double[d][d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) p[i][j] = precision[i * d + j];
        double[][] l = SymmetricInverse.cholesky(p);
        double[] v = new double[d];
        double[][] out = new double[positions][d];
        for (int q = 0; q < positions; q++) {
            view.gather(t, index, q, v);
            for (int i = 0; i < d; i++) v[i] -= mean[q * d + i];
            for (int i = 0; i < d; i++) {
                double s = 0;
                for (int k = i; k < d; k++) s += l[k][i] * v[k];
                out[q][i] = s;
            }
        }
        return out;
    }

    /**
     * Per position: how the whitened vectors of the window of positions around it (radius {@code radius}, clipped at the
     * patch's edge) depart from the unit Gaussian they follow on normal patches, over dims. The mean part is
     * {@code μᵀμ / 2d} (μ the window's mean); the spread part is the divergence of each whitened component's variance
     * v_i in the window from 1, {@code Σ (v_i + floor − 1 − ln(v_i + floor)) / 2d}: two-sided, so a flat window (a smooth
     * stain) and a busier or calmer patch of another texture both show, where a single vector's distance from the mean
     * ranks a flat window as very normal. (The components are those of the whitening by the precision's Cholesky factor;
     * the full covariance's log-determinant was tried too, and its noise over a 5x5 window of 24 channels hid the grass
     * defects: TextureLocalisation.)
     */
    public float[] windowDivergence(FeatureTerms t, int index, int radius, boolean meanPart, boolean spreadPart) {
        int d = view.dims(), h = view.height(), w = view.width();
        double[][] u = whitened(t, index);
        float[] out = new float[h * w];
        double[] mu = new double[d], var = new double[d];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int y0 = Math.max(0, y - radius), y1 = Math.min(h - 1, y + radius), x0 = Math.max(0, x - radius), x1 = Math.min(w - 1, x + radius);
                int n = (y1 - y0 + 1) * (x1 - x0 + 1);
                java.util.Arrays.fill(mu, 0);
                java.util.Arrays.fill(var, 0);
                for (int yy = y0; yy <= y1; yy++) for (int xx = x0; xx <= x1; xx++) for (int i = 0; i < d; i++) mu[i] += u[yy * w + xx][i] / n;
                for (int yy = y0; yy <= y1; yy++) {
                    for (int xx = x0; xx <= x1; xx++) {
                        for (int i = 0; i < d; i++) var[i] += (u[yy * w + xx][i] - mu[i]) * (u[yy * w + xx][i] - mu[i]) / n;
                    }
                }
                double kl = 0;
                for (int i = 0; i < d; i++) {
                    if (meanPart) kl += 0.5 * mu[i] * mu[i];
                    if (spreadPart) kl += 0.5 * (var[i] + WINDOW_FLOOR - 1 - Math.log(var[i] + WINDOW_FLOOR));
                }
                out[y * w + x] = (float) (kl / d);
            }
        }
        return out;
    }

    public String meanName() { return MapStatistics.GAUSSIAN_PREFIX + view.name() + "_mean"; }

    public String precisionName() { return MapStatistics.GAUSSIAN_PREFIX + view.name() + "_precision"; }

    /**
     * The Gaussians of {@code views} in a model file's extra tensors: all of them, or none (a calibration older than
     * them: an empty list).
     *
     * @throws IllegalArgumentException when only some are there, or one has the wrong size or a value that is not finite
     */
    static List<FeatureGaussian> fromExtras(Map<String, float[]> extra, List<FeatureView> views) {
        List<FeatureGaussian> out = new ArrayList<>();
        for (FeatureView v : views) {
            FeatureGaussian probe = new FeatureGaussian(v, new float[v.positions() * v.dims()], new float[v.dims() * v.dims()]);
            float[] m = extra.get(probe.meanName()), p = extra.get(probe.precisionName());
            if (m == null && p == null) continue;
            if (m == null || p == null) throw new IllegalArgumentException("calibration statistics: the Gaussian of " + v.name()
                    + " is incomplete; recalibrate the model");
            for (float[] a : List.of(m, p)) {
                for (float f : a) {
                    if (!Float.isFinite(f)) throw new IllegalArgumentException("calibration statistics: the Gaussian of " + v.name()
                            + " holds " + f + "; recalibrate the model");
                }
            }
            try {
                out.add(new FeatureGaussian(v, m, p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("calibration statistics: " + e.getMessage() + "; recalibrate the model");
            }
        }
        if (!out.isEmpty() && out.size() != views.size()) {
            throw new IllegalArgumentException("calibration statistics: " + out.size() + " of the " + views.size()
                    + " feature Gaussians are there; recalibrate the model");
        }
        return out;
    }

    /**
     * Gathers the mean per position and the pooled within-position covariance in one pass: sums of the vectors and of
     * their outer products, in double, each shifted by the first patch's vector at its position (so the products do not
     * cancel).
     */
    static final class Accumulator {
        private final FeatureView view;
        private final double[] shift, sums, products;
        private final double[] v;
        private long n;

        Accumulator(FeatureView view) {
            this.view = view;
            int d = view.dims();
            shift = new double[view.positions() * d];
            sums = new double[shift.length];
            products = new double[d * d];
            v = new double[d];
        }

        void add(FeatureTerms t, int index) {
            int d = view.dims();
            for (int p = 0; p < view.positions(); p++) {
                view.gather(t, index, p, v);
                if (n == 0) System.arraycopy(v, 0, shift, p * d, d);
                for (int i = 0; i < d; i++) {
                    v[i] -= shift[p * d + i];
                    sums[p * d + i] += v[i];
                }
                for (int i = 0; i < d; i++) {
                    double vi = v[i];
                    if (vi == 0) continue;
                    for (int j = i; j < d; j++) products[i * d + j] += vi * v[j];
                }
            }
            n++;
        }

        /** @throws IllegalStateException with fewer than two patches */
        FeatureGaussian result() {
            if (n < 2) throw new IllegalStateException("a feature Gaussian needs at least 2 normal patches, got " + n);
            int d = view.dims(), positions = view.positions();
            double[][] cov = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    double s = products[i * d + j];
                    for (int p = 0; p < positions; p++) s -= sums[p * d + i] * sums[p * d + j] / n;
                    cov[i][j] = cov[j][i] = s / ((double) positions * (n - 1));
                }
            }
            float[] mean = new float[shift.length];
            for (int i = 0; i < mean.length; i++) mean[i] = (float) (shift[i] + sums[i] / n);
            double[][] inv = SymmetricInverse.of(shrunk(cov));
            float[] precision = new float[d * d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) precision[i * d + j] = (float) inv[i][j];
            return new FeatureGaussian(view, mean, precision);
        }
    }

    /** The covariance with {@link #SHRINKAGE} times its mean diagonal entry added to the diagonal (a tiny floor if that is 0). */
    static double[][] shrunk(double[][] cov) {
        int d = cov.length;
        double trace = 0;
        for (int i = 0; i < d; i++) trace += cov[i][i];
        double add = Math.max(SHRINKAGE * trace / d, 1e-12);
        double[][] out = new double[d][];
        for (int i = 0; i < d; i++) {
            out[i] = cov[i].clone();
            out[i][i] += add;
        }
        return out;
    }
}
