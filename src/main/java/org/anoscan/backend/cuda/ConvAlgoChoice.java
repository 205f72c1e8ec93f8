package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;

import java.util.List;
import org.anoscan.tensor.Precision;

/**
 * Which of cudnnFind's results a plan may run (pure logic; the constants are compile-time ints, so this
 * needs no native library). cuDNN lists results fastest first, each with the math type it was measured
 * under; a plan takes the fastest that
 * <ul>
 *   <li>succeeded,</li>
 *   <li>ran in the plan's arithmetic: FP32 takes FMA math only (strict fp32, no tensor cores), whatever
 *       else cuDNN timed; TF32 takes default, tensor-op or FMA math but never
 *       {@code TENSOR_OP_MATH_ALLOW_CONVERSION}, which may down-convert fp32 data to fp16; BF16 (bf16 data,
 *       fp32 accumulation) the same;</li>
 *   <li>fits the workspace the plan may use.</li>
 * </ul>
 */
final class ConvAlgoChoice {
    private ConvAlgoChoice() {}

    /** One cudnnFind result. */
    record Candidate(int algo, int status, long memory, int mathType, float millis) {}

    /** Whether a result measured under {@code mathType} computes in {@code precision}. */
    static boolean mathTypeAllowed(Precision precision, int mathType) {
        return switch (precision) {
            case FP32 -> mathType == CUDNN_FMA_MATH;
            case TF32, BF16 -> mathType == CUDNN_DEFAULT_MATH || mathType == CUDNN_TENSOR_OP_MATH || mathType == CUDNN_FMA_MATH;
        };
    }

    /** The first acceptable candidate (the list is fastest first), or null when none is. */
    static Candidate pick(List<Candidate> fastestFirst, Precision precision, long workspaceLimit) {
        for (Candidate c : fastestFirst) {
            if (c.status() == CUDNN_STATUS_SUCCESS && mathTypeAllowed(precision, c.mathType()) && c.memory() <= workspaceLimit) return c;
        }
        return null;
    }

    /** Why nothing was picked, for the error message: each candidate and what ruled it out. */
    static String rejections(List<Candidate> candidates, Precision precision, long workspaceLimit) {
        StringBuilder b = new StringBuilder();
        for (Candidate c : candidates) {
            if (b.length() > 0) b.append("; ");
            b.append("algo ").append(c.algo()).append(": ");
            if (c.status() != CUDNN_STATUS_SUCCESS) b.append("status ").append(c.status());
            else if (!mathTypeAllowed(precision, c.mathType())) b.append("math type ").append(mathName(c.mathType())).append(" is not ").append(precision);
            else b.append(c.memory()).append(" bytes of workspace > ").append(workspaceLimit);
        }
        return b.length() == 0 ? "no candidates" : b.toString();
    }

    static String mathName(int mathType) {
        return switch (mathType) {
            case CUDNN_DEFAULT_MATH -> "DEFAULT";
            case CUDNN_TENSOR_OP_MATH -> "TENSOR_OP";
            case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION -> "TENSOR_OP_ALLOW_CONVERSION";
            case CUDNN_FMA_MATH -> "FMA";
            default -> "#" + mathType;
        };
    }
}
