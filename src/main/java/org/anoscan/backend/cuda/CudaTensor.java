package org.anoscan.backend.cuda;

import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** A float32 tensor in device memory: a buffer borrowed from its backend's pool, given back on close. */
final class CudaTensor extends Tensor {
    private final CudaBackend cuda;
    private final DeviceBuffer buffer;

    /** An owning tensor over a pooled buffer of exactly 4 * shape.size() bytes. */
    CudaTensor(CudaBackend cuda, Shape shape, DeviceBuffer buffer) {
        super(cuda, shape, null);
        this.cuda = cuda;
        this.buffer = buffer;
    }

    /** A view over owner's buffer. */
    private CudaTensor(CudaBackend cuda, Shape shape, CudaTensor owner) {
        super(cuda, shape, owner);
        this.cuda = cuda;
        this.buffer = owner.buffer;
    }

    DeviceBuffer buffer() {
        checkOpen("cuda tensor");
        return buffer;
    }

    @Override
    protected void release() {
        cuda.releaseStorage(this, buffer);
    }

    @Override
    protected Tensor makeView(Shape newShape, Tensor storageOwner) {
        return new CudaTensor(cuda, newShape, (CudaTensor) storageOwner);
    }
}
