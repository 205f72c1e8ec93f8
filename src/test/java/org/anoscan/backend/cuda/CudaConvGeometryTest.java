package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.cuda.ConvGeometry.Primitive;
import org.anoscan.tensor.Shape;
import org.junit.jupiter.api.Test;

/** How the six convolution ops map onto cuDNN's three primitives and roles (no GPU needed). */
class CudaConvGeometryTest {
    private static final ConvSpec S2P1 = ConvSpec.of(2, 1);

    @Test
    void conv2dAndItsGradientsShareOneForwardGeometry() {
        Shape x = Shape.of(8, 64, 32, 32), w = Shape.of(128, 64, 4, 4), y = Shape.of(8, 128, 16, 16);
        ConvGeometry fwd = ConvGeometry.conv2d(x, w, S2P1);
        assertEquals(new ConvGeometry(Primitive.FORWARD, x, w, y, 2, 1), fwd);
        assertEquals(y, fwd.output());
        ConvGeometry bd = ConvGeometry.conv2dBackwardData(y, w, x, S2P1);
        assertEquals(new ConvGeometry(Primitive.BACKWARD_DATA, x, w, y, 2, 1), bd);
        assertEquals(x, bd.output());
        ConvGeometry bf = ConvGeometry.conv2dBackwardFilter(y, x, w, S2P1);
        assertEquals(new ConvGeometry(Primitive.BACKWARD_FILTER, x, w, y, 2, 1), bf);
        assertEquals(w, bf.output());
    }

    @Test
    void convTransposeIsTheAdjointWithTheWeightAsCudnnFilterUnchanged() {
        // G's 512 -> 256 layer: x [N,512,4,4], w [Cin=512, Cout=256, 4, 4] -> y [N,256,8,8]
        Shape x = Shape.of(8, 512, 4, 4), w = Shape.of(512, 256, 4, 4), y = Shape.of(8, 256, 8, 8);
        ConvGeometry fwd = ConvGeometry.convTranspose2d(x, w, S2P1);
        // cuDNN sees a conv from y (its x) with filter [K=512, C=256] to x (its y); the op runs its backward-data
        assertEquals(new ConvGeometry(Primitive.BACKWARD_DATA, y, w, x, 2, 1), fwd);
        assertEquals(y, fwd.output());
        ConvGeometry bd = ConvGeometry.convTranspose2dBackwardData(y, w, x, S2P1);
        assertEquals(new ConvGeometry(Primitive.FORWARD, y, w, x, 2, 1), bd);
        assertEquals(x, bd.output());
        ConvGeometry bf = ConvGeometry.convTranspose2dBackwardFilter(y, x, w, S2P1);
        assertEquals(new ConvGeometry(Primitive.BACKWARD_FILTER, y, w, x, 2, 1), bf);
        assertEquals(w, bf.output());
        // the forward geometry of cuDNN's view is consistent: conv of y gives x back
        assertEquals(x, S2P1.convOutput("check", y, w));
    }

    @Test
    void convTransposeAdjointHoldsForOddSizesAndTheFirstGeneratorLayer() {
        Shape z = Shape.of(3, 100, 1, 1), w = Shape.of(100, 512, 4, 4);
        ConvGeometry g1 = ConvGeometry.convTranspose2d(z, w, ConvSpec.of(1, 0));
        assertEquals(Shape.of(3, 512, 4, 4), g1.x());
        for (int h = 1; h <= 9; h++) {
            for (int k = 1; k <= 5; k++) {
                for (int s = 1; s <= 3; s++) {
                    for (int p = 0; p < k; p++) {
                        Shape x = Shape.of(2, 3, h, h), wt = Shape.of(3, 5, k, k);
                        ConvSpec spec = ConvSpec.of(s, p);
                        int out = (h - 1) * s - 2 * p + k;
                        if (out <= 0) continue;
                        ConvGeometry g = ConvGeometry.convTranspose2d(x, wt, spec);
                        assertEquals(x, spec.convOutput("check", g.x(), wt), "h " + h + " k " + k + " s " + s + " p " + p);
                    }
                }
            }
        }
    }

    @Test
    void flopsAreTheDesignsFigureForOneSearchStep() {
        double total = 0;
        int[][] g = {{100, 512, 1, 1, 0}, {512, 256, 4, 2, 1}, {256, 128, 8, 2, 1}, {128, 64, 16, 2, 1}, {64, 1, 32, 2, 1}};
        for (int[] l : g) {
            total += 2 * ConvGeometry.convTranspose2d(Shape.of(1, l[0], l[2], l[2]), Shape.of(l[0], l[1], 4, 4), ConvSpec.of(l[3], l[4])).flops();
        }
        int[][] f = {{1, 64, 64}, {64, 128, 32}, {128, 256, 16}, {256, 512, 8}};
        for (int[] l : f) total += 2 * ConvGeometry.conv2d(Shape.of(1, l[0], l[2], l[2]), Shape.of(l[1], l[0], 4, 4), S2P1).flops();
        assertEquals(817, total / 1e6, 1.0, "DESIGN.md: about 817 MFLOP per patch and search step");
    }

    @Test
    void wrongGradientShapesAreNamedWithTheOp() {
        Shape x = Shape.of(8, 64, 32, 32), w = Shape.of(128, 64, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvGeometry.conv2dBackwardData(Shape.of(8, 128, 15, 15), w, x, S2P1));
        assertTrue(e.getMessage().startsWith("conv2dBackwardData: dy must be [8, 128, 16, 16]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvGeometry.convTranspose2dBackwardFilter(Shape.of(8, 64, 9, 9), Shape.of(8, 128, 4, 4), Shape.of(128, 64, 4, 4), S2P1));
        assertTrue(e.getMessage().startsWith("convTranspose2dBackwardFilter: dy must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvGeometry.conv2d(x, Shape.of(128, 32, 4, 4), S2P1));
        assertTrue(e.getMessage().contains("conv2d"), e.getMessage());
    }
}
