package org.anoscan.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Slow, obviously-correct references for the metrics, written independently of the fast code
 * (no sorting, no shared helpers): loops over every pair or every distinct threshold.
 */
final class BruteForce {
    private BruteForce() {}

    /** O(n^2): fraction of (anomalous, normal) pairs ranked correctly, ties 1/2. */
    static double auroc(double[] scores, boolean[] labels) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.length; i++) {
            if (!labels[i]) continue;
            for (int j = 0; j < scores.length; j++) {
                if (labels[j]) continue;
                pairs++;
                if (scores[i] > scores[j]) wins += 1;
                else if (scores[i] == scores[j]) wins += 0.5;
            }
        }
        return wins / pairs;
    }

    /** Average precision by counting at each distinct threshold from scratch. */
    static double averagePrecision(double[] scores, boolean[] labels) {
        TreeSet<Double> distinct = new TreeSet<>();
        int positives = 0;
        for (int i = 0; i < scores.length; i++) {
            distinct.add(scores[i]);
            if (labels[i]) positives++;
        }
        double ap = 0;
        double previousRecall = 0;
        for (double t : distinct.descendingSet()) {
            int tp = 0;
            int fp = 0;
            for (int i = 0; i < scores.length; i++) {
                if (scores[i] >= t) {
                    if (labels[i]) tp++; else fp++;
                }
            }
            double recall = (double) tp / positives;
            ap += (recall - previousRecall) * tp / (tp + fp);
            previousRecall = recall;
        }
        return ap;
    }

    /** The best F1 over all distinct thresholds, counting from scratch. */
    static double bestF1(double[] scores, boolean[] labels) {
        double best = 0;
        for (double t : scores) {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < scores.length; i++) {
                boolean predicted = scores[i] >= t;
                if (labels[i] && predicted) tp++;
                else if (labels[i]) fn++;
                else if (predicted) fp++;
            }
            best = Math.max(best, 2.0 * tp / (2.0 * tp + fp + fn));
        }
        return best;
    }

    /** Region ids of one mask by union-find over 8-neighbours (a different method from RegionLabeler). */
    static int[] regions8(boolean[] mask, int width, int height) {
        int[] parent = new int[mask.length];
        for (int i = 0; i < parent.length; i++) parent[i] = i;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (!mask[y * width + x]) continue;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx, ny = y + dy;
                        if (nx >= 0 && ny >= 0 && nx < width && ny < height && mask[ny * width + nx]) {
                            parent[find(parent, y * width + x)] = find(parent, ny * width + nx);
                        }
                    }
                }
            }
        }
        int[] ids = new int[mask.length];
        int[] idOfRoot = new int[mask.length];
        int next = 0;
        for (int p = 0; p < mask.length; p++) {
            if (!mask[p]) continue;
            int root = find(parent, p);
            if (idOfRoot[root] == 0) idOfRoot[root] = ++next;
            ids[p] = idOfRoot[root];
        }
        return ids;
    }

    private static int find(int[] parent, int p) {
        while (parent[p] != p) p = parent[p];
        return p;
    }

    /** PRO curve {fpr[], pro[]}: (0, 0), then one point per distinct score, highest first. */
    static double[][] proCurve(List<AnomalyMap> maps, List<GroundTruthMask> masks) {
        List<List<Float>> regionScores = new ArrayList<>();
        List<Float> normalScores = new ArrayList<>();
        TreeSet<Float> distinct = new TreeSet<>();
        for (int i = 0; i < maps.size(); i++) {
            AnomalyMap map = maps.get(i);
            GroundTruthMask mask = masks.get(i);
            int[] ids = regions8(mask.anomalous(), mask.width(), mask.height());
            int base = regionScores.size();
            for (int p = 0; p < ids.length; p++) {
                float s = map.scores()[p];
                distinct.add(s);
                if (ids[p] == 0) {
                    normalScores.add(s);
                } else {
                    while (regionScores.size() < base + ids[p]) regionScores.add(new ArrayList<>());
                    regionScores.get(base + ids[p] - 1).add(s);
                }
            }
        }
        List<double[]> points = new ArrayList<>();
        points.add(new double[] {0, 0});
        for (float t : distinct.descendingSet()) {
            double fp = normalScores.stream().filter(s -> s >= t).count();
            double overlapSum = 0;
            for (List<Float> region : regionScores) {
                overlapSum += (double) region.stream().filter(s -> s >= t).count() / region.size();
            }
            points.add(new double[] {fp / normalScores.size(), overlapSum / regionScores.size()});
        }
        double[][] curve = new double[2][points.size()];
        for (int k = 0; k < points.size(); k++) {
            curve[0][k] = points.get(k)[0];
            curve[1][k] = points.get(k)[1];
        }
        return curve;
    }

    /**
     * Trapezoid area under y(x) for x in [0, limit] divided by limit, the way the MVTec script does
     * it: keep the points with x <= limit, and when limit is not a sample add the piece up to it,
     * interpolating between the last point below and the first point above.
     */
    static double normalisedArea(double[] x, double[] y, double limit) {
        double area = 0;
        int last = 0;
        while (last + 1 < x.length && x[last + 1] <= limit) {
            area += (x[last + 1] - x[last]) * (y[last + 1] + y[last]) / 2;
            last++;
        }
        if (x[last] < limit && last + 1 < x.length) {
            double yAt = y[last] + (y[last + 1] - y[last]) * (limit - x[last]) / (x[last + 1] - x[last]);
            area += (limit - x[last]) * (yAt + y[last]) / 2;
        }
        return area / limit;
    }

    static double aupro(List<AnomalyMap> maps, List<GroundTruthMask> masks, double limit) {
        double[][] curve = proCurve(maps, masks);
        return normalisedArea(curve[0], curve[1], limit);
    }

    /** Scores drawn from `levels` values (many ties) when levels > 0, else continuous. */
    static double[] scores(Random random, int n, int levels) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = levels > 0 ? random.nextInt(levels) : random.nextGaussian();
        }
        return s;
    }

    static boolean[] labels(Random random, int n, double anomalyRate) {
        boolean[] labels = new boolean[n];
        for (int i = 0; i < n; i++) labels[i] = random.nextDouble() < anomalyRate;
        labels[0] = true; // both classes present
        labels[n - 1] = false;
        return labels;
    }

    static double[] pooled(List<AnomalyMap> maps) {
        return maps.stream().flatMapToDouble(m -> {
            double[] d = new double[m.scores().length];
            for (int i = 0; i < d.length; i++) d[i] = m.scores()[i];
            return Arrays.stream(d);
        }).toArray();
    }

    static boolean[] pooledLabels(List<GroundTruthMask> masks) {
        int n = masks.stream().mapToInt(m -> m.anomalous().length).sum();
        boolean[] all = new boolean[n];
        int k = 0;
        for (GroundTruthMask m : masks) {
            System.arraycopy(m.anomalous(), 0, all, k, m.anomalous().length);
            k += m.anomalous().length;
        }
        return all;
    }
}
