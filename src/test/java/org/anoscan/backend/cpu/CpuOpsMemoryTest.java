package org.anoscan.backend.cpu;

import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** Every op's results, once closed, give back all tensor storage: the backend's count and JavaCPP's. */
class CpuOpsMemoryTest {

    @Test
    void closedResultsLeaveNoLiveStorage() throws InterruptedException {
        long start = settledTotalBytes();
        CpuBackend cpu = new CpuBackend(2);
        long during;
        try {
            during = workload(cpu);
            assertEquals(0, cpu.liveTensors(), "tensors left open");
            assertEquals(0, cpu.liveBytes(), "bytes left allocated");
        } finally {
            cpu.close();
        }
        assertTrue(during > start, "the workload allocated no native memory (" + during + " vs " + start + ")");
        assertEquals(start, Pointer.totalBytes(), "JavaCPP native bytes after closing everything");
    }

    /**
     * JavaCPP's byte count once native memory that only the GC still holds (garbage of earlier tests in
     * this JVM) has been freed, so that no late deallocation moves the baseline during the test.
     */
    private static long settledTotalBytes() throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(10); // the GC enqueues the references of dead pointers asynchronously
            Pointer.deallocateReferences();
            long now = Pointer.totalBytes();
            if (now == last) return now;
            last = now;
        }
        return last;
    }

    /** Runs every op once, closes every result, and returns JavaCPP's byte count while they were open. */
    private static long workload(CpuBackend cpu) {
        Random rnd = new Random(3);
        Shape s = Shape.of(4, 3, 5, 5), c = Shape.of(3), z = Shape.of(4, 8), rows = Shape.of(4);
        long during;
        try (Tensor x = cpu.fromHost(randomFloats(s.size(), rnd, 1.0), s);
             Tensor x2 = cpu.fromHost(randomFloats(s.size(), rnd, 1.0), s);
             Tensor g = cpu.fromHost(randomFloats(3, rnd, 1.0), c);
             Tensor b = cpu.zeros(c); Tensor rm = cpu.zeros(c); Tensor rv = cpu.zeros(c);
             BatchNormState st = cpu.batchNormTrain(x, g, b, rm, rv, 0.1f, 1e-5f);
             BatchNormGrads grads = cpu.batchNormBackward(x2, x, g, st.saveMean(), st.saveInvStd(), true);
             BatchNormGrads dxOnly = cpu.batchNormBackward(x2, x, g, st.saveMean(), st.saveInvStd(), false);
             Tensor ev = cpu.batchNormEval(x, g, b, rm, rv, 1e-5f); Tensor evb = cpu.batchNormEvalBackward(x2, g, rv, 1e-5f);
             Tensor bias = cpu.biasBackward(x2); Tensor act = cpu.activation(Activation.SIGMOID, x);
             Tensor actb = cpu.activationBackward(Activation.SIGMOID, null, act, x2); Tensor sum = cpu.add(x, x2);
             Tensor diff = cpu.absDiff(x, x2); Tensor l1 = cpu.l1PerSample(x, x2); LossAndGrad lg = cpu.l1LossWithGrad(x, x2, 0.9f);
             LossAndGrad bce = cpu.bceWithLogits(x, 1f); Tensor view = sum.view(Shape.of(4, 75));
             Tensor zt = cpu.fromHost(randomFloats(z.size(), rnd, 1.0), z); Tensor gz = cpu.fromHost(randomFloats(z.size(), rnd, 1.0), z);
             Tensor m = cpu.zeros(z); Tensor v = cpu.zeros(z); Tensor steps = cpu.zeros(rows); Tensor bestLoss = cpu.zeros(rows);
             Tensor bestZ = cpu.zeros(z)) {
            cpu.axpy(0.5f, x, x2);
            cpu.adamStep(zt, gz, m, v, 1, AdamConfig.dcgan());
            cpu.adamPerSampleStep(zt, gz, m, v, steps, null, AdamConfig.dcgan());
            cpu.fill(bestLoss, Float.POSITIVE_INFINITY);
            cpu.keepBest(l1, bestLoss, zt, bestZ);
            // A rejected call allocates nothing.
            assertThrows(IllegalArgumentException.class, () -> cpu.add(x, view));
            during = Pointer.totalBytes();
        }
        return during;
    }
}
