package org.anoscan.scan;

/**
 * The finest-scale detail of a patch, per pixel: how much energy its Laplacian (the 4-neighbour second difference,
 * the highest frequencies the pixels hold) has, and what share of the local variation that is. With {@code L} and
 * {@code G} the means over a (2r+1)² window of the squared Laplacian and of the squared gradient (central
 * differences), channels averaged, the detail is {@code ln(L + floor) + ln((L + floor) / (G + floor))}. Borders are
 * mirrored ({@code …, 1, 0 | 0, 1, …}), so every window has (2r+1)² samples.
 *
 * <p>Why: a pasted square of gravel on grass (or of brick on gravel) keeps grass's brightness and, under D's first
 * stage, its feature statistics (the quick models' 4x4 filters at stride 2 do not see single-pixel detail), but it
 * is smoother at the finest scale than the texture around it: on the benchmark's crops, the Laplacian's energy (5x5)
 * inside the squares is below that of the normal texture at 89-91% of positions (TextureLocalisation, README). Normal
 * grass has calm spots too (broad blades), but their edges keep a gradient whose Laplacian share stays normal; the
 * share term lowers those false positives and raises the squares' (README: Texture localisation). What is unusual is the
 * loss: {@link MapTerm#DETAIL_LOSS} counts how far the detail falls below normal.
 */
public final class DetailEnergy {
    /** Window radius in pixels: 5x5 (radius 3 and 4 did no better on the benchmark's grass; larger windows blur small squares). */
    public static final int RADIUS = 2;
    /** Added to each energy before its logarithm: a flat region is ln(0.001) twice, finite. Pixels are in [-1, 1]. */
    static final double FLOOR = 1e-3;

    private DetailEnergy() {}

    /**
     * The P x P map of one patch: {@code x} holds C x P x P pixels (CHW) from {@code offset}.
     */
    public static float[] detail(float[] x, int offset, int channels, int size) {
        int plane = size * size;
        double[] laplacian = new double[plane], gradient = new double[plane];
        for (int c = 0; c < channels; c++) {
            int o = offset + c * plane;
            for (int y = 0; y < size; y++) {
                int up = o + MapSmoothing.mirror(y - 1, size) * size, down = o + MapSmoothing.mirror(y + 1, size) * size, row = o + y * size;
                for (int i = 0; i < size; i++) {
                    int left = MapSmoothing.mirror(i - 1, size), right = MapSmoothing.mirror(i + 1, size);
                    double l = x[up + i] + x[down + i] + x[row + left] + x[row + right] - 4.0 * x[row + i];
                    double gx = (x[row + right] - x[row + left]) / 2, gy = (x[down + i] - x[up + i]) / 2;
                    laplacian[y * size + i] += l * l / channels;
                    gradient[y * size + i] += (gx * gx + gy * gy) / channels;
                }
            }
        }
        double[] l = windowMean(laplacian, size), g = windowMean(gradient, size);
        float[] out = new float[plane];
        for (int i = 0; i < plane; i++) {
            double logL = Math.log(l[i] + FLOOR);
            out[i] = (float) (2 * logL - Math.log(g[i] + FLOOR));
        }
        return out;
    }

    /** The mean over each (2 RADIUS + 1)² window, mirrored, separably: rows, then columns. */
    private static double[] windowMean(double[] e, int size) {
        int n = 2 * RADIUS + 1;
        double[] rows = new double[e.length], out = new double[e.length];
        for (int y = 0; y < size; y++) {
            for (int i = 0; i < size; i++) {
                double s = 0;
                for (int k = -RADIUS; k <= RADIUS; k++) s += e[y * size + MapSmoothing.mirror(i + k, size)];
                rows[y * size + i] = s / n;
            }
        }
        for (int y = 0; y < size; y++) {
            for (int i = 0; i < size; i++) {
                double s = 0;
                for (int k = -RADIUS; k <= RADIUS; k++) s += rows[MapSmoothing.mirror(y + k, size) * size + i];
                out[y * size + i] = s / n;
            }
        }
        return out;
    }
}
