package org.anoscan.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Weights already reordered into oneDNN's blocked layout, so that a weight the search uses unchanged on every
 * iteration is reordered once rather than on every call. An entry is found by the weight's storage address,
 * the direction (conv-like oihw or deconv-like iohw source layout) and the blocked layout; it is reused only
 * when the weight's bytes still equal the copy taken at its last reorder (a memcmp: a weight that was written
 * since, or a freed buffer reused for another tensor, is reordered again). The comparison costs one read of
 * the weight and its copy, less than the strided reorder it saves; a weight that changes on every call
 * (training) pays a copy per call.
 *
 * <p>Not thread-safe: its owner ({@link OneDnnConvolutions}) serialises calls, and clears it with its plans
 * (the blocked layouts are the plans' descriptors).
 */
final class OneDnnWeightCache implements AutoCloseable {
    /** Entries kept; the least recently used goes first. DCGAN-64 has 6 oneDNN weights, each in two directions. */
    static final int MAX_ENTRIES = 32;

    /** One weight in one blocked layout: the blocked copy, and the source bytes it was made from. */
    static final class Entry implements AutoCloseable {
        private final long address;
        private final boolean deconv;
        private final memory.desc layout;
        private final long userFloats;
        private final FloatPointer source;
        private final FloatPointer blocked;
        private boolean current;

        private Entry(long address, boolean deconv, memory.desc layout, long userFloats, long blockedFloats) {
            this.address = address;
            this.deconv = deconv;
            this.layout = layout;
            this.userFloats = userFloats;
            this.source = allocate(userFloats, "a copy of oneDNN's source weights");
            try {
                this.blocked = allocate(blockedFloats, "oneDNN weights in its layout");
            } catch (OutOfMemoryError e) {
                source.close();
                throw e;
            }
        }

        /** The blocked weights (to reorder into when {@link #current} is false). */
        Pointer blocked() {
            return blocked;
        }

        /** Whether blocked() already holds the weight's present contents. */
        boolean current() {
            return current;
        }

        /** Called once blocked() has been filled from the weight whose bytes were copied at lookup. */
        void markCurrent() {
            current = true;
        }

        private boolean matches(long address, boolean deconv, memory.desc layout, long userFloats) {
            return this.address == address && this.deconv == deconv && this.userFloats == userFloats && this.layout.equals(layout);
        }

        @Override
        public void close() {
            source.close();
            blocked.close();
        }
    }

    private final List<Entry> entries = new ArrayList<>(); // most recently used last

    /**
     * The entry for weight (userFloats floats, deconv-like source layout when deconv) in the blocked layout:
     * current when its blocked copy was made from the same bytes; otherwise its source copy is refreshed and
     * the caller reorders into blocked() and then calls markCurrent().
     */
    Entry lookup(FloatPointer weight, boolean deconv, long userFloats, memory.desc layout, long blockedFloats) {
        long address = weight.address() + weight.position() * Float.BYTES;
        Entry e = null;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).matches(address, deconv, layout, userFloats)) {
                e = entries.remove(i);
                break;
            }
        }
        if (e == null) {
            if (entries.size() >= MAX_ENTRIES) entries.remove(0).close();
            e = new Entry(address, deconv, layout, userFloats, blockedFloats);
        }
        entries.add(e);
        long bytes = userFloats * Float.BYTES;
        if (e.current && Pointer.memcmp(weight, e.source, bytes) == 0) return e;
        e.current = false;
        Pointer.memcpy(e.source, weight, bytes);
        return e;
    }

    /** Entries held (for tests). */
    int size() {
        return entries.size();
    }

    /** Drops every entry (their layouts belong to plans that are being closed). */
    void clear() {
        for (Entry e : entries) e.close();
        entries.clear();
    }

    private static FloatPointer allocate(long floats, String what) {
        FloatPointer p = new FloatPointer(floats);
        if (p.isNull()) throw new OutOfMemoryError("cpu: cannot allocate " + 4 * floats + " bytes for " + what);
        return p;
    }

    @Override
    public void close() {
        clear();
    }
}
