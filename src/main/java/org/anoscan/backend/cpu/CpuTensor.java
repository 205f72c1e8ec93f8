package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;

/** A tensor in native memory (so OpenBLAS reads it without copies), seen from Java as a direct FloatBuffer. */
final class CpuTensor extends Tensor {
    final FloatPointer pointer;
    final FloatBuffer buffer;
    private final CpuBackend cpu;
    /** This tensor, or for a view the tensor whose storage it shares (which holds the layout mark). */
    private final CpuTensor storage;
    /**
     * Set while the storage holds this NCHW shape's elements in NHWC order: an output that oneDNN left in its
     * layout for the next oneDNN layer. The backend's other ops see NCHW only ({@link CpuBackend#buf} converts).
     */
    private volatile Shape channelsLast;

    /** An owning tensor: native storage from the backend's pool, zeroed when zero is set (else undefined). */
    CpuTensor(CpuBackend cpu, Shape shape, boolean zero) {
        super(cpu, shape, null);
        this.cpu = cpu;
        this.pointer = cpu.buffers().take(shape.size());
        if (zero) pointer.zero();
        this.buffer = pointer.asBuffer();
        this.storage = this;
        cpu.track(this, +1);
    }

    /** A view over owner's storage. */
    private CpuTensor(CpuBackend cpu, Shape shape, CpuTensor owner) {
        super(cpu, shape, owner);
        this.cpu = cpu;
        this.pointer = owner.pointer;
        this.buffer = owner.buffer;
        this.storage = owner.storage;
    }

    /** The NCHW shape whose elements the storage holds in NHWC order, or null when it holds NCHW. */
    Shape channelsLast() {
        return storage.channelsLast;
    }

    /** Marks the storage as holding shape's elements in NHWC order (null: NCHW again). */
    void markChannelsLast(Shape shape) {
        storage.channelsLast = shape;
    }

    /** The tensor whose storage this one shares (itself when it owns its storage): the lock for layout changes. */
    CpuTensor storage() {
        return storage;
    }

    @Override
    protected void release() {
        cpu.track(this, -1);
        cpu.buffers().give(pointer, size());
    }

    @Override
    protected Tensor makeView(Shape newShape, Tensor storageOwner) {
        return new CpuTensor(cpu, newShape, (CpuTensor) storageOwner);
    }
}
