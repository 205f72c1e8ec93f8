package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.anoscan.tensor.Precision;
import org.junit.jupiter.api.Test;

/** The bf16 precision's host logic, without a GPU: its name, and which cudnnFind results a bf16 plan may run. */
class Bf16PrecisionLogicTest {
    @Test
    void bf16IsAPrecisionCommandsAccept() {
        assertEquals(Precision.BF16, Precision.parse(" BF16 "));
        assertEquals("bf16", Precision.BF16.label());
    }

    @Test
    void aBf16PlanRunsTensorCoreResultsButNeverConversionToFp16() {
        assertTrue(ConvAlgoChoice.mathTypeAllowed(Precision.BF16, CUDNN_TENSOR_OP_MATH));
        assertTrue(ConvAlgoChoice.mathTypeAllowed(Precision.BF16, CUDNN_DEFAULT_MATH));
        assertTrue(ConvAlgoChoice.mathTypeAllowed(Precision.BF16, CUDNN_FMA_MATH), "bf16 data, fp32 FMA: still bf16 storage");
        assertFalse(ConvAlgoChoice.mathTypeAllowed(Precision.BF16, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION));
        var conversion = new ConvAlgoChoice.Candidate(1, CUDNN_STATUS_SUCCESS, 0, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, 0.1f);
        var tensorOp = new ConvAlgoChoice.Candidate(2, CUDNN_STATUS_SUCCESS, 0, CUDNN_TENSOR_OP_MATH, 0.2f);
        assertEquals(tensorOp, ConvAlgoChoice.pick(List.of(conversion, tensorOp), Precision.BF16, 1 << 20));
    }
}
