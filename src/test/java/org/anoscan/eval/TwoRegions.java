package org.anoscan.eval;

/**
 * A 10x10 case worked by hand in the tests: region A (2x2, top-left) scored 0.9, region B (3x3,
 * bottom-right) scored 0.5, the 10 normal pixels of row 4 scored 0.7 and the other 77 normal
 * pixels 0.1.
 */
final class TwoRegions {
    private TwoRegions() {}

    static final GroundTruthMask MASK = Grids.mask(
            "##........",
            "##........",
            "..........",
            "..........",
            "..........",
            "..........",
            "..........",
            ".......###",
            ".......###",
            ".......###");

    static final AnomalyMap MAP = build();

    private static AnomalyMap build() {
        float[] scores = new float[100];
        for (int p = 0; p < 100; p++) {
            int x = p % 10;
            int y = p / 10;
            if (x < 2 && y < 2) scores[p] = 0.9f;
            else if (x >= 7 && y >= 7) scores[p] = 0.5f;
            else if (y == 4) scores[p] = 0.7f;
            else scores[p] = 0.1f;
        }
        return new AnomalyMap(10, 10, scores);
    }
}
