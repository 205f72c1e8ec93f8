package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.anoscan.backend.Activation;
import org.anoscan.backend.Checks;
import org.anoscan.tensor.Tensor;

/** Element-wise ops of the CPU backend: activations and their backward passes, add, axpy, absDiff. */
final class CpuElementwise {
    private final CpuBackend cpu;

    CpuElementwise(CpuBackend cpu) {
        this.cpu = cpu;
    }

    Tensor activation(Activation a, Tensor x) {
        String op = "activation(" + a + ")";
        if (a == null) throw new IllegalArgumentException("activation: activation is null (x " + shapeOf(x) + ")");
        FloatBuffer xb = cpu.buf(op, "x", x);
        CpuTensor y = cpu.allocUninitialised(x.shape());
        FloatBuffer yb = y.buffer;
        CpuLoops.chunked(cpu, x.size(), (from, to) -> {
            float[] v = CpuLoops.chunkArray(0);
            xb.get(from, v, 0, to - from);
            ActivationMath.biasActivation(a, 0f, v, 0, to - from);
            yb.put(from, v, 0, to - from);
        });
        return y;
    }

    Tensor activationBackward(Activation a, Tensor x, Tensor y, Tensor dy) {
        String op = "activationBackward(" + a + ")";
        if (a == null) throw new IllegalArgumentException("activationBackward: activation is null (dy " + shapeOf(dy) + ")");
        // ReLU-like derivatives depend on the sign of x; tanh and sigmoid ones are cheaper from y.
        boolean fromX = a == Activation.RELU || a == Activation.LEAKY_RELU;
        String inName = fromX ? "x" : "y";
        Tensor in = fromX ? x : y;
        FloatBuffer ib = cpu.buf(op, inName, in);
        FloatBuffer db = cpu.buf(op, "dy", dy);
        Checks.sameShape(op, in, dy);
        CpuTensor dx = cpu.allocUninitialised(dy.shape());
        FloatBuffer out = dx.buffer;
        CpuLoops.chunked(cpu, dy.size(), (from, to) -> {
            float[] g = CpuLoops.chunkArray(0), at = CpuLoops.chunkArray(1);
            db.get(from, g, 0, to - from);
            ib.get(from, at, 0, to - from); // the sign test of ReLU-like kinds reads x as it would y: same sign
            ActivationMath.timesDerivative(a, g, 0, to - from, at, 0);
            out.put(from, g, 0, to - from);
        });
        return dx;
    }

    Tensor add(Tensor a, Tensor b) {
        FloatBuffer ab = cpu.buf("add", "a", a);
        FloatBuffer bb = cpu.buf("add", "b", b);
        Checks.sameShape("add", a, b);
        CpuTensor y = cpu.allocUninitialised(a.shape());
        FloatBuffer yb = y.buffer;
        CpuLoops.chunked(cpu, a.size(), (from, to) -> {
            for (int i = from; i < to; i++) yb.put(i, ab.get(i) + bb.get(i));
        });
        return y;
    }

    void axpy(float alpha, Tensor x, Tensor y) {
        FloatBuffer xb = cpu.buf("axpy", "x", x);
        FloatBuffer yb = cpu.buf("axpy", "y", y);
        Checks.sameShape("axpy", x, y);
        CpuLoops.chunked(cpu, x.size(), (from, to) -> {
            for (int i = from; i < to; i++) yb.put(i, yb.get(i) + alpha * xb.get(i));
        });
    }

    Tensor absDiff(Tensor a, Tensor b) {
        FloatBuffer ab = cpu.buf("absDiff", "a", a);
        FloatBuffer bb = cpu.buf("absDiff", "b", b);
        Checks.sameShape("absDiff", a, b);
        CpuTensor y = cpu.allocUninitialised(a.shape());
        FloatBuffer yb = y.buffer;
        CpuLoops.chunked(cpu, a.size(), (from, to) -> {
            for (int i = from; i < to; i++) yb.put(i, Math.abs(ab.get(i) - bb.get(i)));
        });
        return y;
    }

    /** Logistic function without overflow: exp is only taken of a non-positive argument. */
    static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    private static String shapeOf(Tensor t) {
        return t == null ? "null" : t.shape().toString();
    }

    /**
     * tanh as 1 - 2 / (e^2x + 1) in double: Math.exp is a JIT intrinsic, Math.tanh is not, and it was a
     * tenth of a DCGAN-32 search step. Within float rounding of the exact value; saturates to +-1.
     */
    static float tanh(float x) {
        double e = Math.exp(2.0 * x);
        return (float) (1.0 - 2.0 / (e + 1.0));
    }
}
