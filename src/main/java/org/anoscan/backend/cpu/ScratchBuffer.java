package org.anoscan.backend.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A growable native float buffer reused across calls (so a convolution allocates nothing per call
 * once warm). Its owner frees it with close(); a second close is harmless; use after close throws.
 */
final class ScratchBuffer implements AutoCloseable {
    private final String what;
    private FloatPointer pointer;
    private FloatBuffer buffer;
    private long capacity;
    private boolean closed;

    ScratchBuffer(String what) {
        this.what = what;
    }

    /** Makes room for n floats (contents are not kept) and returns the buffer. */
    FloatBuffer ensure(long n) {
        if (closed) throw new IllegalStateException("cpu: scratch buffer '" + what + "' is closed");
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cpu: " + what + " needs " + n + " floats, more than one buffer can index;"
                    + " use a smaller batch or image");
        }
        if (n > capacity) {
            free();
            pointer = new FloatPointer(n);
            if (pointer.isNull()) throw new OutOfMemoryError("cpu: cannot allocate " + 4 * n + " bytes for " + what);
            buffer = pointer.asBuffer();
            capacity = n;
        }
        return buffer;
    }

    /** The storage that the last ensure() sized. */
    FloatPointer pointer() {
        return pointer;
    }

    private void free() {
        if (pointer != null) pointer.close();
        pointer = null;
        buffer = null;
        capacity = 0;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        free();
    }
}
