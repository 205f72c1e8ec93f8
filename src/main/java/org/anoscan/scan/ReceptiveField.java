package org.anoscan.scan;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.nn.Conv2d;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Sequential;

/**
 * Where each position of a convolution stack's output looks in its input, along one axis (the stacks are
 * square): output position j sees input pixels {@code [start + j * jump, start + j * jump + size)}. Brings a
 * per-position feature value back to pixel resolution by the transposed receptive field: each pixel gets the
 * mean of the values of the positions that see it.
 *
 * @param size   receptive field width in input pixels
 * @param jump   input pixels between neighbouring output positions (the product of the strides)
 * @param start  first input pixel seen by output position 0 (negative where padding is seen)
 * @param positions output positions along the axis
 */
public record ReceptiveField(int size, int jump, int start, int positions) {

    /** The receptive field of {@code net}'s output over an input of {@code inputSize} pixels; only 2-d convolutions and layers that keep the size. */
    public static ReceptiveField of(Sequential net, int inputSize) {
        List<ReceptiveField> stages = ofStages(net, inputSize);
        return stages.isEmpty() ? new ReceptiveField(1, 1, 0, inputSize) : stages.get(stages.size() - 1);
    }

    /** Each input pixel sees itself: the field of the stack's input, {@code pixels} positions. */
    public static ReceptiveField identity(int pixels) {
        return new ReceptiveField(1, 1, 0, pixels);
    }

    /** The receptive field of the output of each convolution of {@code net} (nested stacks flattened), first first. */
    public static List<ReceptiveField> ofStages(Sequential net, int inputSize) {
        List<ReceptiveField> out = new ArrayList<>();
        int size = 1, jump = 1, start = 0, n = inputSize;
        for (Layer l : flatten(net, new ArrayList<>())) {
            if (l instanceof Conv2d c) {
                int k = c.weight().value().shape().dim(3);
                int stride = c.spec().stride(), pad = c.spec().padding();
                start -= pad * jump;
                size += (k - 1) * jump;
                jump *= stride;
                n = (n + 2 * pad - k) / stride + 1;
                out.add(new ReceptiveField(size, jump, start, n));
            }
        }
        return out;
    }

    private static List<Layer> flatten(Sequential net, List<Layer> into) {
        for (Layer l : net.layers()) {
            if (l instanceof Sequential s) flatten(s, into);
            else into.add(l);
        }
        return into;
    }

    /**
     * A {@code pixels x pixels} map from a {@code positions x positions} one (row-major): each pixel the mean
     * of the values whose receptive field holds it (0 where none does).
     */
    public float[] toPixels(float[] values, int pixels) {
        if (values.length != positions * positions) {
            throw new IllegalArgumentException("receptive field: " + values.length + " values for " + positions + "x" + positions + " positions");
        }
        double[] sum = new double[pixels * pixels];
        int[] count = new int[pixels * pixels];
        for (int jy = 0; jy < positions; jy++) {
            int y0 = Math.max(0, start + jy * jump), y1 = Math.min(pixels, start + jy * jump + size);
            for (int jx = 0; jx < positions; jx++) {
                int x0 = Math.max(0, start + jx * jump), x1 = Math.min(pixels, start + jx * jump + size);
                float v = values[jy * positions + jx];
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        sum[y * pixels + x] += v;
                        count[y * pixels + x]++;
                    }
                }
            }
        }
        float[] out = new float[pixels * pixels];
        for (int i = 0; i < out.length; i++) out[i] = count[i] == 0 ? 0f : (float) (sum[i] / count[i]);
        return out;
    }
}
