package org.anoscan.tensor;

import org.anoscan.backend.Backend;

/**
 * A float32 tensor (NCHW for images) owned by the backend that made it. Its storage lives where the
 * backend computes (native memory on the CPU, device memory on CUDA); host copies are explicit
 * ({@link Backend#toHost}, {@link Backend#fromHost}). Closing frees the storage; a second close is
 * harmless; using a closed tensor throws. A {@link #view} shares its owner's storage and never frees it.
 */
public abstract class Tensor implements AutoCloseable {
    private final Backend backend;
    private final Shape shape;
    private final Tensor owner; // null for a tensor that owns its storage
    private boolean closed;

    protected Tensor(Backend backend, Shape shape, Tensor owner) {
        this.backend = backend;
        this.shape = shape;
        this.owner = owner;
    }

    public final Backend backend() { return backend; }

    public final Shape shape() { return shape; }

    public final int size() { return shape.size(); }

    public final boolean isClosed() {
        return closed || (owner != null && owner.isClosed());
    }

    /** A tensor of another shape with the same number of elements over the same storage. */
    public final Tensor view(Shape newShape) {
        checkOpen("view");
        if (newShape.size() != shape.size()) {
            throw new IllegalArgumentException("view: cannot view " + shape + " as " + newShape + " (element counts differ)");
        }
        return makeView(newShape, owner == null ? this : owner);
    }

    /** Copies this tensor to a new host array. */
    public final float[] toHost() {
        return backend.toHost(this);
    }

    /** Throws when this tensor is closed, naming the op that tried to use it. */
    public final void checkOpen(String op) {
        if (isClosed()) throw new IllegalStateException(op + ": tensor " + shape + " is closed");
    }

    @Override
    public final void close() {
        if (closed) return;
        closed = true;
        if (owner == null) release();
    }

    /** Frees the storage; called once, and only on an owning tensor. */
    protected abstract void release();

    protected abstract Tensor makeView(Shape newShape, Tensor storageOwner);

    @Override
    public String toString() {
        return "Tensor" + shape + "@" + backend.name() + (isClosed() ? " (closed)" : "");
    }
}
