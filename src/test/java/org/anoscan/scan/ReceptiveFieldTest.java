package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Conv2d;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Init;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Sequential;
import org.junit.jupiter.api.Test;

/** The analytic receptive field against the support found by following every kernel tap back, layer by layer. */
class ReceptiveFieldTest {

    /** Input pixels (along one axis, inside [0, n)) that output position {@code out} of the stack depends on. */
    static boolean[] naiveSupport(Sequential net, int n, int out) {
        List<int[]> layers = new ArrayList<>(); // k, stride, pad, input size
        collect(net, layers, n);
        int outSize = outSize(layers);
        boolean[] cur = new boolean[outSize];
        cur[out] = true;
        for (int l = layers.size() - 1; l >= 0; l--) {
            int[] L = layers.get(l);
            boolean[] prev = new boolean[L[3]];
            for (int o = 0; o < cur.length; o++) {
                if (!cur[o]) continue;
                for (int t = 0; t < L[0]; t++) {
                    int i = o * L[1] - L[2] + t;
                    if (i >= 0 && i < prev.length) prev[i] = true;
                }
            }
            cur = prev;
        }
        return cur;
    }

    private static int collect(Sequential net, List<int[]> layers, int n) {
        for (Layer l : net.layers()) {
            if (l instanceof Sequential s) n = collect(s, layers, n);
            else if (l instanceof Conv2d c) {
                int k = c.weight().value().shape().dim(3), s = c.spec().stride(), p = c.spec().padding();
                layers.add(new int[] {k, s, p, n});
                n = (n + 2 * p - k) / s + 1;
            }
        }
        return n;
    }

    private static int outSize(List<int[]> layers) {
        int[] last = layers.get(layers.size() - 1);
        return (last[3] + 2 * last[2] - last[0]) / last[1] + 1;
    }

    private static void checkAgainstNaive(Sequential net, int n) {
        ReceptiveField rf = ReceptiveField.of(net, n);
        List<int[]> layers = new ArrayList<>();
        collect(net, layers, n);
        assertEquals(outSize(layers), rf.positions());
        for (int j = 0; j < rf.positions(); j++) {
            boolean[] support = naiveSupport(net, n, j);
            for (int i = 0; i < n; i++) {
                boolean analytic = i >= rf.start() + j * rf.jump() && i < rf.start() + j * rf.jump() + rf.size();
                assertEquals(support[i], analytic, "position " + j + ", pixel " + i + " of " + rf);
            }
        }
        // toPixels: each pixel the mean of the values of the positions whose (2-d) support holds it
        Random rnd = new Random(3);
        float[] v = new float[rf.positions() * rf.positions()];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        float[] got = rf.toPixels(v, n);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double sum = 0;
                int count = 0;
                for (int jy = 0; jy < rf.positions(); jy++) {
                    for (int jx = 0; jx < rf.positions(); jx++) {
                        if (naiveSupport(net, n, jy)[y] && naiveSupport(net, n, jx)[x]) {
                            sum += v[jy * rf.positions() + jx];
                            count++;
                        }
                    }
                }
                assertEquals(count == 0 ? 0 : sum / count, got[y * n + x], 1e-5, "pixel " + y + "," + x);
            }
        }
    }

    @Test
    void dcganFeatureStacksMatchTheNaiveSupport() {
        try (CpuBackend cpu = new CpuBackend();
             Dcgan d32 = new Dcgan(cpu, new DcganSpec(32, 1, 8, 4, 4), 1L);
             Dcgan d64 = new Dcgan(cpu, new DcganSpec(64, 1, 8, 4, 4), 1L)) {
            ReceptiveField rf = ReceptiveField.of(d32.features(), 32);
            assertEquals(new ReceptiveField(22, 8, -7, 4), rf, "three 4x4 stride-2 pad-1 convolutions");
            checkAgainstNaive(d32.features(), 32);
            checkAgainstNaive(d64.features(), 64);
        }
    }

    @Test
    void otherKernelsStridesAndPaddingsMatchTheNaiveSupport() {
        try (CpuBackend cpu = new CpuBackend()) {
            Init init = new Init(1L);
            Sequential net = new Sequential(List.of(new Conv2d(cpu, "a", 1, 2, 3, 1, 1, init), new Conv2d(cpu, "b", 2, 2, 5, 3, 0, init),
                    new Sequential(List.of(new Conv2d(cpu, "c", 2, 2, 2, 2, 1, init)))));
            try {
                checkAgainstNaive(net, 21);
            } finally {
                net.close();
            }
        }
    }
}
