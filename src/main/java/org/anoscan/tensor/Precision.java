package org.anoscan.tensor;

/** Arithmetic used by convolutions. The CPU backend always computes in fp32. */
public enum Precision {
    /** IEEE fp32, no tensor-core rounding of inputs. */
    FP32,
    /** Tensor-core TF32 (10-bit mantissa inputs, fp32 accumulation). */
    TF32;

    public static Precision parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown precision '" + s + "' (use fp32 or tf32)");
        }
    }

    /** The name commands take and reports show: "fp32", "tf32". */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
