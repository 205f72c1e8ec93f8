package org.anoscan.backend;

/** A recorded sequence of backend ops (see {@link GraphCapable}); close frees it, a second close is harmless. */
public interface CapturedGraph extends AutoCloseable {

    /** Queues one run of the recorded ops on the backend's stream. Throws once closed. */
    void replay();

    @Override
    void close();
}
