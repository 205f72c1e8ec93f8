package org.anoscan.backend.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.bytedeco.javacpp.Pointer;

/**
 * A caching pool of device buffers keyed by exact byte size, reused last-in first-out. A loop that makes
 * and closes the same tensors every iteration allocates device memory in its first iteration only and
 * then cycles through the same buffers: no cudaMalloc (slow, and synchronising) in steady state, so a
 * warm-up run leaves the pool holding everything a graph capture of the same body will ask for.
 *
 * <p>Graph capture: between {@link #beginCapture()} and {@link #endCapture(boolean)} no new memory may be
 * allocated (the body must have been run once before), and every buffer the body touches is recorded; the
 * graph then reserves them, so they are not lent to anyone else until the graph is closed
 * ({@link #unreserve}), even if the tensor that held one was closed.
 *
 * <p>Used by one thread at a time, like its backend. Owns every buffer it allocated: {@link #close()} frees
 * them all.
 */
final class DevicePool implements AutoCloseable {
    private final BufferAllocator allocator;
    private final String device;
    private final Map<Long, ArrayDeque<DeviceBuffer>> idle = new HashMap<>();
    private final Set<DeviceBuffer> all = new LinkedHashSet<>(); // identity: DeviceBuffer keeps Object.equals
    private long allocatedBytes;
    private long idleBytes;
    private long allocations;
    private Set<DeviceBuffer> captured; // non-null while a graph capture runs
    private boolean closed;

    DevicePool(BufferAllocator allocator, String device) {
        this.allocator = allocator;
        this.device = device;
    }

    /** A buffer of exactly {@code bytes}, idle or new; its contents are undefined. */
    DeviceBuffer acquire(long bytes) {
        if (closed) throw new IllegalStateException(device + ": the device pool is closed");
        if (bytes <= 0) throw new IllegalArgumentException(device + ": cannot allocate " + bytes + " bytes");
        ArrayDeque<DeviceBuffer> q = idle.get(bytes);
        DeviceBuffer b = q == null ? null : q.pollLast();
        if (b != null) {
            idleBytes -= bytes;
        } else {
            if (captured != null) {
                throw new IllegalStateException(device + ": a new device buffer of " + bytes + " bytes was needed inside a graph "
                        + "capture; run the body once uncaptured right before capturing it, and keep every shape the same");
            }
            b = allocateNew(bytes);
        }
        b.inUse = true;
        if (captured != null) captured.add(b);
        return b;
    }

    private DeviceBuffer allocateNew(long bytes) {
        Pointer p;
        try {
            p = allocator.allocate(bytes);
        } catch (DeviceOutOfMemoryException e) {
            if (idleBytes == 0) throw e;
            trim(); // idle buffers of other sizes may be what stands in the way
            p = allocator.allocate(bytes);
        }
        allocations++;
        allocatedBytes += bytes;
        DeviceBuffer b = new DeviceBuffer(allocator, p, bytes, this);
        all.add(b);
        return b;
    }

    /** Gives a buffer back; it becomes idle unless a captured graph still reserves it. */
    void release(DeviceBuffer b) {
        if (closed || b.isFreed() || !b.inUse) return;
        b.inUse = false;
        if (b.reservations == 0) pushIdle(b);
    }

    /** Records that an op inside a capture uses b (a no-op when not capturing or not this pool's buffer). */
    void touch(DeviceBuffer b) {
        if (captured != null && b.pool == this) captured.add(b);
    }

    boolean capturing() {
        return captured != null;
    }

    void beginCapture() {
        if (captured != null) throw new IllegalStateException(device + ": a graph capture is already running");
        captured = new LinkedHashSet<>();
    }

    /**
     * Ends the recording. With {@code keep}, reserves and returns every buffer touched since
     * {@link #beginCapture()} (hand them to {@link #unreserve} when the graph goes); without, returns none.
     */
    List<DeviceBuffer> endCapture(boolean keep) {
        Set<DeviceBuffer> touched = captured;
        captured = null;
        if (touched == null || !keep) return List.of();
        List<DeviceBuffer> reserved = new ArrayList<>(touched);
        for (DeviceBuffer b : reserved) {
            if (b.reservations++ == 0 && !b.inUse) removeIdle(b);
        }
        return reserved;
    }

    void unreserve(List<DeviceBuffer> reserved) {
        if (closed) return;
        for (DeviceBuffer b : reserved) {
            if (b.reservations > 0 && --b.reservations == 0 && !b.inUse && !b.isFreed()) pushIdle(b);
        }
    }

    /** Frees every idle buffer (reserved and lent ones stay). */
    void trim() {
        for (ArrayDeque<DeviceBuffer> q : idle.values()) {
            for (DeviceBuffer b : q) {
                allocatedBytes -= b.bytes();
                all.remove(b);
                b.close();
            }
        }
        idle.clear();
        idleBytes = 0;
    }

    /** Bytes held from the device, lent or idle. */
    long allocatedBytes() { return allocatedBytes; }

    /** Bytes held idle, ready to be lent again. */
    long idleBytes() { return idleBytes; }

    /** Number of device allocations made so far (constant in a steady-state loop). */
    long allocations() { return allocations; }

    private void pushIdle(DeviceBuffer b) {
        idle.computeIfAbsent(b.bytes(), k -> new ArrayDeque<>()).addLast(b);
        idleBytes += b.bytes();
    }

    private void removeIdle(DeviceBuffer b) {
        ArrayDeque<DeviceBuffer> q = idle.get(b.bytes());
        if (q != null && q.remove(b)) idleBytes -= b.bytes();
    }

    /** Frees every buffer, lent ones too (their tensors then throw when used). A second close is harmless. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        captured = null;
        RuntimeException first = null;
        for (DeviceBuffer b : all) {
            try {
                b.close();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        all.clear();
        idle.clear();
        allocatedBytes = 0;
        idleBytes = 0;
        if (first != null) throw first;
    }
}
