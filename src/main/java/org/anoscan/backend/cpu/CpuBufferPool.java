package org.anoscan.backend.cpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Idle native buffers of the CPU backend, by element count. A search or training loop frees and
 * allocates the same sizes every iteration; reusing warm buffers avoids a fresh malloc (large ones are
 * mmapped) and its page faults on every op, which cost a sixth of a DCGAN-32 search step. At most
 * {@link #MAX_IDLE_BYTES} are kept idle; the rest is freed at once. Closing frees everything idle.
 */
final class CpuBufferPool implements AutoCloseable {
    static final long MAX_IDLE_BYTES = 1L << 30;

    private final Map<Integer, ArrayDeque<FloatPointer>> idle = new HashMap<>();
    private long idleBytes;
    private boolean closed;

    /** A buffer of n floats (contents undefined). */
    synchronized FloatPointer take(int n) {
        ArrayDeque<FloatPointer> free = idle.get(n);
        if (free != null && !free.isEmpty()) {
            idleBytes -= 4L * n;
            return free.pop();
        }
        FloatPointer p = new FloatPointer(n);
        if (p.isNull()) throw new OutOfMemoryError("cpu: cannot allocate " + 4L * n + " bytes");
        return p;
    }

    /** Takes back a buffer of n floats from take(); frees it when the pool is full or closed. */
    synchronized void give(FloatPointer p, int n) {
        if (closed || idleBytes + 4L * n > MAX_IDLE_BYTES) {
            p.close();
            return;
        }
        idle.computeIfAbsent(n, k -> new ArrayDeque<>()).push(p);
        idleBytes += 4L * n;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ArrayDeque<FloatPointer> free : idle.values()) {
            for (FloatPointer p : free) p.close();
        }
        idle.clear();
        idleBytes = 0;
    }
}
