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

    /** An owning tensor: native storage from the backend's pool, zeroed when zero is set (else undefined). */
    CpuTensor(CpuBackend cpu, Shape shape, boolean zero) {
        super(cpu, shape, null);
        this.cpu = cpu;
        this.pointer = cpu.buffers().take(shape.size());
        if (zero) pointer.zero();
        this.buffer = pointer.asBuffer();
        cpu.track(this, +1);
    }

    /** A view over owner's storage. */
    private CpuTensor(CpuBackend cpu, Shape shape, CpuTensor owner) {
        super(cpu, shape, owner);
        this.cpu = cpu;
        this.pointer = owner.pointer;
        this.buffer = owner.buffer;
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
