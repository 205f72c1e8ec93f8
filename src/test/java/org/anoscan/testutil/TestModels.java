package org.anoscan.testutil;

import java.util.Random;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.Parameter;
import org.anoscan.tensor.Tensor;

/** Test models whose eval-mode batch norms do something (fresh ones are near identities). */
public final class TestModels {
    private TestModels() {}

    /**
     * Sets every batch norm's running mean and beta to N(0, 0.3^2) draws and its running variance to
     * U(0.3, 1.3), so that eval-mode batch norm shifts and scales for real.
     */
    public static void randomizeBatchNorms(Dcgan model, Random rnd) {
        for (Parameter p : model.state()) {
            String n = p.name();
            boolean var = n.endsWith("running_var");
            if (!(var || n.endsWith("running_mean") || n.endsWith(".bias"))) continue;
            float[] v = p.value().toHost();
            for (int i = 0; i < v.length; i++) v[i] = var ? 0.3f + rnd.nextFloat() : 0.3f * (float) rnd.nextGaussian();
            try (Tensor t = model.backend().fromHost(v, p.value().shape())) {
                model.backend().copyInto(t, p.value());
            }
        }
    }

    /** ||a - b|| / ||b||, in double. */
    public static double relativeDifference(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }
}
