package org.anoscan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments: every rejection names the op and the shapes involved. */
class CpuOpsArgsTest {
    private static final Shape X = Shape.of(2, 3, 2, 2), C = Shape.of(3), Z = Shape.of(2, 4), ROWS = Shape.of(2);
    private static final AdamConfig ADAM = AdamConfig.dcgan();

    private CpuBackend cpu;
    private CpuBackend other;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend(2);
        other = new CpuBackend(1);
    }

    @AfterEach
    void tearDown() {
        cpu.close();
        other.close();
    }

    private Tensor t(Shape s) {
        Tensor t = cpu.zeros(s);
        cpu.fill(t, 0.5f);
        return t;
    }

    private static void assertNames(Throwable e, String op, Shape... shapes) {
        String msg = e.getMessage();
        assertTrue(msg.contains(op), "message does not name " + op + ": " + msg);
        for (Shape s : shapes) assertTrue(msg.contains(s.toString()), "message does not name shape " + s + ": " + msg);
    }

    private static void rejects(Executable call, String op, Shape... shapes) {
        assertNames(assertThrows(IllegalArgumentException.class, call), op, shapes);
    }

    @Test
    void shapeMismatches() {
        Shape x2 = Shape.of(2, 3, 2, 3), c4 = Shape.of(4), z2 = Shape.of(2, 5), rows3 = Shape.of(3);
        try (Tensor x = t(X); Tensor xb = t(x2); Tensor c = t(C); Tensor cBad = t(c4);
             Tensor z = t(Z); Tensor zb = t(z2); Tensor rows = t(ROWS); Tensor rowsBad = t(rows3)) {
            rejects(() -> cpu.biasBackward(z), "biasBackward", Z);
            rejects(() -> cpu.batchNormTrain(z, c, c, c, c, 0.1f, 1e-5f), "batchNormTrain", Z);
            rejects(() -> cpu.batchNormTrain(x, cBad, c, c, c, 0.1f, 1e-5f), "batchNormTrain", c4);
            rejects(() -> cpu.batchNormTrain(x, c, c, c, cBad, 0.1f, 1e-5f), "batchNormTrain", c4);
            rejects(() -> cpu.batchNormEval(x, c, c, cBad, c, 1e-5f), "batchNormEval", c4);
            rejects(() -> cpu.batchNormBackward(xb, x, c, c, c, true), "batchNormBackward", X, x2);
            rejects(() -> cpu.batchNormBackward(x, x, c, cBad, c, true), "batchNormBackward", c4);
            rejects(() -> cpu.batchNormEvalBackward(x, c, cBad, 1e-5f), "batchNormEvalBackward", c4);
            rejects(() -> cpu.activationBackward(Activation.RELU, x, null, xb), "activationBackward", X, x2);
            rejects(() -> cpu.activationBackward(Activation.SIGMOID, null, x, xb), "activationBackward", X, x2);
            rejects(() -> cpu.activationBackward(Activation.TANH, x, null, x), "activationBackward"); // y is read: not null
            rejects(() -> cpu.add(x, xb), "add", X, x2);
            rejects(() -> cpu.axpy(1f, x, xb), "axpy", X, x2);
            rejects(() -> cpu.absDiff(x, xb), "absDiff", X, x2);
            rejects(() -> cpu.l1PerSample(x, xb), "l1PerSample", X, x2);
            rejects(() -> cpu.l1LossWithGrad(x, xb, 1f), "l1LossWithGrad", X, x2);
            rejects(() -> cpu.adamStep(z, z, zb, z, 1, ADAM), "adamStep", Z, z2);
            rejects(() -> cpu.adamStep(z, z, z, z, 0, ADAM), "adamStep", Z);
            rejects(() -> cpu.adamPerSampleStep(z, zb, z, z, rows, null, ADAM), "adamPerSampleStep", Z, z2);
            rejects(() -> cpu.adamPerSampleStep(z, z, z, z, rowsBad, null, ADAM), "adamPerSampleStep", Z, rows3);
            rejects(() -> cpu.adamPerSampleStep(z, z, z, z, rows, rowsBad, ADAM), "adamPerSampleStep", Z, rows3);
            rejects(() -> cpu.keepBest(rowsBad, rowsBad, z, z), "keepBest", Z, rows3);
            rejects(() -> cpu.keepBest(rows, rowsBad, z, z), "keepBest", ROWS, rows3);
            rejects(() -> cpu.keepBest(rows, rows, z, zb), "keepBest", Z, z2);
        }
    }

    @Test
    void trainingBatchNormNeedsTwoValuesPerChannel() {
        Shape one = Shape.of(1, 3, 1, 1);
        try (Tensor x = t(one); Tensor c = t(C)) {
            rejects(() -> cpu.batchNormTrain(x, c, c, c, c, 0.1f, 1e-5f), "batchNormTrain", one);
        }
    }

    /** One op call with the tensor under test in one argument slot, valid tensors elsewhere. */
    private record Slot(String op, Shape shape, Consumer<Tensor> call) {}

    private List<Slot> slots(Tensor x, Tensor c, Tensor z, Tensor rows) {
        return List.of(
                new Slot("biasBackward", X, a -> cpu.biasBackward(a)),
                new Slot("batchNormTrain", X, a -> cpu.batchNormTrain(a, c, c, c, c, 0.1f, 1e-5f)),
                new Slot("batchNormTrain", C, a -> cpu.batchNormTrain(x, c, c, c, a, 0.1f, 1e-5f)),
                new Slot("batchNormEval", X, a -> cpu.batchNormEval(a, c, c, c, c, 1e-5f)),
                new Slot("batchNormEval", C, a -> cpu.batchNormEval(x, a, c, c, c, 1e-5f)),
                new Slot("batchNormBackward", X, a -> cpu.batchNormBackward(a, x, c, c, c, true)),
                new Slot("batchNormBackward", C, a -> cpu.batchNormBackward(x, x, c, c, a, false)),
                new Slot("batchNormEvalBackward", X, a -> cpu.batchNormEvalBackward(a, c, c, 1e-5f)),
                new Slot("activation", X, a -> cpu.activation(Activation.LEAKY_RELU, a)),
                new Slot("activationBackward", X, a -> cpu.activationBackward(Activation.RELU, a, null, x)),
                new Slot("activationBackward", X, a -> cpu.activationBackward(Activation.TANH, null, x, a)),
                new Slot("add", X, a -> cpu.add(x, a)),
                new Slot("axpy", X, a -> cpu.axpy(2f, x, a)),
                new Slot("absDiff", X, a -> cpu.absDiff(a, x)),
                new Slot("l1PerSample", X, a -> cpu.l1PerSample(x, a)),
                new Slot("l1LossWithGrad", X, a -> cpu.l1LossWithGrad(a, x, 1f)),
                new Slot("bceWithLogits", X, a -> cpu.bceWithLogits(a, 1f)),
                new Slot("adamStep", Z, a -> cpu.adamStep(z, a, z, z, 1, ADAM)),
                new Slot("adamPerSampleStep", Z, a -> cpu.adamPerSampleStep(z, z, z, a, rows, null, ADAM)),
                new Slot("adamPerSampleStep", ROWS, a -> cpu.adamPerSampleStep(z, z, z, z, rows, a, ADAM)),
                new Slot("keepBest", ROWS, a -> cpu.keepBest(a, rows, z, z)),
                new Slot("keepBest", Z, a -> cpu.keepBest(rows, rows, z, a)));
    }

    @Test
    void closedTensorsAreRejected() {
        try (Tensor x = t(X); Tensor c = t(C); Tensor z = t(Z); Tensor rows = t(ROWS)) {
            for (Slot s : slots(x, c, z, rows)) {
                Tensor closed = t(s.shape());
                closed.close();
                Throwable e = assertThrows(IllegalStateException.class, () -> s.call().accept(closed), s.op() + " with a closed tensor");
                assertNames(e, s.op(), s.shape());
            }
        }
        assertEquals(0, cpu.liveTensors(), "tensors left by rejected calls");
    }

    @Test
    void tensorsOfAnotherBackendAreRejected() {
        try (Tensor x = t(X); Tensor c = t(C); Tensor z = t(Z); Tensor rows = t(ROWS)) {
            for (Slot s : slots(x, c, z, rows)) {
                try (Tensor foreign = other.zeros(s.shape())) {
                    Throwable e = assertThrows(IllegalArgumentException.class, () -> s.call().accept(foreign),
                            s.op() + " with a foreign tensor");
                    assertNames(e, s.op(), s.shape());
                }
            }
        }
        assertEquals(0, cpu.liveTensors(), "tensors left by rejected calls");
    }
}
