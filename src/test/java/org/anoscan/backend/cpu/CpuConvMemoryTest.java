package org.anoscan.backend.cpu;

import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * After a workload of every convolution op and its closes, the backend accounts no live tensor and no
 * byte, and once it is closed JavaCPP's native byte count is back where it started: the reusable
 * scratch belongs to the backend and goes with it.
 */
class CpuConvMemoryTest {

    @Test
    void convolutionsLeaveNoNativeMemoryBehind() {
        // One-time library set-up first: the OpenBLAS preset's blas_set_num_threads leaves an 8-byte
        // function pointer to the garbage collector, once per JVM; that is not the workload's memory.
        new CpuBackend(1).close();
        long before = Pointer.totalBytes();
        Random rnd = new Random(53);
        CpuBackend cpu = new CpuBackend(2);
        ConvCase[] cases = {
            new ConvCase(false, 5, 6, 7, 16, 16, 4, 4, 2, 1),
            new ConvCase(true, 5, 6, 7, 8, 8, 4, 4, 2, 1),
            new ConvCase(false, 1, 3, 2, 5, 5, 1, 1, 1, 0),
            new ConvCase(true, 4, 8, 5, 1, 1, 4, 4, 1, 0), // dense
            new ConvCase(true, 3, 8, 8, 32, 32, 3, 3, 2, 1), // big enough for several tiles
        };
        for (int round = 0; round < 10; round++) {
            for (ConvCase c : cases) {
                try (Tensor x = cpu.fromHost(randomFloats(c.xShape().size(), rnd, 1), c.xShape());
                     Tensor w = cpu.fromHost(randomFloats(c.wShape().size(), rnd, 1), c.wShape());
                     Tensor b = cpu.fromHost(randomFloats(c.cout(), rnd, 1), Shape.of(c.cout()));
                     Tensor y = c.forward(cpu, x, w, b);
                     Tensor dx = c.backwardData(cpu, y, w);
                     Tensor dw = c.backwardFilter(cpu, y, x)) {
                    assertEquals(6, cpu.liveTensors());
                }
            }
        }
        assertEquals(0, cpu.liveTensors(), "live tensors after the workload");
        assertEquals(0, cpu.liveBytes(), "live tensor bytes after the workload");
        assertTrue(Pointer.totalBytes() > before, "the backend keeps its conv scratch until it is closed");
        cpu.close();
        cpu.close(); // a second close is harmless
        assertTrue(Pointer.totalBytes() <= before,
                "native bytes grew from " + before + " to " + Pointer.totalBytes() + " after the backend was closed");
    }
}
