package org.anoscan.eval;

import java.util.Objects;

/** Checks shared by the image-level metrics, so every entry point fails with the same message. */
final class Inputs {
    private Inputs() {}

    static boolean[] labelsFromInts(int[] labels) {
        Objects.requireNonNull(labels, "labels must not be null");
        boolean[] anomalous = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("label at index " + i + " is " + labels[i]
                        + "; expected 0 (normal) or 1 (anomalous)");
            }
            anomalous[i] = labels[i] == 1;
        }
        return anomalous;
    }

    static void checkScoresAndLabels(double[] scores, boolean[] labels) {
        Objects.requireNonNull(scores, "scores must not be null");
        Objects.requireNonNull(labels, "labels must not be null");
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels differ in length: "
                    + scores.length + " scores, " + labels.length + " labels");
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("no scores given");
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score at index " + i
                        + " is NaN; anomaly scores must be numbers");
            }
        }
    }

    static void requireBothClasses(long anomalous, long normal, String what) {
        if (anomalous == 0 || normal == 0) {
            throw new IllegalArgumentException("all " + (anomalous + normal) + " " + what + " are "
                    + (anomalous == 0 ? "normal" : "anomalous")
                    + "; this metric needs both normal and anomalous " + what);
        }
    }
}
