package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.ModelFile;
import org.anoscan.search.LatentSearch;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several engines in one scanner, on CPU engines (the GPU's case without a GPU): the same scores and heatmaps
 * as one engine, every patch searched exactly once, and a failing engine's batch redone on another.
 */
class MultiDeviceScanTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static final List<Path> IMAGES = new ArrayList<>();
    /** Small batches so that the 5 images make many batches for the engines to share. */
    private static final ScanConfig CFG = ScanConfig.defaults().withSearch(ScanConfig.defaults().search().withIterations(4).withSeed(7))
            .withBatchSize(3);

    @BeforeAll
    static void setUp() throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 11L);
        }
        for (int i = 0; i < 5; i++) IMAGES.add(TestImages.writeTexture(dir.resolve("t" + i + ".png"), 48, 56, 20 + i));
    }

    private static List<ScanResult> scan(AnomalyScanner s) throws IOException {
        return s.scanAll(IMAGES);
    }

    private static int patches(List<ScanResult> results) {
        return results.stream().mapToInt(r -> r.patches().size()).sum();
    }

    private static void assertSame(List<ScanResult> expected, List<ScanResult> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).patches(), actual.get(i).patches(), "patch scores of image " + i);
            assertEquals(expected.get(i).topKMean(), actual.get(i).topKMean(), "image score " + i);
            assertArrayEquals(expected.get(i).heatmap().data(), actual.get(i).heatmap().data(), "heatmap " + i);
        }
    }

    @Test
    void twoCpuEnginesGiveTheOneEngineResultsAndSearchEveryPatchOnce() throws IOException {
        List<ScanResult> one, two;
        try (AnomalyScanner s = AnomalyScanner.open(model, "cpu", c -> CFG, m -> {})) {
            one = scan(s);
            assertEquals(List.of("engine 0 (cpu)"), s.engines());
        }
        List<String> log = new ArrayList<>();
        try (AnomalyScanner s = AnomalyScanner.open(model, "cpu,cpu", c -> CFG, log::add)) {
            assertEquals(List.of("engine 0 (cpu)", "engine 1 (cpu)"), s.engines());
            two = scan(s);
            Map<String, Long> counts = s.patchesPerEngine();
            assertEquals(patches(two), counts.values().stream().mapToLong(Long::longValue).sum(), "every patch searched once: " + counts);
            assertTrue(s.engineFailures().isEmpty());
        }
        assertTrue(patches(one) >= 5 * 6, "enough patches for many batches");
        assertSame(one, two);
    }

    @Test
    void aFailingEnginesBatchIsRedoneOnAnotherWithTheFailureReported() throws IOException {
        List<ScanResult> one;
        try (AnomalyScanner s = AnomalyScanner.open(model, "cpu", c -> CFG, m -> {})) {
            one = scan(s);
        }
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (CpuBackend other = new CpuBackend(); AnomalyScanner s = AnomalyScanner.open(model, "cpu", c -> CFG, m -> {})) {
            var copy = ModelFile.load(model, other).model();
            SearchEngine real = new SearchEngine("engine 1 (cpu)", copy, new LatentSearch(copy, s.searchConfig()), s.config(), true, null);
            AtomicBoolean failed = new AtomicBoolean();
            BatchEngine failsOnce = new BatchEngine() { // scores its first batch, then fails on its second (a lost device)
                int calls;

                @Override
                public String name() { return real.name(); }

                @Override
                public BatchScores score(float[] data, long[] ids, boolean features) {
                    if (++calls == 2) {
                        failed.set(true);
                        throw new IllegalStateException("cuda:1: an illegal memory access was encountered");
                    }
                    return real.score(data, ids, features);
                }

                @Override
                public void close() { real.close(); }
            };
            s.useEngines(List.of(failsOnce), log::add);
            List<ScanResult> two = scan(s);
            assertSame(one, two);
            assertTrue(failed.get(), "the second engine took two batches");
            assertEquals(1, s.engineFailures().size());
            assertTrue(s.engineFailures().get(0).startsWith("engine 1 (cpu) failed on a batch of 3 patches: cuda:1: an illegal memory access"),
                    s.engineFailures().get(0));
            assertEquals(1, log.size());
            assertTrue(log.get(0).contains("retried on another device"), log.get(0));
            Map<String, Long> counts = s.patchesPerEngine();
            assertEquals(patches(two), counts.values().stream().mapToLong(Long::longValue).sum(), "every patch counted once: " + counts);
        }
    }
}
