package org.anoscan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments throw, with a message naming the op and the shapes, and leak nothing. */
class CpuConvArgumentTest {
    private static final ConvSpec S2P1 = ConvSpec.of(2, 1);
    private final CpuBackend cpu = new CpuBackend(2);

    @AfterEach
    void closeBackend() {
        assertEquals(0, cpu.liveTensors(), "a failed op must not leave tensors behind");
        cpu.close();
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable e = assertThrows(type, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
        }
    }

    @Test
    void channelMismatchNamesOpAndShapes() {
        try (Tensor x = cpu.zeros(Shape.of(2, 3, 8, 8)); Tensor w = cpu.zeros(Shape.of(4, 5, 4, 4))) {
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2d(x, w, null, S2P1), "conv2d", "[2, 3, 8, 8]", "[4, 5, 4, 4]");
            assertMessage(IllegalArgumentException.class, () -> cpu.convTranspose2d(x, w, null, S2P1), "convTranspose2d", "[2, 3, 8, 8]", "[4, 5, 4, 4]");
        }
    }

    @Test
    void wrongBiasSizeIsRejected() {
        try (Tensor x = cpu.zeros(Shape.of(2, 3, 8, 8)); Tensor w = cpu.zeros(Shape.of(4, 3, 4, 4)); Tensor b = cpu.zeros(Shape.of(3))) {
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2d(x, w, b, S2P1), "conv2d", "bias", "4", "[3]");
            // conv-transpose2d: w [Cin=4, Cout=3], so a bias of 3 fits and one of 4 does not
            try (Tensor xt = cpu.zeros(Shape.of(2, 4, 4, 4)); Tensor b4 = cpu.zeros(Shape.of(4)); Tensor y = cpu.convTranspose2d(xt, w, b, S2P1)) {
                assertEquals(Shape.of(2, 3, 8, 8), y.shape());
                assertMessage(IllegalArgumentException.class, () -> cpu.convTranspose2d(xt, w, b4, S2P1), "convTranspose2d", "bias", "[4]");
            }
        }
    }

    @Test
    void wrongGradientShapesNameOpExpectedAndActual() {
        Shape xs = Shape.of(2, 3, 8, 8), ws = Shape.of(4, 3, 4, 4);
        try (Tensor x = cpu.zeros(xs); Tensor w = cpu.zeros(ws); Tensor bad = cpu.zeros(Shape.of(2, 4, 5, 5))) {
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2dBackwardData(bad, w, xs, S2P1),
                    "conv2dBackwardData", "dy", "[2, 4, 4, 4]", "[2, 4, 5, 5]");
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2dBackwardFilter(bad, x, ws, S2P1),
                    "conv2dBackwardFilter", "dy", "[2, 4, 4, 4]", "[2, 4, 5, 5]");
            Shape wts = Shape.of(3, 4, 4, 4); // conv-transpose2d 3 -> 4 channels, 8x8 -> 16x16
            try (Tensor wt = cpu.zeros(wts)) {
                assertMessage(IllegalArgumentException.class, () -> cpu.convTranspose2dBackwardData(bad, wt, xs, S2P1),
                        "convTranspose2dBackwardData", "dy", "[2, 4, 16, 16]", "[2, 4, 5, 5]");
                assertMessage(IllegalArgumentException.class, () -> cpu.convTranspose2dBackwardFilter(bad, x, wts, S2P1),
                        "convTranspose2dBackwardFilter", "dy", "[2, 4, 16, 16]", "[2, 4, 5, 5]");
            }
        }
    }

    @Test
    void badGeometryIsRejected() {
        try (Tensor x = cpu.zeros(Shape.of(1, 2, 3, 3)); Tensor w = cpu.zeros(Shape.of(2, 2, 6, 6)); Tensor x3 = cpu.zeros(Shape.of(2, 3, 3))) {
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2d(x, w, null, ConvSpec.of(1, 1)), "conv2d", "larger than padded input");
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2d(x3, w, null, ConvSpec.of(1, 0)), "conv2d", "rank 4", "[2, 3, 3]");
            assertMessage(IllegalArgumentException.class, () -> cpu.convTranspose2d(x, w, null, ConvSpec.of(1, 4)), "convTranspose2d", "empty output");
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2d(x, w, null, null), "conv2d", "spec");
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2dBackwardData(x, w, null, ConvSpec.of(1, 0)), "conv2dBackwardData", "xShape");
        }
    }

    @Test
    void negativeSizesAreRejectedWhereTheyAreMade() {
        assertMessage(IllegalArgumentException.class, () -> ConvSpec.of(0, 1), "stride", "0");
        assertMessage(IllegalArgumentException.class, () -> ConvSpec.of(1, -1), "padding", "-1");
        assertMessage(IllegalArgumentException.class, () -> Shape.of(1, -3, 4, 4), "[1, -3, 4, 4]");
    }

    @Test
    void closedTensorIsRejected() {
        Tensor x = cpu.zeros(Shape.of(1, 2, 4, 4));
        x.close();
        try (Tensor w = cpu.zeros(Shape.of(2, 2, 3, 3)); Tensor dy = cpu.zeros(Shape.of(1, 2, 2, 2))) {
            assertMessage(IllegalStateException.class, () -> cpu.conv2d(x, w, null, ConvSpec.of(1, 0)), "conv2d", "x", "[1, 2, 4, 4]", "closed");
            assertMessage(IllegalStateException.class, () -> cpu.conv2dBackwardFilter(dy, x, w.shape(), ConvSpec.of(1, 0)),
                    "conv2dBackwardFilter", "x", "closed");
            assertMessage(IllegalStateException.class, () -> cpu.convTranspose2d(dy, w, x, ConvSpec.of(1, 0)), "convTranspose2d", "bias", "closed");
        }
    }

    @Test
    void tensorOfAnotherBackendIsRejected() {
        try (CpuBackend other = new CpuBackend(1); Tensor foreign = other.zeros(Shape.of(2, 2, 3, 3));
             Tensor x = cpu.zeros(Shape.of(1, 2, 4, 4))) {
            assertMessage(IllegalArgumentException.class, () -> cpu.conv2d(x, foreign, null, ConvSpec.of(1, 0)),
                    "conv2d", "w", "[2, 2, 3, 3]", "belongs to backend");
            assertMessage(IllegalArgumentException.class, () -> cpu.convTranspose2dBackwardFilter(foreign, x, Shape.of(2, 2, 3, 3), ConvSpec.of(1, 0)),
                    "convTranspose2dBackwardFilter", "dy", "belongs to backend");
        }
    }

    @Test
    void closedBackendRefusesWork() {
        CpuBackend closing = new CpuBackend(1);
        Tensor x = closing.zeros(Shape.of(1, 1, 3, 3));
        Tensor w = closing.zeros(Shape.of(1, 1, 3, 3));
        closing.close();
        closing.close(); // harmless
        assertMessage(IllegalStateException.class, () -> closing.conv2d(x, w, null, ConvSpec.of(1, 0)), "closed");
        x.close();
        w.close();
    }
}
