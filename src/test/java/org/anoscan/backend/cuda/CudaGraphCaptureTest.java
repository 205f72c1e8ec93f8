package org.anoscan.backend.cuda;

import static org.anoscan.backend.cuda.CudaTestDevice.randn;
import static org.anoscan.backend.cuda.CudaTestDevice.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.CapturedGraph;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CUDA graph capture of a small latent-search step (a two-layer generator, L1 loss, backward to z,
 * per-sample Adam, keep-best): replays give what the uncaptured body gives, allocate nothing, and the
 * contract's violations throw clearly.
 */
@Tag("gpu")
class CudaGraphCaptureTest {
    private static final int B = 96, NZ = 16;
    private CudaBackend gpu;
    private final List<Tensor> state = new ArrayList<>();
    private Tensor w1, w2, gamma, beta, mean, var, x, z, zStart, m, v, steps, best, bestZ;

    @BeforeEach
    void setUp() {
        gpu = CudaTestDevice.open();
        Random rnd = new Random(7);
        w1 = keep(gpu.fromHost(randn(NZ * 8 * 16, rnd, 0.2f), Shape.of(NZ, 8, 4, 4)));
        w2 = keep(gpu.fromHost(randn(8 * 16, rnd, 0.2f), Shape.of(8, 1, 4, 4)));
        gamma = keep(gpu.fromHost(CudaTestDevice.uniform(8, rnd, 0.5f, 1.5f), Shape.of(8)));
        beta = keep(gpu.fromHost(randn(8, rnd, 0.1f), Shape.of(8)));
        mean = keep(gpu.fromHost(randn(8, rnd, 0.1f), Shape.of(8)));
        var = keep(gpu.fromHost(CudaTestDevice.uniform(8, rnd, 0.5f, 1.5f), Shape.of(8)));
        x = keep(gpu.fromHost(randn(B * 64, rnd, 0.5f), Shape.of(B, 1, 8, 8)));
        float[] z0 = randn(B * NZ, rnd, 1f);
        z = keep(gpu.fromHost(z0, Shape.of(B, NZ, 1, 1)));
        zStart = keep(gpu.fromHost(z0, z.shape()));
        m = keep(gpu.zeros(z.shape()));
        v = keep(gpu.zeros(z.shape()));
        steps = keep(gpu.zeros(Shape.of(B)));
        best = keep(gpu.zeros(Shape.of(B)));
        bestZ = keep(gpu.zeros(z.shape()));
    }

    @AfterEach
    void tearDown() {
        if (gpu == null) return;
        for (Tensor t : state) t.close();
        state.clear();
        gpu.close();
    }

    private Tensor keep(Tensor t) {
        state.add(t);
        return t;
    }

    /**
     * Puts the search back at its start (queued on the stream: allowed between replays). Allocates
     * nothing: a temporary of z's size here would find the body's dz buffer reserved by the graph and
     * take a new one from the device, which the allocation counts below would see.
     */
    private void reset() {
        gpu.copyInto(zStart, z);
        gpu.fill(m, 0f);
        gpu.fill(v, 0f);
        gpu.fill(steps, 0f);
        gpu.fill(best, Float.POSITIVE_INFINITY);
    }

