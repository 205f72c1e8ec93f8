package org.anoscan.scan;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.search.FeatureTerms;
import org.anoscan.tensor.Shape;

/**
 * A vector per position of a grid, gathered from some of f's stages: each stage's channels at the position of its
 * own grid that covers the view's position (coarser stages repeat: nearest neighbour). Stage indices count f's input
 * as 0, its earlier stages from 1, and f's last stage (the features of the score) last. A {@link FeatureGaussian}
 * models the vectors of normal patches.
 *
 * @param name   its name in the model file
 * @param stages the stages it gathers, finest first (the grid is the first one's)
 * @param shapes every stage's per-patch shape (1 x C x h x w), f's input first, the last stage last
 */
public record FeatureView(String name, List<Integer> stages, List<Shape> shapes) {
    /** The view of f's first stage alone. */
    public static final String STAGE1 = "stage1";
    /** The view of every stage of f but its input, on the first stage's grid. */
    public static final String STACKED = "stacked";

    public FeatureView {
        stages = List.copyOf(stages);
        shapes = List.copyOf(shapes);
        if (stages.isEmpty()) throw new IllegalArgumentException("a feature view needs a stage");
        Shape grid = shapes.get(stages.get(0));
        for (int s : stages) {
            Shape sh = shapes.get(s);
            if (grid.h() % sh.h() != 0 || grid.w() % sh.w() != 0) {
                throw new IllegalArgumentException("stage " + s + " (" + sh + ") does not tile the grid " + grid);
            }
        }
    }

    /**
     * The views a calibration models: f's first stage alone ({@code stage1}, for the window maps) and, with two stages
     * or more, every stage but f's input on the first stage's grid ({@code stacked}, as PaDiM). With no earlier stage,
     * f's last stage alone ({@code features}).
     *
     * @param shapes every stage's per-patch shape, f's input first, the last stage last
     */
    public static List<FeatureView> all(List<Shape> shapes) {
        int last = shapes.size() - 1;
        if (last < 2) return List.of(new FeatureView(last == 1 ? STAGE1 : "features", List.of(last), shapes));
        List<Integer> s = new ArrayList<>();
        for (int k = 1; k <= last; k++) s.add(k);
        return List.of(new FeatureView(STAGE1, List.of(1), shapes), new FeatureView(STACKED, s, shapes));
    }

    /** Every stage's per-patch shape of these terms: f's input and earlier stages, then the last. */
    public static List<Shape> shapes(FeatureTerms t) {
        List<Shape> out = new ArrayList<>();
        for (FeatureTerms.StageFeatures s : t.earlier()) out.add(s.perPatch());
        out.add(t.perPatch());
        return out;
    }

    /** Every stage's per-patch shape of a model's feature stack: f's input and earlier stages, then the last. */
    public static List<Shape> shapes(org.anoscan.nn.Dcgan model) {
        List<Shape> out = new ArrayList<>(FeatureTerms.earlierShapes(model));
        out.add(model.features().outputShape(model.imageShape(1)));
        return out;
    }

    /** The stage whose grid this view's positions are. */
    public int gridStage() { return stages.get(0); }

    public int height() { return shapes.get(gridStage()).h(); }

    public int width() { return shapes.get(gridStage()).w(); }

    public int positions() { return height() * width(); }

    /** Entries of the vector at a position: the channels of its stages. */
    public int dims() {
        int d = 0;
        for (int s : stages) d += shapes.get(s).c();
        return d;
    }

    /** Writes the vector at grid position {@code position} of patch {@code index} of {@code t} into {@code out}. */
    public void gather(FeatureTerms t, int index, int position, double[] out) {
        int y = position / width(), x = position % width(), d = 0;
        for (int s : stages) {
            Shape sh = shapes.get(s);
            float[] v = s < t.earlier().size() ? t.earlier().get(s).values() : t.features();
            int plane = sh.h() * sh.w(), off = index * sh.size() + (y * sh.h() / height()) * sh.w() + x * sh.w() / width();
            for (int c = 0; c < sh.c(); c++) out[d++] = v[off + c * plane];
        }
    }
}
