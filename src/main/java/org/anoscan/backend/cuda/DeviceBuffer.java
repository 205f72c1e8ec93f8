package org.anoscan.backend.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * One device allocation. Its owner (a {@link DevicePool}, or a {@link ConvPlan} for its workspace) frees
 * it with {@link #close()}; a second close is harmless and use after close throws. Tensors borrow pooled
 * buffers and give them back to the pool, never free them.
 */
final class DeviceBuffer implements AutoCloseable {
    private final BufferAllocator allocator;
    private final long bytes;
    private Pointer pointer;

    // The pool's bookkeeping (one thread, like the backend): lent to a tensor or op, and the number of
    // captured graphs that still use it. A buffer is idle, and can be lent again, when neither holds.
    boolean inUse;
    int reservations;
    final DevicePool pool;

    DeviceBuffer(BufferAllocator allocator, Pointer pointer, long bytes, DevicePool pool) {
        if (pointer == null || pointer.isNull()) throw new IllegalArgumentException("DeviceBuffer: null pointer for " + bytes + " bytes");
        this.allocator = allocator;
        this.pointer = pointer;
        this.bytes = bytes;
        this.pool = pool;
    }

    long bytes() { return bytes; }

    /** The device pointer, for cuDNN and cuBLAS calls. */
    Pointer pointer() {
        if (pointer == null) throw new IllegalStateException("device buffer of " + bytes + " bytes is freed (its backend is closed)");
        return pointer;
    }

    /** The device address, for kernel arguments. */
    long address() {
        return pointer().address();
    }

    boolean isFreed() {
        return pointer == null;
    }

    @Override
    public void close() {
        if (pointer == null) return;
        Pointer p = pointer;
        pointer = null;
        allocator.free(p);
    }
}