    /** One search step: G(z) = tanh(convT(relu(bn(convT(z))))), loss = sum |x - G(z)|, Adam on z, keep the best. */
    private void step() {
        ConvSpec s1 = ConvSpec.of(1, 0), s2 = ConvSpec.of(2, 1);
        AdamConfig cfg = new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 3f);
        try (Tensor h1 = gpu.convTranspose2d(z, w1, null, s1);
             Tensor h2 = gpu.batchNormEval(h1, gamma, beta, mean, var, 1e-5f);
             Tensor h3 = gpu.activation(Activation.RELU, h2);
             Tensor h4 = gpu.convTranspose2d(h3, w2, null, s2);
             Tensor g = gpu.activation(Activation.TANH, h4);
             LossAndGrad l = gpu.l1LossWithGrad(g, x, 1f);
             Tensor d4 = gpu.activationBackward(Activation.TANH, null, g, l.grad());
             Tensor d3 = gpu.convTranspose2dBackwardData(d4, w2, h3.shape(), s2);
             Tensor d2 = gpu.activationBackward(Activation.RELU, h2, null, d3);
             Tensor d1 = gpu.batchNormEvalBackward(d2, gamma, var, 1e-5f);
             Tensor dz = gpu.convTranspose2dBackwardData(d1, w1, z.shape(), s1)) {
            gpu.keepBest(l.loss(), best, z, bestZ);
            gpu.adamPerSampleStep(z, dz, m, v, steps, null, cfg);
        }
    }

    @Test
    void replaysGiveWhatTheUncapturedBodyGives() {
        for (Precision p : Precision.values()) {
            gpu.setPrecision(p);
            int n = 5;
            reset();
            for (int i = 0; i < n; i++) step();
            float[] zRef = gpu.toHost(z), bestRef = gpu.toHost(best), bestZRef = gpu.toHost(bestZ);

            reset();
            step(); // warm-up right before the capture: pool and plans hold everything the body needs
            long allocations = gpu.poolAllocations();
            int plans = gpu.convPlans();
            try (CapturedGraph graph = gpu.capture(this::step)) {
                assertEquals(allocations, gpu.poolAllocations(), "the capture allocated nothing");
                reset();
                for (int i = 0; i < n; i++) graph.replay();
                assertEquals(allocations, gpu.poolAllocations(), "replays allocate nothing");
                assertEquals(plans, gpu.convPlans());
                // cuDNN may pick algorithms whose sums are ordered differently run to run: near-equal, not bitwise
                String what = p + " replay vs uncaptured ";
                assertTrue(relativeError(gpu.toHost(z), zRef) < 1e-5, what + "z: " + relativeError(gpu.toHost(z), zRef));
                assertTrue(relativeError(gpu.toHost(best), bestRef) < 1e-5, what + "best loss");
                assertTrue(relativeError(gpu.toHost(bestZ), bestZRef) < 1e-5, what + "best z");
                assertArrayEquals(new float[B], subtract(gpu.toHost(steps), n), what + "every row counted n steps");
            }
        }
    }

    private static float[] subtract(float[] a, float v) {
        for (int i = 0; i < a.length; i++) a[i] -= v;
        return a;
    }

    @Test
    void theGraphKeepsItsBuffersReservedUntilItIsClosed() {
        step();
        Tensor input = gpu.fromHost(new float[B * 64], Shape.of(B, 1, 8, 8));
        long inputAddress = ((CudaTensor) input).buffer().address();
        try (CapturedGraph graph = gpu.capture(() -> {
            try (Tensor d = gpu.absDiff(input, x)) {
                gpu.copyInto(d, x);
            }
        })) {
            input.close(); // closed before the graph: its buffer must stay out of reach
            try (Tensor other = gpu.zeros(Shape.of(B, 1, 8, 8))) {
                assertNotEquals(inputAddress, ((CudaTensor) other).buffer().address(), "a buffer reserved by a graph was lent");
                graph.replay();
                gpu.synchronize();
            }
        }
        assertEquals(state.size(), gpu.liveTensors(), "only the test's own tensors are live");
    }

    @Test
    void contractViolationsThrowAndLeaveTheBackendUsable() {
        step();
        IllegalStateException newShape = assertThrows(IllegalStateException.class, () -> gpu.capture(() -> {
            try (Tensor t = gpu.zeros(Shape.of(12345))) {
                gpu.fill(t, 1f);
            }
        }));
        assertTrue(newShape.getMessage().contains("run the body once uncaptured"), newShape.getMessage());
        IllegalStateException hostCopy = assertThrows(IllegalStateException.class, () -> gpu.capture(() -> gpu.toHost(z)));
        assertTrue(hostCopy.getMessage().contains("no host copies inside a graph capture"), hostCopy.getMessage());
        // a conv2d never run before: its output buffer is pooled first, so that the missing plan is what fails
        Shape yShape = Shape.of(B, 8, 7, 7);
        gpu.zeros(yShape).close();
        IllegalStateException newPlan = assertThrows(IllegalStateException.class, () -> gpu.capture(() -> {
            try (Tensor y = gpu.conv2d(x, w2, null, ConvSpec.of(1, 1))) { // w2 [8,1,4,4] read as conv2d [Cout=8, Cin=1]
                gpu.fill(y, 0f);
            }
        }));
        assertTrue(newPlan.getMessage().contains("convolution plan"), newPlan.getMessage());
        // still usable
        step();
        assertEquals(B, gpu.toHost(best).length);
        assertEquals(state.size(), gpu.liveTensors());
    }

    @Test
    void closedGraphsRefuseReplayAndTheBackendClosesOpenOnes() {
        step();
        CapturedGraph g = gpu.capture(this::step);
        g.close();
        g.close(); // harmless
        assertThrows(IllegalStateException.class, g::replay);
        step();
        CapturedGraph open = gpu.capture(this::step);
        for (Tensor t : state) t.close();
        state.clear();
        gpu.close(); // closes the open graph too
        assertThrows(IllegalStateException.class, open::replay);
        open.close();
        gpu = null;
    }
}
