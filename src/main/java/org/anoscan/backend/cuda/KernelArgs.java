package org.anoscan.backend.cuda;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The kernelParams array of cuLaunchKernel, reused for every launch: entry i points to an 8-byte native
 * slot that holds argument i (a device address or 64-bit integer in all 8 bytes, an int or float in the
 * low 4, which is where a little-endian reader of 4 bytes finds it). The driver copies the values at
 * launch (and at graph capture), so the slots can be overwritten by the next launch at once.
 */
final class KernelArgs implements AutoCloseable {
    static final int MAX = 24;
    private final LongPointer slots = new LongPointer(MAX);
    private final PointerPointer<Pointer> params = new PointerPointer<>(MAX);
    private final char[] types = new char[MAX];
    private int count;
    private boolean closed;

    KernelArgs() {
        LongPointer entries = new LongPointer(params); // the void* array seen as 64-bit words
        for (int i = 0; i < MAX; i++) entries.put(i, slots.address() + 8L * i);
    }

    /** Starts a new argument list. */
    KernelArgs reset() {
        if (closed) throw new IllegalStateException("KernelArgs is closed");
        count = 0;
        return this;
    }

    /** A device address (0 for a null pointer). */
    KernelArgs ptr(long address) {
        return put('p', address);
    }

    KernelArgs i64(long value) {
        return put('l', value);
    }

    KernelArgs i32(int value) {
        return put('i', value & 0xffffffffL);
    }

    KernelArgs f32(float value) {
        return put('f', Float.floatToRawIntBits(value) & 0xffffffffL);
    }

    private KernelArgs put(char type, long word) {
        if (count == MAX) throw new IllegalStateException("KernelArgs: more than " + MAX + " kernel arguments");
        types[count] = type;
        slots.put(count++, word);
        return this;
    }

    int count() {
        return count;
    }

    /** The argument types so far, one letter each: p pointer, l 64-bit int, i 32-bit int, f float. */
    String types() {
        return new String(types, 0, count);
    }

    /** Whether the arguments so far have exactly these types (checked before every launch, without allocating). */
    boolean hasTypes(String signature) {
        if (signature.length() != count) return false;
        for (int i = 0; i < count; i++) {
            if (signature.charAt(i) != types[i]) return false;
        }
        return true;
    }

    /** Slot i as the driver reads it (for tests). */
    long slot(int i) {
        return slots.get(i);
    }

    /** Address of slot i (for tests: entry i of {@link #params()} must hold it). */
    long slotAddress(int i) {
        return slots.address() + 8L * i;
    }

    PointerPointer<Pointer> params() {
        if (closed) throw new IllegalStateException("KernelArgs is closed");
        return params;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        params.close();
        slots.close();
    }
}
