package org.anoscan.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.Backend;
import org.anoscan.backend.DeviceMemory;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.anoscan.backend.GraphCapable;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.FloatImage;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.scan.ScanConfig;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failure paths of the latent search, on the CPU through a backend wrapper that fails on its Nth op: a
 * failure anywhere (forward, backward, loss, Adam, the final evaluation) leaves no tensor of the search
 * alive, and a retry gives the clean result; an out-of-memory splits the batch after the backend gave back
 * its idle memory; a search whose z goes NaN under a clamp is reported as NaN, never scored.
 */
class SearchFailureTest {
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 8, 4, 4);
    /** Calls that are not ops: they never fail here. */
    private static final Set<String> NOT_OPS = Set.of("name", "description", "precision", "setPrecision", "defaultPrecision",
            "liveTensors", "liveBytes", "close", "toString", "hashCode", "equals", "freeDeviceMemory", "totalDeviceMemory",
            "releaseIdleMemory", "capture");
    private CpuBackend cpu;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, cpu.liveTensors());
        cpu.close();
    }

    /** Fails op number {@code failAt} (counting from 1 after arming) with what {@code failure} makes; counts ops. */
    private final class Faulty {
        final AtomicInteger ops = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        int failAt = -1;
        java.util.function.Supplier<RuntimeException> failure = () -> new IllegalStateException("injected");

        Backend backend(boolean device) {
            Class<?>[] types = device ? new Class<?>[] {Backend.class, DeviceMemory.class, GraphCapable.class} : new Class<?>[] {Backend.class};
            return (Backend) Proxy.newProxyInstance(getClass().getClassLoader(), types, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "freeDeviceMemory", "totalDeviceMemory" -> { return 1L << 40; }
                    case "releaseIdleMemory" -> { releases.incrementAndGet(); return null; }
                    case "capture" -> { return StandIns.replaying((Runnable) args[0], () -> { }); }
                    default -> { }
                }
                if (!NOT_OPS.contains(method.getName()) && ops.incrementAndGet() == failAt) throw failure.get();
                return call(method, args);
            });
        }
    }

    private Object call(Method method, Object[] args) throws Throwable {
        return StandIns.call(cpu, method, args);
    }

    private static void assertSameScores(List<SearchResult> expected, List<SearchResult> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).score(), actual.get(i).score(), 1e-5f * expected.get(i).score(), "patch " + i);
        }
    }

    @Test
    void aFailureAtAnyOpReleasesEveryTemporaryAndARetryGivesTheCleanResult() {
        float[] x = StandIns.patches(3);
        SearchConfig cfg = SearchConfig.defaults().withIterations(3).withRestarts(2);
        for (boolean graphs : new boolean[] {false, true}) {
            Faulty faulty = new Faulty();
            try (Dcgan m = new Dcgan(faulty.backend(graphs), SPEC, 5L)) {
                long baseTensors = cpu.liveTensors(), baseBytes = cpu.liveBytes();
                LatentSearch search = new LatentSearch(m, cfg);
                faulty.ops.set(0);
                List<SearchResult> clean = search.search(x, 3);
                int total = faulty.ops.get();
                assertTrue(total > 50, "a search of 3 iterations is many ops: " + total);
                for (int n = 1; n <= total; n++) {
                    faulty.ops.set(0);
                    faulty.failAt = n;
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> search.search(x, 3), "op " + n);
                    assertEquals("injected", e.getMessage());
                    assertEquals(baseTensors, cpu.liveTensors(), "tensors alive after a failure at op " + n + " of " + total
                            + (graphs ? " (graph replays)" : ""));
                    assertEquals(baseBytes, cpu.liveBytes(), "bytes alive after a failure at op " + n);
                }
                faulty.failAt = -1;
                assertSameScores(clean, search.search(x, 3));
            }
        }
    }

    @Test
    void outOfMemoryInsideAnIterationGivesBackIdleMemoryAndSplitsTheBatch() {
        float[] x = StandIns.patches(6);
        SearchConfig cfg = SearchConfig.defaults().withIterations(4);
        List<SearchResult> clean;
        try (Dcgan m = new Dcgan(cpu, SPEC, 5L)) {
            clean = new LatentSearch(m, cfg).search(x, 6);
        }
        Faulty faulty = new Faulty();
        faulty.failure = () -> new DeviceOutOfMemoryException("stand-in", 1L << 30, 0, 1L << 30);
        try (Dcgan m = new Dcgan(faulty.backend(true), SPEC, 5L)) {
            long base = cpu.liveTensors();
            faulty.ops.set(0);
            faulty.failAt = 40; // inside the second iteration's backward pass
            List<SearchResult> split = new LatentSearch(m, cfg).search(x, 6);
            assertSameScores(clean, split);
            assertEquals(1, faulty.releases.get(), "idle memory given back once, before the split");
            assertEquals(base, cpu.liveTensors());
        }
    }

    /** Poisons row {@code row} of z with NaN right after the {@code atStep}-th Adam step. */
    private Backend poisoning(int row, int atStep) {
        AtomicInteger adamSteps = new AtomicInteger();
        return (Backend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            Object out = call(method, args);
            // the search's Adam step: adamPerSampleStep, or inside the fused searchUpdate (z is its 4th argument)
            boolean fused = method.getName().equals("searchUpdate");
            if ((fused || method.getName().equals("adamPerSampleStep")) && adamSteps.incrementAndGet() == atStep) {
                Tensor z = (Tensor) args[fused ? 3 : 0];
                float[] h = cpu.toHost(z);
                h[row * z.shape().perSample()] = Float.NaN;
                try (Tensor t = cpu.fromHost(h, z.shape())) {
                    cpu.copyInto(t, z);
                }
            }
            return out;
        });
    }

    @Test
    void aSearchWhoseZGoesNanUnderAClampIsReportedAsNanNotScored() {
        // the CPU's Adam keeps NaN through the clamp (the PTX kernel now does the same; see CudaSearchTest)
        try (Tensor z = cpu.fromHost(new float[] {Float.NaN, 5f}, Shape.of(1, 2)); Tensor g = cpu.fromHost(new float[] {1f, 1f}, Shape.of(1, 2));
             Tensor m = cpu.zeros(Shape.of(1, 2)); Tensor v = cpu.zeros(Shape.of(1, 2)); Tensor steps = cpu.zeros(Shape.of(1))) {
            cpu.adamPerSampleStep(z, g, m, v, steps, null, new AdamConfig(0.05f, 0.9f, 0.999f, 1e-8f, 2f));
            float[] after = z.toHost();
            assertTrue(Float.isNaN(after[0]), "NaN stays NaN under the clamp");
            assertEquals(2f, after[1], "a finite value is clamped");
        }
        float[] x = StandIns.patches(3);
        SearchConfig cfg = SearchConfig.defaults().withIterations(6).withClampZ(2f);
        List<SearchResult> clean;
        try (Dcgan m = new Dcgan(cpu, SPEC, 5L)) {
            clean = new LatentSearch(m, cfg).search(x, 3);
        }
        try (Dcgan m = new Dcgan(poisoning(1, 3), SPEC, 5L)) {
            List<SearchResult> r = new LatentSearch(m, cfg).search(x, 3);
            assertTrue(Float.isNaN(r.get(1).score()) && Float.isNaN(r.get(1).residualScore()), "the diverged search is NaN");
            assertFalse(Float.isNaN(clean.get(1).score()));
            assertEquals(clean.get(0).score(), r.get(0).score(), 1e-6f * clean.get(0).score(), "the others are untouched");
            assertEquals(clean.get(2).score(), r.get(2).score(), 1e-6f * clean.get(2).score());

        }
        // a scan reports it, naming the image and the patch, rather than scoring the image
        float[] img = java.util.Arrays.copyOf(x, 32 * 32);
        try (Dcgan m = new Dcgan(poisoning(0, 3), SPEC, 5L)) {
            try (AnomalyScanner s = new AnomalyScanner(m, Map.of(), ScanConfig.defaults().withSearch(cfg))) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.scan(FloatImage.map(32, 32, img, "one")));
                assertTrue(e.getMessage().contains("one: the latent search diverged (NaN) at patch (0, 0)"), e.getMessage());
            }
        }
    }

    @Test
    void partialBatchesRoundUpToAFewSizes() {
        assertEquals(8192, BatchBuckets.roundUp(8192, 8192));
        assertEquals(64, BatchBuckets.roundUp(1, 8192));
        assertEquals(64, BatchBuckets.roundUp(64, 8192));
        assertEquals(128, BatchBuckets.roundUp(65, 8192));
        assertEquals(1024, BatchBuckets.roundUp(961, 8192));
        assertEquals(5000, BatchBuckets.roundUp(4097, 5000), "never above the chunk");
        assertEquals(3, BatchBuckets.roundUp(2, 3));
        List<Integer> sizes = new ArrayList<>();
        for (int n = 1; n <= 8192; n++) {
            int b = BatchBuckets.roundUp(n, 8192);
            assertTrue(b >= n && (b < 2 * n || b == 64), n + " -> " + b);
            if (!sizes.contains(b)) sizes.add(b);
        }
        assertEquals(List.of(64, 128, 256, 512, 1024, 2048, 4096, 8192), sizes, "eight plan sets at most for a chunk of 8192");
        assertThrows(IllegalArgumentException.class, () -> BatchBuckets.roundUp(9, 8));
    }
}
