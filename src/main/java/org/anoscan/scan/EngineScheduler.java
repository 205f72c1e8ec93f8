package org.anoscan.scan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Hands patch batches to several engines (one per device) from one queue: each engine's thread takes the
 * next batch as soon as it is free, so a faster or emptier device takes more (work stealing, not a static
 * split). A batch is scored whole by one engine, so its results do not depend on which one took it beyond
 * the devices' own arithmetic.
 *
 * <p>An engine that throws is retired (a failing device rarely recovers mid-run) and its batch goes back to
 * the head of the queue for another; the failure is told to the log and kept in {@link #failures()}. When
 * the last engine is retired, every waiting batch fails with its error.
 */
final class EngineScheduler implements AutoCloseable {
    private final List<BatchEngine> engines;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final Map<String, AtomicLong> patches = new LinkedHashMap<>();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private final Consumer<String> log;
    private int live; // guarded by this
    private boolean closed; // guarded by this

    private record Job(float[] data, long[] ids, boolean features, CompletableFuture<BatchScores> result) {}

    private static final Job STOP = new Job(null, null, false, null);

    /** Starts one thread per engine (the engines stay the caller's); {@code log} is told of every failure. */
    EngineScheduler(List<? extends BatchEngine> engines, Consumer<String> log) {
        if (engines.isEmpty()) throw new IllegalArgumentException("no engines");
        this.engines = List.copyOf(engines);
        this.log = log;
        for (BatchEngine e : this.engines) {
            if (patches.put(e.name(), new AtomicLong()) != null) throw new IllegalArgumentException("two engines named " + e.name());
        }
        live = this.engines.size();
        for (BatchEngine e : this.engines) {
            Thread t = new Thread(() -> work(e), "anoscan-engine " + e.name());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    int engineCount() { return engines.size(); }

    /** Queues a batch ({@code data} is kept, not copied: it must not change); the future completes when an engine scored it. */
    CompletableFuture<BatchScores> submit(float[] data, long[] ids, boolean features) {
        Job job = new Job(data, ids, features, new CompletableFuture<>());
        synchronized (this) {
            if (closed) throw new IllegalStateException("scanner is closed");
            if (live == 0) throw new IllegalStateException("every device failed: " + String.join("; ", failures));
            queue.addLast(job);
        }
        return job.result();
    }

    /** Patches scored per engine, in engine order (failed batches not counted). */
    Map<String, Long> patchesPerEngine() {
        Map<String, Long> out = new LinkedHashMap<>();
        patches.forEach((name, n) -> out.put(name, n.get()));
        return out;
    }

    /** What failed, one line per retired engine. */
    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    private void work(BatchEngine engine) {
        while (true) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) return;
            if (job.result().isDone()) continue; // cancelled: its scan gave up
            try {
                BatchScores s = engine.score(job.data(), job.ids(), job.features());
                patches.get(engine.name()).addAndGet(job.ids().length);
                job.result().complete(s);
            } catch (RuntimeException | Error e) { // an Error too: its batch must not wait forever
                retire(engine, job, e);
                return;
            }
        }
    }

    private void retire(BatchEngine engine, Job job, Throwable e) {
        List<Job> orphans = new ArrayList<>();
        boolean retried;
        String message = engine.name() + " failed on a batch of " + job.ids().length + " patches: " + oneLine(e);
        synchronized (this) {
            if (closed) {
                job.result().completeExceptionally(e);
                return;
            }
            live--;
            failures.add(message);
            retried = live > 0;
            if (retried) {
                queue.addFirst(job); // the next free engine takes it before anything newer
            } else {
                orphans.add(job);
                queue.drainTo(orphans);
            }
        }
        log.accept(message + (retried ? "; it takes no more batches, and this one is retried on another device"
                : "; no device is left"));
        IllegalStateException none = new IllegalStateException("every device failed: " + String.join("; ", failures()), e);
        for (Job o : orphans) {
            if (o != STOP) o.result().completeExceptionally(none);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    /** Stops the threads after the batch each is on; batches still queued fail. The engines stay open. */
    @Override
    public void close() {
        List<Job> left = new ArrayList<>();
        synchronized (this) {
            if (closed) return;
            closed = true;
            queue.drainTo(left);
            for (int i = 0; i < threads.size(); i++) queue.addLast(STOP);
        }
        for (Job j : left) j.result().completeExceptionally(new IllegalStateException("scanner is closed"));
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
