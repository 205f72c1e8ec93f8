package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_NOT_SUPPORTED;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.anoscan.backend.DeviceMemory;
import org.anoscan.backend.cuda.ConvAlgoChoice.Candidate;
import org.anoscan.tensor.Precision;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Host logic of the convolution plans, without a device: which cudnnFind results a plan may run (math type,
 * workspace), and the one shared workspace (grown to the largest need, kept while a graph may hold it,
 * given back on request).
 */
class CudaPlanLogicTest {

    private static Candidate c(int algo, int status, long memory, int math) {
        return new Candidate(algo, status, memory, math, 1f + algo);
    }

    @Test
    void fp32TakesOnlyFmaResultsAndTf32NeverDownConverts() {
        assertTrue(ConvAlgoChoice.mathTypeAllowed(Precision.FP32, CUDNN_FMA_MATH));
        for (int m : new int[] {CUDNN_DEFAULT_MATH, CUDNN_TENSOR_OP_MATH, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION}) {
            assertFalse(ConvAlgoChoice.mathTypeAllowed(Precision.FP32, m), "fp32 must not run math type " + m);
        }
        for (int m : new int[] {CUDNN_DEFAULT_MATH, CUDNN_TENSOR_OP_MATH, CUDNN_FMA_MATH}) {
            assertTrue(ConvAlgoChoice.mathTypeAllowed(Precision.TF32, m), "tf32 may run math type " + m);
        }
        assertFalse(ConvAlgoChoice.mathTypeAllowed(Precision.TF32, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION), "fp16 down-conversion");

        // fastest first, as cudnnFind returns them
        List<Candidate> found = List.of(
                c(0, CUDNN_STATUS_SUCCESS, 0, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION),
                c(1, CUDNN_STATUS_NOT_SUPPORTED, 0, CUDNN_TENSOR_OP_MATH),
                c(2, CUDNN_STATUS_SUCCESS, 1 << 20, CUDNN_TENSOR_OP_MATH),
                c(3, CUDNN_STATUS_SUCCESS, 4096, CUDNN_DEFAULT_MATH),
                c(4, CUDNN_STATUS_SUCCESS, 8192, CUDNN_FMA_MATH),
                c(5, CUDNN_STATUS_SUCCESS, 0, CUDNN_FMA_MATH));
        assertEquals(2, ConvAlgoChoice.pick(found, Precision.TF32, 1 << 30).algo(), "the fastest tf32 result that ran");
        assertEquals(3, ConvAlgoChoice.pick(found, Precision.TF32, 1 << 16).algo(), "within the workspace limit");
        assertEquals(4, ConvAlgoChoice.pick(found, Precision.FP32, 1 << 30).algo(), "the fastest FMA result");
        assertEquals(5, ConvAlgoChoice.pick(found, Precision.FP32, 100).algo());
        assertNull(ConvAlgoChoice.pick(found.subList(0, 4), Precision.FP32, 1 << 30), "no FMA result: none");
        String why = ConvAlgoChoice.rejections(found.subList(0, 4), Precision.FP32, 1 << 30);
        assertTrue(why.contains("algo 0: math type TENSOR_OP_ALLOW_CONVERSION is not FP32") && why.contains("algo 1: status")
                && why.contains("algo 3: math type DEFAULT is not FP32"), why);
    }

    @Test
    void workspaceLimitScalesWithTheBatchBetweenAFloorAndACeiling() {
        assertEquals(CudnnConvolutions.MIN_WORKSPACE_LIMIT, CudnnConvolutions.workspaceLimit(1));
        assertEquals(512 * DeviceMemory.CONV_WORKSPACE_PER_SEARCH, CudnnConvolutions.workspaceLimit(512));
        assertTrue(CudnnConvolutions.workspaceLimit(8192) <= 8192 * DeviceMemory.CONV_WORKSPACE_PER_SEARCH,
                "a plan's workspace fits the share the search counted for it");
        assertEquals(CudnnConvolutions.MAX_WORKSPACE_LIMIT, CudnnConvolutions.workspaceLimit(1 << 20));
    }

    @Test
    void oneWorkspaceGrowsToTheLargestNeedAndIsKeptWhileAGraphMayHoldIt() {
        CudaDevicePoolTest.FakeAllocator fake = new CudaDevicePoolTest.FakeAllocator(1 << 20);
        AtomicBoolean graphs = new AtomicBoolean();
        try (ConvWorkspace ws = new ConvWorkspace(fake, graphs::get)) {
            assertNull(ws.ensure(0, false), "no workspace needed, none made");
            Pointer a = ws.ensure(1000, false);
            assertSame(a, ws.ensure(500, false), "smaller needs share it");
            assertSame(a, ws.ensure(1000, false));
            assertEquals(1, fake.allocations);
            Pointer b = ws.ensure(4000, false);
            assertEquals(2, fake.allocations);
            assertEquals(1, fake.frees, "the smaller one is freed at once when no graph holds it");
            assertEquals(4000, ws.bytes());

            // a graph recorded with b's address: growing retires b rather than freeing it
            graphs.set(true);
            assertThrows(IllegalStateException.class, () -> ws.ensure(8000, true), "no growth inside a capture");
            Pointer c = ws.ensure(8000, false);
            assertEquals(1, fake.frees, "b is kept for the live graph");
            assertEquals(12000, ws.bytes());
            ws.releaseIdle();
            assertEquals(12000, fake.used, "nothing a graph may hold is freed");
            graphs.set(false);
            ws.freeRetired();
            assertEquals(8000, fake.used, "the graph went: b is freed");
            assertSame(c, ws.ensure(100, false));
            ws.releaseIdle();
            assertEquals(0, fake.used, "idle: all given back");
            assertEquals(0, ws.bytes());
            ws.ensure(100, false); // grows again when next needed
            assertEquals(100, fake.used);
        }
        assertEquals(0, fake.used, "close frees it");
    }
}
