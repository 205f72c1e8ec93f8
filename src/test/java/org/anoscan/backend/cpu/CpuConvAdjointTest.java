package org.anoscan.backend.cpu;

import static org.anoscan.backend.cpu.ConvCase.assertNear;
import static org.anoscan.testutil.GradCheck.dot;
import static org.anoscan.testutil.GradCheck.randomFloats;
import static org.anoscan.testutil.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.anoscan.backend.ConvSpec;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * conv-transpose2d is the adjoint of conv2d with the same weight: {@code <conv(x), y> = <x, convT(y)>},
 * and so conv2d's backward-data is a conv-transpose2d and conv-transpose2d's backward-data a conv2d.
 */
class CpuConvAdjointTest {

    @Test
    void convTransposeIsTheAdjointOfConv() {
        Random rnd = new Random(41);
        try (CpuBackend cpu = new CpuBackend(2)) {
            for (int i = 0; i < 40; i++) {
                // pick the conv output size first so that convT of it gives back exactly the input size
                int k = 1 + rnd.nextInt(5), s = 1 + rnd.nextInt(3), p = rnd.nextInt(Math.min(3, k));
                int oh = 1 + rnd.nextInt(6), ow = 1 + rnd.nextInt(6);
                int h = (oh - 1) * s - 2 * p + k, w = (ow - 1) * s - 2 * p + k;
                if (h <= 0 || w <= 0) continue;
                int n = 1 + rnd.nextInt(3), cin = 1 + rnd.nextInt(4), cout = 1 + rnd.nextInt(4);
                Shape xs = Shape.of(n, cin, h, w), ws = Shape.of(cout, cin, k, k), ys = Shape.of(n, cout, oh, ow);
                ConvSpec spec = ConvSpec.of(s, p);
                String what = "x" + xs + " w" + ws + " " + spec;
                float[] xv = randomFloats(xs.size(), rnd, 1), wv = randomFloats(ws.size(), rnd, 1), yv = randomFloats(ys.size(), rnd, 1);
                try (Tensor x = cpu.fromHost(xv, xs); Tensor wt = cpu.fromHost(wv, ws); Tensor y = cpu.fromHost(yv, ys);
                     Tensor convX = cpu.conv2d(x, wt, null, spec); Tensor convTY = cpu.convTranspose2d(y, wt, null, spec);
                     Tensor dataGradOfConv = cpu.conv2dBackwardData(y, wt, xs, spec);
                     Tensor dataGradOfConvT = cpu.convTranspose2dBackwardData(x, wt, ys, spec)) {
                    assertEquals(xs, convTY.shape(), what);
                    double[] a = toDouble(convX.toHost()), yd = toDouble(yv), b = toDouble(convTY.toHost()), xd = toDouble(xv);
                    double scale = Math.sqrt(dot(a, a) * dot(yd, yd)) + Math.sqrt(dot(b, b) * dot(xd, xd));
                    assertEquals(dot(a, yd), dot(xd, b), 1e-5 * scale, what + ": <conv(x), y> vs <x, convT(y)>");

                    assertNear(what + ": conv2d backward-data vs convTranspose2d", toDouble(convTY.toHost()), dataGradOfConv.toHost(), 1e-5);
                    assertNear(what + ": convTranspose2d backward-data vs conv2d", toDouble(convX.toHost()), dataGradOfConvT.toHost(), 1e-5);
                }
            }
        }
    }
}
