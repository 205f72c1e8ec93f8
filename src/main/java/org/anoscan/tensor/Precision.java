package org.anoscan.tensor;

/** Arithmetic used by convolutions. The CPU backend always computes in fp32. */
public enum Precision {
    /** IEEE fp32, no tensor-core rounding of inputs. */
    FP32,
    /** Tensor-core TF32 (10-bit mantissa inputs, fp32 accumulation). */
    TF32,
    /**
     * bf16 storage for the convolutions (8-bit mantissa inputs and outputs, bf16 tensor cores, fp32
     * accumulation); everything else (z, Adam state, losses, the activations between layers) stays fp32.
     */
    BF16;

    public static Precision parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown precision '" + s + "' (use fp32, tf32 or bf16)");
        }
    }

    /** The name commands take and reports show: "fp32", "tf32", "bf16". */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
