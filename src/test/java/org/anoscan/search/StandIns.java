package org.anoscan.search;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.anoscan.backend.CapturedGraph;

/** Pieces of the stand-in backends of the search tests: a CPU backend behind a proxy that plays a device. */
final class StandIns {
    private StandIns() {}

    /** Calls method on target, rethrowing what it throws as itself. */
    static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A "captured graph" that replays by running the body again (counted by {@code onReplay}). */
    static CapturedGraph replaying(Runnable body, Runnable onReplay) {
        return new CapturedGraph() {
            @Override
            public void replay() {
                onReplay.run();
                body.run();
            }

            @Override
            public void close() {
            }
        };
    }

    /** n random 32x32 one-channel patches in [-1, 1), the same for the same n. */
    static float[] patches(int n) {
        float[] p = new float[n * 32 * 32];
        java.util.Random r = new java.util.Random(n);
        for (int i = 0; i < p.length; i++) p[i] = r.nextFloat() * 2 - 1;
        return p;
    }
}
