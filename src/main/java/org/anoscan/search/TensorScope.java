package org.anoscan.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The temporaries of one search iteration (tensors, losses with their gradients): everything added is
 * closed when the scope closes, on every path, so an op that fails half-way (a device out of memory, a
 * kernel error) leaves no buffer in use and a retry at a smaller batch starts with all memory back.
 * What the iteration hands out is taken back with {@link #keep}. Closing an item early is fine: closes
 * are idempotent.
 */
final class TensorScope implements AutoCloseable {
    private final List<AutoCloseable> items = new ArrayList<>();

    /** Adds t to the scope and returns it. */
    <T extends AutoCloseable> T add(T t) {
        items.add(t);
        return t;
    }

    /** Takes t out of the scope: the caller owns it now. */
    <T extends AutoCloseable> T keep(T t) {
        for (int i = items.size() - 1; i >= 0; i--) {
            if (items.get(i) == t) {
                items.remove(i);
                break;
            }
        }
        return t;
    }

    /** Closes every item, the last added first; the first failure is thrown with the others suppressed. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = items.size() - 1; i >= 0; i--) {
            try {
                items.get(i).close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException("closing a temporary failed", e);
                if (first == null) first = r; else first.addSuppressed(r);
            }
        }
        items.clear();
        if (first != null) throw first;
    }
}
