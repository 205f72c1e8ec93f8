package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.Activation;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Accounting, pooling, out-of-memory and lifecycle of the CUDA backend. */
@Tag("gpu")
class CudaMemoryTest {

    private static void iteration(CudaBackend gpu, Tensor x, Tensor w) {
        try (Tensor y = gpu.conv2d(x, w, null, ConvSpec.of(2, 1)); Tensor a = gpu.activation(Activation.LEAKY_RELU, y);
             Tensor b = gpu.biasBackward(a); Tensor d = gpu.conv2dBackwardData(a, w, x.shape(), ConvSpec.of(2, 1))) {
            gpu.axpy(0.5f, d, x);
        }
    }

    @Test
    void accountingReturnsToZeroAndASteadyLoopStopsAllocating() {
        long freeBefore;
        try (CudaBackend warm = CudaTestDevice.open()) {
            freeBefore = warm.freeDeviceMemory(); // with the context and libraries already up
        }
        try (CudaBackend gpu = CudaTestDevice.open()) {
            assertTrue(gpu.totalDeviceMemory() > 0 && gpu.freeDeviceMemory() <= gpu.totalDeviceMemory());
            Tensor x = gpu.zeros(Shape.of(16, 8, 32, 32)), w = gpu.fromHost(new float[16 * 8 * 16], Shape.of(16, 8, 4, 4));
            Tensor view = x.view(Shape.of(16, 8 * 32 * 32));
            assertEquals(2, gpu.liveTensors(), "a view is not a tensor of its own");
            assertEquals(4L * (16 * 8 * 32 * 32 + 16 * 8 * 16), gpu.liveBytes());
            iteration(gpu, x, w);
            long allocations = gpu.poolAllocations();
            for (int i = 0; i < 10; i++) iteration(gpu, x, w);
            assertEquals(allocations, gpu.poolAllocations(), "no cudaMalloc in steady state");
            view.close();
            assertEquals(2, gpu.liveTensors());
            x.close();
            w.close();
            x.close(); // harmless
            assertEquals(0, gpu.liveTensors());
            assertEquals(0, gpu.liveBytes());
            assertTrue(gpu.pooledBytes() > 0, "the pool keeps its buffers for the next batch");
        }
        try (CudaBackend after = CudaTestDevice.open()) {
            long freeAfter = after.freeDeviceMemory();
            assertTrue(freeAfter > freeBefore - (64L << 20), "device memory came back after close: " + freeBefore + " -> " + freeAfter);
        }
    }

    @Test
    void outOfMemoryIsSpecificAndRecoverable() {
        try (CudaBackend gpu = CudaTestDevice.open()) {
            List<Tensor> hog = new ArrayList<>();
            DeviceOutOfMemoryException oom = null;
            try {
                for (int i = 0; i < 200 && oom == null; i++) {
                    try {
                        hog.add(gpu.zeros(Shape.of(1 << 30))); // 4 GiB each
                    } catch (DeviceOutOfMemoryException e) {
                        oom = e;
                    }
                }
                assertTrue(oom != null, "allocating " + hog.size() * 4 + " GiB never ran out");
                assertEquals(4L << 30, oom.requestedBytes());
                assertEquals(gpu.totalDeviceMemory(), oom.totalBytes());
                assertTrue(oom.getMessage().startsWith("cuda:0: out of GPU memory") && !oom.getMessage().contains("\n"), oom.getMessage());
            } finally {
                for (Tensor t : hog) t.close();
            }
            // recoverable: the next allocation works, and a checked call does not report the old error
            try (Tensor t = gpu.zeros(Shape.of(1 << 20))) {
                gpu.fill(t, 1f);
                assertEquals(1f, gpu.toHost(t)[123]);
            }
        }
    }

    @Test
    void lifecycle() {
        CudaBackend gpu = CudaTestDevice.open();
        Tensor t = gpu.zeros(Shape.of(10));
        try (CpuBackend cpu = new CpuBackend(1); Tensor c = cpu.zeros(Shape.of(10))) {
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> gpu.add(t, c));
            assertTrue(foreign.getMessage().contains("belongs to backend cpu"), foreign.getMessage());
        }
        assertFalse(gpu.description().isEmpty());
        gpu.close();
        gpu.close(); // harmless
        assertThrows(IllegalStateException.class, () -> gpu.zeros(Shape.of(1)));
        assertThrows(IllegalStateException.class, () -> gpu.toHost(t));
        t.close(); // harmless after the backend went
        assertEquals(0, gpu.liveTensors());
        assertEquals(0, gpu.pooledBytes());
    }
}
