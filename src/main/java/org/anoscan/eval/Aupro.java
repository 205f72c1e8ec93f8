package org.anoscan.eval;

import java.util.Arrays;
import java.util.List;

/**
 * Area under the per-region-overlap (PRO) curve, as in the MVTec AD evaluation (Bergmann et al.):
 * <ul>
 *   <li>ground-truth regions are the 8-connected components of each mask;</li>
 *   <li>at a threshold t, a region's overlap is the fraction of its pixels with score >= t, PRO is
 *       the mean overlap over all regions of all images (a small defect weighs as much as a large
 *       one), and FPR is the fraction of all normal pixels with score >= t;</li>
 *   <li>the curve has one point per distinct score, starting at (0, 0); PRO is integrated over FPR
 *       from 0 to the limit (0.3 by default) by the trapezoid rule, the curve interpolated linearly
 *       at the limit, and the area divided by the limit, so a perfect map scores 1.</li>
 * </ul>
 * All pixels are sorted once and every threshold is reached in one sweep: O(n log n).
 */
public final class Aupro {
    public static final double DEFAULT_FPR_LIMIT = 0.3;

    /**
     * The returned curve keeps a point only when it has moved by at least this much in FPR or PRO
     * since the last kept point (the first and last points are always kept): at most about 2000
     * points whatever the pixel count. The area is always computed on the full curve.
     */
    static final double CURVE_RESOLUTION = 1e-3;

    private Aupro() {}

    /**
     * @param aupro       normalised area, in [0, 1]
     * @param regionCount ground-truth regions over all images
     * @param curve       the PRO curve over the full FPR range, thinned for plotting
     */
    public record Result(double aupro, double fprLimit, int regionCount, ProCurve curve) {}

    public static Result compute(List<AnomalyMap> maps, List<GroundTruthMask> masks) {
        return compute(maps, masks, DEFAULT_FPR_LIMIT);
    }

    /** @param fprLimit upper end of the FPR integration range, in (0, 1] */
    public static Result compute(List<AnomalyMap> maps, List<GroundTruthMask> masks, double fprLimit) {
        checkLimit(fprLimit);
        return of(PixelRanking.build(maps, masks, true), fprLimit);
    }

    static Result of(PixelRanking ranking, double fprLimit) {
        checkLimit(fprLimit);
        if (ranking.regionCount() == 0) {
            throw new IllegalArgumentException("no anomalous region in the ground-truth masks; AUPRO needs at least one");
        }
        if (ranking.normalCount() == 0) {
            throw new IllegalArgumentException("no normal pixel in the ground-truth masks; AUPRO needs some");
        }
        Sweep sweep = new Sweep(ranking, fprLimit);
        ranking.sweepFromTop(sweep);
        return new Result(sweep.area / fprLimit, fprLimit, ranking.regionCount(), sweep.curve());
    }

    static void checkLimit(double fprLimit) {
        if (!(fprLimit > 0 && fprLimit <= 1)) {
            throw new IllegalArgumentException("AUPRO FPR limit must be in (0, 1], got " + fprLimit);
        }
    }

    /** Builds the curve group by group and integrates it on the fly. */
    private static final class Sweep implements PixelRanking.TieGroupVisitor {
        private final double normalTotal;
        private final long pixelTotal;
        private final double regionCount;
        private final double limit;

        private long normalsAbove;
        private long pixelsAbove;
        private double coverageAbove;
        private double fpr;
        private double pro;
        private double area;
        private boolean pastLimit;

        private double[] fprs = new double[256];
        private double[] pros = new double[256];
        private double[] thresholds = new double[256];
        private int kept;

        Sweep(PixelRanking ranking, double limit) {
            this.normalTotal = ranking.normalCount();
            this.pixelTotal = ranking.normalCount() + ranking.anomalousCount();
            this.regionCount = ranking.regionCount();
            this.limit = limit;
            keep(0, 0, Double.POSITIVE_INFINITY);
        }

        @Override
        public void group(float score, long normals, long anomalous, double regionCoverage) {
            normalsAbove += normals;
            pixelsAbove += normals + anomalous;
            coverageAbove += regionCoverage;
            boolean last = pixelsAbove == pixelTotal;
            double nextFpr = normalsAbove / normalTotal;
            // At the lowest score every region is covered: 1 exactly, not a rounded sum of 1/size.
            double nextPro = last ? 1.0 : Math.min(1.0, coverageAbove / regionCount);
            integrate(nextFpr, nextPro);
            fpr = nextFpr;
            pro = nextPro;
            if (last || Math.max(fpr - fprs[kept - 1], pro - pros[kept - 1]) >= CURVE_RESOLUTION) {
                keep(fpr, pro, score);
            }
        }

        private void integrate(double nextFpr, double nextPro) {
            if (pastLimit) {
                return;
            }
            if (nextFpr <= limit) {
                area += (nextFpr - fpr) * (pro + nextPro) / 2;
            } else {
                // This segment crosses the limit (fpr <= limit < nextFpr): cut it there.
                double proAtLimit = pro + (nextPro - pro) * (limit - fpr) / (nextFpr - fpr);
                area += (limit - fpr) * (pro + proAtLimit) / 2;
                pastLimit = true;
            }
        }

        private void keep(double f, double p, double threshold) {
            if (kept == fprs.length) {
                fprs = Arrays.copyOf(fprs, 2 * kept);
                pros = Arrays.copyOf(pros, 2 * kept);
                thresholds = Arrays.copyOf(thresholds, 2 * kept);
            }
            fprs[kept] = f;
            pros[kept] = p;
            thresholds[kept] = threshold;
            kept++;
        }

        ProCurve curve() {
            return new ProCurve(Arrays.copyOf(fprs, kept), Arrays.copyOf(pros, kept),
                    Arrays.copyOf(thresholds, kept));
        }
    }
}
