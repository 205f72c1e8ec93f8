package org.anoscan.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.bench.Flops;
import org.anoscan.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * The compound-scaled DCGAN family: each member's depth, widths and resolution follow α^φ, β^φ, γ^φ; the built
 * networks have the planned shapes; and their FLOP counts equal a count made here by hand, layer by layer.
 */
class CompoundScalingTest {
    private static final DcganSpec BASE = new DcganSpec(32, 1, 32, 16, 16);
    private static final CompoundScaling C = new CompoundScaling(0, 1.2, 1.1, 1.15);

    @Test
    void depthWidthAndResolutionFollowPhi() {
        // φ: extra blocks round(3 stages · (1.2^φ - 1)), widths round(16·1.1^φ / 8)·8, resolution 1.15^φ
        int[][] expected = {{0, 16}, {1, 16}, {1, 16}, {2, 24}, {3, 24}};
        for (int phi = 0; phi <= 4; phi++) {
            DcganSpec s = C.withPhi(phi).apply(BASE);
            assertEquals(expected[phi][0], s.blocks(), "blocks at φ " + phi);
            assertEquals(expected[phi][1], s.ngf(), "ngf at φ " + phi);
            assertEquals(expected[phi][1], s.ndf(), "ndf at φ " + phi);
            assertEquals(Math.pow(1.15, phi), s.scaling().resolution(), 1e-12);
            assertEquals(BASE.nz(), s.nz());
            assertEquals(BASE.imageSize(), s.imageSize(), "a patch keeps its pixels");
        }
        assertEquals(BASE, C.withPhi(0).apply(BASE).withoutScalingRecord(), "φ 0 is the base model");
        assertEquals(1.2 * 1.1 * 1.1 * 1.15 * 1.15, C.flopsPerStep(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new CompoundScaling(1, 0.9, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new CompoundScaling(-1, 1.2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new DcganSpec(32, 1, 8, 8, 8, DcganSpec.MAX_BLOCKS + 1, CompoundScaling.NONE));
    }

    @Test
    void membersBuildWithThePlannedShapesAndFlops() {
        try (CpuBackend cpu = new CpuBackend()) {
            for (DcganSpec base : new DcganSpec[] {BASE, new DcganSpec(64, 3, 16, 8, 8)}) {
                for (int phi = 0; phi <= 3; phi++) {
                    DcganSpec s = C.withPhi(phi).apply(base);
                    try (Dcgan m = new Dcgan(cpu, s, 1L)) {
                        assertEquals(Shape.of(2, s.channels(), s.imageSize(), s.imageSize()), m.generator().outputShape(m.latentShape(2)), s.describe());
                        assertEquals(Shape.of(2, s.featureChannels(), 4, 4), m.features().outputShape(m.imageShape(2)), s.describe());
                        assertEquals(Shape.of(2, 1, 1, 1), m.discriminator().outputShape(m.imageShape(2)));
                        // per stage: conv + BN + act, plus 3 layers per extra block; G ends with conv + tanh
                        assertEquals(s.stages() * 3 + 3 * s.blocks() + 2, m.generator().layers().size(), s.describe());
                        Map<String, int[]> shapes = Dcgan.stateShapes(s);
                        assertEquals(shapes.size(), m.state().size());
                        for (Parameter p : m.state()) assertArrayEquals(shapes.get(p.name()), p.value().shape().dims(), p.name());
                        assertEquals(handCountedSearchFlops(s), Flops.searchIteration(m), 1e-6 * handCountedSearchFlops(s), s.describe());
                    }
                }
            }
        }
    }

    @Test
    void eachStepOfPhiAboutDoublesTheWorkPerImage() {
        try (CpuBackend cpu = new CpuBackend(); Dcgan m0 = new Dcgan(cpu, DcganSpec.dcgan64(), 1L)) {
            double base = Flops.searchIteration(m0);
            for (int phi = 1; phi <= 3; phi++) {
                DcganSpec s = C.withPhi(phi).apply(DcganSpec.dcgan64());
                try (Dcgan m = new Dcgan(cpu, s, 1L)) {
                    // per image: per patch FLOPs times the patch count, which grows with resolution²
                    double perImage = Flops.searchIteration(m) * Math.pow(s.scaling().resolution(), 2);
                    double ratio = perImage / base;
                    // rounding (whole blocks, widths to multiples of 8) moves it off 1.92^φ, within a factor 1.5 each way
                    double target = Math.pow(C.flopsPerStep(), phi);
                    assertTrue(ratio > target / 1.5 && ratio < target * 1.5, "φ " + phi + ": work per image x" + ratio + ", target x" + target);
                }
            }
        }
    }

    /** 2 FLOPs per multiply-add, twice (forward and backward-data) for G and for f: one search iteration. */
    private static double handCountedSearchFlops(DcganSpec s) {
        double g = 0, f = 0;
        int stages = s.stages();
        // G: z -> 4x4 at ngf·2^(stages-1), doubling the side and halving the width per stage, then to channels
        int w = s.ngf() << (stages - 1), side = 4;
        g += convTransposed(s.nz(), w, 4, 1);
        g += blocks(s, 0) * conv(w, w, 3, side);
        for (int i = 1; i < stages; i++) {
            g += convTransposed(w, w / 2, 4, side);
            side *= 2;
            w /= 2;
            g += blocks(s, i) * conv(w, w, 3, side);
        }
        g += convTransposed(w, s.channels(), 4, side);
        // f: image -> side/2 at ndf, halving the side and doubling the width per stage, ending at 4x4 (no head)
        w = s.ndf();
        side = s.imageSize() / 2;
        f += conv(s.channels(), w, 4, side);
        f += blocks(s, stages - 1) * conv(w, w, 3, side);
        for (int i = 1; i < stages; i++) {
            side /= 2;
            f += conv(w, w * 2, 4, side);
            w *= 2;
            f += blocks(s, stages - 1 - i) * conv(w, w, 3, side);
        }
        return 2 * 2 * (g + f);
    }

    /** Extra blocks of the stage {@code fromLow} stages from the 4x4 one: dealt out round-robin from it. */
    private static int blocks(DcganSpec s, int fromLow) {
        int n = 0;
        for (int b = 0; b < s.blocks(); b++) if (b % s.stages() == fromLow) n++;
        return n;
    }

    /** Multiply-adds of a convolution from cin to cout channels, k x k kernel, producing a side x side map. */
    private static double conv(int cin, int cout, int k, int side) {
        return (double) cin * cout * k * k * side * side;
    }

    /** Multiply-adds of a transposed convolution: every input pixel (inSide x inSide) meets every kernel tap. */
    private static double convTransposed(int cin, int cout, int k, int inSide) {
        return (double) cin * cout * k * k * inSide * inSide;
    }
}
