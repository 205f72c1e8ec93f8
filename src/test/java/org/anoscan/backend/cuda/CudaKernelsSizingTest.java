package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.anoscan.backend.Activation;
import org.junit.jupiter.api.Test;

/** The sizes Java computes for the launchers (scratch of the reductions) and the codes it passes, without a GPU. */
class CudaKernelsSizingTest {
    @Test
    void reductionSplitsAndBcePartials() {
        assertEquals(1, CudaKernels.splitsFor(1, 64), "never more splits than samples");
        assertEquals(16, CudaKernels.splitsFor(8192, 64));
        assertEquals(2, CudaKernels.splitsFor(8192, 512));
        assertEquals(1, CudaKernels.splitsFor(8192, 4096));
        assertEquals(1, CudaKernels.bceParts(1));
        assertEquals(4, CudaKernels.bceParts(1000), "one partial per block of 256");
        assertEquals(CudaKernels.BCE_PARTS, CudaKernels.bceParts(10_000_000));
    }

    @Test
    void activationCodesFollowCommonCuh() throws IOException {
        String cuh = Files.readString(Path.of("cuda-kernels/common.cuh"));
        for (Activation a : Activation.values()) {
            assertEquals(true, cuh.contains("#define ACT_" + a.name() + " " + CudaKernels.code(a)), a + " code in common.cuh");
        }
        assertEquals(true, cuh.contains("#define ACT_NONE " + CudaKernels.code(null)), "none");
    }
}
