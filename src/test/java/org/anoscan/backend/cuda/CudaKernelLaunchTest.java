package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.anoscan.backend.Activation;
import org.junit.jupiter.api.Test;

/**
 * The typed launchers of {@link CudaKernels} against a recording launcher, without a GPU: each passes
 * its kernel's exact signature (CudaKernels checks that before every launch), the launch shapes are
 * what the kernels expect, and every kernel is reachable from Java.
 */
class CudaKernelLaunchTest {
    record Launch(String entry, int gridX, int gridY, int block, String types, long[] slots) {}

    static final class Recorder implements KernelLauncher {
        final List<Launch> launches = new ArrayList<>();

        @Override
        public void launch(String entry, int gridX, int gridY, int block, KernelArgs args) {
            long[] slots = new long[args.count()];
            for (int i = 0; i < slots.length; i++) slots[i] = args.slot(i);
            launches.add(new Launch(entry, gridX, gridY, block, args.types(), slots));
        }

        Launch last() {
            return launches.get(launches.size() - 1);
        }
    }

    @Test
    void everyLauncherMatchesItsKernelAndEveryKernelIsLaunched() {
        Recorder r = new Recorder();
        try (CudaKernels k = new CudaKernels(r)) {
            k.fill(0x1000, 1.5f, 1000);
            k.add(1, 2, 3, 10);
            k.absDiff(1, 2, 3, 10);
            k.activation(CudaKernels.code(Activation.TANH), 1, 2, 10);
            k.activationBackward(CudaKernels.code(Activation.RELU), 1, 0, 3, 4, 10);
            k.channelAffineAct(1, 0, 3, CudaKernels.ACT_NONE, 1, 64, 4, 16);
            k.scaleAlong(1, 2, 3, 64, 4, 16);
            k.l1LossGrad(1, 2, 3, 4, 0.9f, 37, 4096);
            k.bceLogits(1, 1f, 2, 3, 4, 100_000);
            k.channelPartials(CudaKernels.MODE_STATS, 1, 0, 0, 0, 8, 64, 256, 4, 5);
            k.channelSum(1, 4, 64, 2);
            k.bnTrainFinalize(1, 4, 64, 2048, 2, 3, 1e-5f, 0.1f, 4, 5, 6, 7, 8, 9);
            k.bnEvalCoeffs(1, 2, 3, 4, 1e-5f, 64, 5, 6);
            k.bnBackwardFinalize(1, 4, 64, 2048, 2, 3, 0, 0, 6);
            k.bnBackwardDx(1, 2, 3, 4, 5, 6, 1000, 64, 16);
            k.adam(1, 2, 3, 4, 1000, 2e-4f, 0.5f, 0.999f, 1e-8f, 0f, 0.5f, 0.001f);
            k.adamPerSample(1, 2, 3, 4, 5, 0, 8192, 100, 0.05f, 0.9f, 0.999f, 1e-8f, 1f);
            k.keepBest(1, 2, 3, 4, 8192, 100);
        }
        Set<String> launched = new LinkedHashSet<>();
        for (Launch l : r.launches) {
            launched.add(l.entry());
            assertEquals(CudaKernels.SIGNATURES.get(l.entry()), l.types(), l.entry());
            assertTrue(l.block() % 32 == 0 && l.block() <= 1024, l.entry() + ": block " + l.block() + " must be whole warps (block_sum)");
            assertTrue(l.gridX() >= 1 && l.gridY() >= 1, l.entry() + ": empty grid");
        }
        assertEquals(CudaKernels.SIGNATURES.keySet(), launched, "every kernel is launched by some CudaKernels method");
    }

    @Test
    void launchShapesAndArgumentValues() {
        Recorder r = new Recorder();
        try (CudaKernels k = new CudaKernels(r)) {
            k.fill(0x1000, 1.5f, 1000);
            Launch fill = r.last();
            assertEquals(0x1000, fill.slots()[0]);
            assertEquals(Float.floatToRawIntBits(1.5f), (int) fill.slots()[1]);
            assertEquals(1000, fill.slots()[2]);
            assertEquals(4, fill.gridX()); // ceil(1000 / 256)

            k.l1LossGrad(1, 2, 3, 0, 1f, 37, 4096);
            assertEquals(37, r.last().gridX(), "one block per sample");
            assertEquals(0, r.last().slots()[3], "no gradient: null pointer");

            k.adamPerSample(1, 2, 3, 4, 5, 0, 8192, 100, 0.05f, 0.9f, 0.999f, 1e-8f, 1f);
            assertEquals(8192, r.last().gridX(), "one block per row");
            assertEquals(128, r.last().block(), "100 elements a row: 4 warps");

            k.channelPartials(CudaKernels.MODE_SUM, 1, 0, 0, 0, 8, 64, 256, 4, 5);
            assertEquals(64, r.last().gridX());
            assertEquals(4, r.last().gridY());

            k.bceLogits(1, 0f, 2, 3, 4, 10_000_000);
            Launch partial = r.launches.get(r.launches.size() - 2), fin = r.last();
            assertEquals(CudaKernels.BCE_PARTS, partial.gridX());
            assertEquals(CudaKernels.BCE_PARTS, (int) fin.slots()[1], "the finalize pass sums as many partials as the first pass wrote");
            assertEquals(CudaKernels.bceParts(10_000_000), CudaKernels.BCE_PARTS);
        }
    }

    @Test
    void launchSizing() {
        assertEquals(1, CudaKernels.gridFor(1));
        assertEquals(CudaKernels.MAX_GRID, CudaKernels.gridFor(Integer.MAX_VALUE));
        assertEquals(32, CudaKernels.rowBlock(1));
        assertEquals(CudaKernels.BLOCK, CudaKernels.rowBlock(100_000));
        assertEquals(1, CudaKernels.splitsFor(1, 64), "never more splits than samples");
        assertEquals(16, CudaKernels.splitsFor(8192, 64));
        assertEquals(2, CudaKernels.splitsFor(8192, 512));
        assertEquals(1, CudaKernels.splitsFor(8192, 4096));
    }

    @Test
    void activationCodesFollowCommonCuh() {
        assertEquals(0, CudaKernels.code(Activation.RELU));
        assertEquals(1, CudaKernels.code(Activation.LEAKY_RELU));
        assertEquals(2, CudaKernels.code(Activation.TANH));
        assertEquals(3, CudaKernels.code(Activation.SIGMOID));
        assertEquals(4, CudaKernels.code(null));
    }

    @Test
    void aClosedKernelSetRefusesToLaunch() {
        CudaKernels k = new CudaKernels(new Recorder());
        k.close();
        k.close(); // harmless
        assertThrows(IllegalStateException.class, () -> k.fill(1, 0f, 1));
    }
}
