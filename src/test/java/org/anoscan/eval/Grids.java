package org.anoscan.eval;

import java.util.Random;

/** Builds small maps and masks for tests. */
final class Grids {
    private Grids() {}

    /** Rows of '#' (anomalous) and '.' (normal). */
    static GroundTruthMask mask(String... rows) {
        int width = rows[0].length();
        boolean[] anomalous = new boolean[width * rows.length];
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < width; x++) {
                anomalous[y * width + x] = rows[y].charAt(x) == '#';
            }
        }
        return new GroundTruthMask(width, rows.length, anomalous);
    }

    static AnomalyMap constant(int width, int height, float value) {
        float[] scores = new float[width * height];
        java.util.Arrays.fill(scores, value);
        return new AnomalyMap(width, height, scores);
    }

    /** Score `inside` on the mask's anomalous pixels and `outside` elsewhere. */
    static AnomalyMap fromMask(GroundTruthMask mask, float inside, float outside) {
        float[] scores = new float[mask.anomalous().length];
        for (int p = 0; p < scores.length; p++) {
            scores[p] = mask.anomalous()[p] ? inside : outside;
        }
        return new AnomalyMap(mask.width(), mask.height(), scores);
    }

    static GroundTruthMask randomMask(Random random, int width, int height, double density) {
        boolean[] anomalous = new boolean[width * height];
        for (int p = 0; p < anomalous.length; p++) {
            anomalous[p] = random.nextDouble() < density;
        }
        return new GroundTruthMask(width, height, anomalous);
    }

    /** Scores from `levels` values (ties) when levels > 0, else continuous; shifted up on anomalies. */
    static AnomalyMap randomMap(Random random, GroundTruthMask mask, int levels, float shift) {
        float[] scores = new float[mask.anomalous().length];
        for (int p = 0; p < scores.length; p++) {
            float s = levels > 0 ? random.nextInt(levels) : (float) random.nextGaussian();
            scores[p] = s + (mask.anomalous()[p] ? shift : 0);
        }
        return new AnomalyMap(mask.width(), mask.height(), scores);
    }
}
