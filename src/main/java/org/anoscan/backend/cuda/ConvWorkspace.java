package org.anoscan.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.bytedeco.javacpp.Pointer;

/**
 * The one convolution workspace of a backend, shared by every plan (they run one at a time on one
 * stream) and grown to the largest need, rather than a workspace per plan.
 *
 * <p>Captured graphs hold the address they were recorded with: while one may be alive ({@code pinned}),
 * a buffer that is replaced is retired, not freed, and freed by {@link #releaseIdle} once no graph holds
 * it. Inside a capture the workspace cannot grow (no allocation may be recorded).
 */
final class ConvWorkspace implements AutoCloseable {
    private final BufferAllocator allocator;
    private final BooleanSupplier pinned;
    private final List<DeviceBuffer> retired = new ArrayList<>();
    private DeviceBuffer current;
    private long allocations;

    /** @param pinned true while a captured graph may hold the current buffer's address */
    ConvWorkspace(BufferAllocator allocator, BooleanSupplier pinned) {
        this.allocator = allocator;
        this.pinned = pinned;
    }

    /** A workspace of at least {@code bytes} (null for none), grown when needed; {@code capturing}: growing throws. */
    Pointer ensure(long bytes, boolean capturing) {
        if (bytes <= 0) return current == null ? null : current.pointer();
        if (current != null && current.bytes() >= bytes) return current.pointer();
        if (capturing) {
            throw new IllegalStateException("the convolution workspace must grow to " + bytes + " bytes inside a graph capture; run the body "
                    + "once uncaptured right before capturing it");
        }
        if (current != null) {
            if (pinned.getAsBoolean()) retired.add(current); else current.close();
            current = null;
        }
        current = new DeviceBuffer(allocator, allocator.allocate(bytes), bytes, null);
        allocations++;
        return current.pointer();
    }

    /** Bytes held now (the current buffer and retired ones). */
    long bytes() {
        long sum = current == null ? 0 : current.bytes();
        for (DeviceBuffer b : retired) sum += b.bytes();
        return sum;
    }

    /** Device allocations made so far. */
    long allocations() {
        return allocations;
    }

    /** Frees the retired buffers once no graph can hold them (called when the last graph goes). */
    void freeRetired() {
        if (pinned.getAsBoolean()) return;
        for (DeviceBuffer b : retired) b.close();
        retired.clear();
    }

    /** Frees what no graph can hold: everything when none is alive; nothing otherwise. */
    void releaseIdle() {
        if (pinned.getAsBoolean()) return;
        freeRetired();
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        if (current != null) retired.add(current);
        current = null;
        for (DeviceBuffer b : retired) {
            try {
                b.close();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        retired.clear();
        if (first != null) throw first;
    }
}
