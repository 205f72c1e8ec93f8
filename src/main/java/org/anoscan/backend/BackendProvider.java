package org.anoscan.backend;

/** Makes backends of one kind; found through {@link java.util.ServiceLoader}. */
public interface BackendProvider {
    /** "cpu" or "cuda". */
    String kind();

    /** Number of devices of this kind that can be opened now (0 when the libraries or driver are missing). */
    int deviceCount();

    /** Why {@link #deviceCount()} is 0: what was looked for and what to install. Empty when devices exist. */
    String unavailableReason();

    /** Opens device {@code index}; throws with a clear message when it cannot. */
    Backend open(int index);
}
