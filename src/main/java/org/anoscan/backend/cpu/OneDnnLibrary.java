package org.anoscan.backend.cpu;

/**
 * Whether oneDNN (org.bytedeco:dnnl) loads here. Kept apart from {@link OneDnnConvolutions}, which names
 * oneDNN's classes, so that a class path without its jars (the GPU bundle leaves them out) only loses
 * oneDNN and the backend falls back to its GEMM path.
 */
final class OneDnnLibrary {
    private static final String REASON = load();

    private OneDnnLibrary() {}

    /** Null when oneDNN loads, else why it does not (one line). */
    static String unavailableReason() {
        return REASON;
    }

    private static String load() {
        try {
            org.bytedeco.javacpp.Loader.load(Class.forName("org.bytedeco.dnnl.global.dnnl"));
            return null;
        } catch (ClassNotFoundException e) {
            return "org.bytedeco:dnnl is not on the class path";
        } catch (LinkageError | RuntimeException e) {
            return "its native library did not load (" + e + ")";
        }
    }
}
