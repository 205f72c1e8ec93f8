package org.anoscan.scan;

/**
 * The finest-scale detail of a patch: per pixel, the log of the local energy of its Laplacian (the 4-neighbour
 * second difference, the highest frequencies the pixels hold), {@code ln(mean over a (2r+1)² window of L² + floor)},
 * channels averaged. Borders are mirrored ({@code …, 1, 0 | 0, 1, …}), so every window has (2r+1)² samples.
 *
 * <p>Why: a pasted square of gravel on grass (or of brick on gravel) keeps grass's brightness and, under D's first
 * stage, its feature statistics (the quick models' 4x4 filters at stride 2 do not see single-pixel detail), but it
 * is smoother at the finest scale than the texture around it: on the benchmark's crops, this energy (5x5) inside the
 * squares is below that of the normal texture at 89-91% of positions (TextureLocalisation, README). What is
 * unusual is its loss: {@link MapTerm#DETAIL_LOSS} counts how far the energy falls below normal.
 */
public final class DetailEnergy {
    /** Window radius in pixels: 5x5 (radius 3 and 4 did no better on the benchmark's grass; larger windows blur small squares). */
    public static final int RADIUS = 2;
    /** Added to the energy before its logarithm: a flat region is ln(0.001), finite. Pixels are in [-1, 1]. */
    static final double FLOOR = 1e-3;

    private DetailEnergy() {}

    /**
     * The P x P map of one patch: {@code x} holds C x P x P pixels (CHW) from {@code offset}.
     */
    public static float[] logEnergy(float[] x, int offset, int channels, int size) {
        int plane = size * size;
        double[] e = new double[plane];
        for (int c = 0; c < channels; c++) {
            int o = offset + c * plane;
            for (int y = 0; y < size; y++) {
                for (int i = 0; i < size; i++) {
                    double l = x[o + MapSmoothing.mirror(y - 1, size) * size + i] + x[o + MapSmoothing.mirror(y + 1, size) * size + i]
                            + x[o + y * size + MapSmoothing.mirror(i - 1, size)] + x[o + y * size + MapSmoothing.mirror(i + 1, size)]
                            - 4.0 * x[o + y * size + i];
                    e[y * size + i] += l * l / channels;
                }
            }
        }
        // the window mean, separably: rows, then columns
        int n = 2 * RADIUS + 1;
        double[] rows = new double[plane];
        for (int y = 0; y < size; y++) {
            for (int i = 0; i < size; i++) {
                double s = 0;
                for (int k = -RADIUS; k <= RADIUS; k++) s += e[y * size + MapSmoothing.mirror(i + k, size)];
                rows[y * size + i] = s / n;
            }
        }
        float[] out = new float[plane];
        for (int y = 0; y < size; y++) {
            for (int i = 0; i < size; i++) {
                double s = 0;
                for (int k = -RADIUS; k <= RADIUS; k++) s += rows[MapSmoothing.mirror(y + k, size) * size + i];
                out[y * size + i] = (float) Math.log(s / n + FLOOR);
            }
        }
        return out;
    }
}
