package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.anoscan.search.SearchResult;
import org.junit.jupiter.api.Test;

/** The multi-engine queue with stand-in engines: who takes what, exactly once, and what a failing engine does. */
class EngineSchedulerTest {
    /** Scores patch id k as k (so a wrong or lost batch shows), after a pause; records every id it scored. */
    private static final class FakeEngine implements BatchEngine {
        final String name;
        final long pauseMs;
        final int failOnCall; // 0: never
        final List<Long> scored = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch gate; // score() waits for it: a test can queue every batch before any engine runs

        FakeEngine(String name, long pauseMs, int failOnCall) {
            this(name, pauseMs, failOnCall, new CountDownLatch(0));
        }

        FakeEngine(String name, long pauseMs, int failOnCall, CountDownLatch gate) {
            this.name = name;
            this.pauseMs = pauseMs;
            this.failOnCall = failOnCall;
            this.gate = gate;
        }

        @Override
        public String name() { return name; }

        @Override
        public BatchScores score(float[] data, long[] ids, boolean features) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (calls.incrementAndGet() == failOnCall) throw new IllegalStateException(name + ": device lost");
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            List<SearchResult> r = new ArrayList<>();
            for (long id : ids) {
                scored.add(id);
                r.add(new SearchResult(id, 0, 0, new float[0], new float[0], new float[0], 0, 0, null));
            }
            return new BatchScores(r, null, name, 0);
        }

        @Override
        public void close() {}
    }

    private static List<CompletableFuture<BatchScores>> submitBatches(EngineScheduler s, int batches, int perBatch) {
        List<CompletableFuture<BatchScores>> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            long[] ids = new long[perBatch];
            for (int i = 0; i < perBatch; i++) ids[i] = (long) b * perBatch + i;
            out.add(s.submit(new float[0], ids, false));
        }
        return out;
    }

    private static void assertEachIdOnce(List<CompletableFuture<BatchScores>> futures, int perBatch, List<FakeEngine> engines) {
        for (int b = 0; b < futures.size(); b++) {
            List<SearchResult> r = futures.get(b).join().results();
            for (int i = 0; i < perBatch; i++) assertEquals((float) (b * perBatch + i), r.get(i).score(), "batch " + b + " slot " + i);
        }
        List<Long> all = new ArrayList<>();
        for (FakeEngine e : engines) all.addAll(e.scored);
        Collections.sort(all);
        assertEquals(futures.size() * perBatch, all.size(), "every patch scored exactly once");
        for (int k = 0; k < all.size(); k++) assertEquals(k, all.get(k).longValue());
    }

    @Test
    void fasterEngineTakesMoreBatchesFromTheOneQueue() {
        FakeEngine fast = new FakeEngine("fast", 1, 0), slow = new FakeEngine("slow", 20, 0);
        try (EngineScheduler s = new EngineScheduler(List.of(fast, slow), m -> {})) {
            List<CompletableFuture<BatchScores>> f = submitBatches(s, 40, 3);
            assertEachIdOnce(f, 3, List.of(fast, slow));
            Map<String, Long> counts = s.patchesPerEngine();
            assertEquals(120, counts.get("fast") + counts.get("slow"));
            assertTrue(counts.get("fast") > 2 * counts.get("slow"), "work stealing gives the fast engine most batches: " + counts);
            assertTrue(s.failures().isEmpty());
        }
    }

    @Test
    void aFailingEnginesBatchIsRetriedOnAnotherAndReported() {
        FakeEngine broken = new FakeEngine("broken", 1, 2), good = new FakeEngine("good", 2, 0);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (EngineScheduler s = new EngineScheduler(List.of(broken, good), log::add)) {
            List<CompletableFuture<BatchScores>> f = submitBatches(s, 20, 4);
            assertEachIdOnce(f, 4, List.of(broken, good));
            assertEquals(2, broken.calls.get(), "a failed engine takes no more batches");
            assertEquals(1, s.failures().size());
            assertTrue(s.failures().get(0).contains("broken failed on a batch of 4 patches: broken: device lost"), s.failures().toString());
            assertEquals(1, log.size());
            assertTrue(log.get(0).contains("retried on another device"), log.get(0));
            assertEquals(80, s.patchesPerEngine().values().stream().mapToLong(Long::longValue).sum());
        }
    }

    @Test
    void whenEveryEngineFailsTheBatchesFailWithTheReasons() {
        // both engines fail on their first batch; the gate holds them until all three batches are queued (else a
        // fast failure makes a later submit throw instead of queueing, which the last assertion covers)
        CountDownLatch gate = new CountDownLatch(1);
        FakeEngine a = new FakeEngine("a", 1, 1, gate), b = new FakeEngine("b", 1, 1, gate);
        try (EngineScheduler s = new EngineScheduler(List.of(a, b), m -> {})) {
            List<CompletableFuture<BatchScores>> f = submitBatches(s, 3, 2);
            gate.countDown();
            CompletionException e = assertThrows(CompletionException.class, () -> f.get(0).join());
            assertTrue(e.getCause().getMessage().startsWith("every device failed"), e.getCause().getMessage());
            // every batch fails (the last engine's retirement fails the orphans one by one: join, do not just look)
            for (CompletableFuture<BatchScores> x : f) assertThrows(CompletionException.class, x::join);
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> s.submit(new float[0], new long[] {1}, false));
            assertTrue(late.getMessage().contains("a: device lost") && late.getMessage().contains("b: device lost"), late.getMessage());
        }
    }
}
