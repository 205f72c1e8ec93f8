package org.anoscan.scan;

/**
 * Something that scores whole patch batches: one device's copy of the model ({@link SearchEngine}), or a
 * test's stand-in. The {@link EngineScheduler} hands batches to several of them.
 */
interface BatchEngine extends AutoCloseable {
    /** Names the device in logs and counts, e.g. "cpu (2 threads)#1". */
    String name();

    /**
     * Searches {@code ids.length} patches ({@code data} holds exactly them, NCHW) and, when {@code features},
     * their feature terms too. Throws when the device fails; the batch is then retried elsewhere.
     */
    BatchScores score(float[] data, long[] ids, boolean features);

    @Override
    void close();
}
