package org.anoscan.backend.cpu;

/**
 * Whether oneDNN (org.bytedeco:dnnl) loads here. Kept apart from {@link OneDnnConvolutions}, which names
 * oneDNN's classes, so that a class path without its jars (the GPU bundle leaves them out) only loses
 * oneDNN and the backend falls back to its GEMM path.
 */
final class OneDnnLibrary {
    private static final String CLASS = "org.bytedeco.dnnl.global.dnnl";
    private static String reason;
    private static boolean tried;

    private OneDnnLibrary() {}

    /** Whether oneDNN's classes are on the class path (loads nothing: its native library is 90 MB). */
    static boolean present() {
        try {
            Class.forName(CLASS, false, OneDnnLibrary.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Null when oneDNN loads (loading it on the first call), else why it does not (one line). */
    static synchronized String unavailableReason() {
        if (!tried) {
            reason = load();
            tried = true;
        }
        return reason;
    }

    private static String load() {
        try {
            org.bytedeco.javacpp.Loader.load(Class.forName(CLASS));
            return null;
        } catch (ClassNotFoundException e) {
            return "org.bytedeco:dnnl is not on the class path";
        } catch (LinkageError | RuntimeException e) {
            return "its native library did not load (" + e + ")";
        }
    }
}
