package org.anoscan.scan;

import java.nio.file.Path;

/** Hears about each file of {@link AnomalyScanner#scanFiles}: its result, or why it was skipped. */
public interface ScanListener {
    /** A file was scanned; called in input order. */
    void onResult(Path file, ScanResult result);

    /**
     * A file could not be scanned (missing, corrupt, wrong channel count, smaller than a patch) and was
     * skipped; {@code message} is one line naming the file.
     */
    void onFailure(Path file, String message);

    /**
     * Asked before each new file is read: true stops the scan there. The images already read (their patches
     * may share a batch with others) are finished and delivered first, so nothing is left half done.
     */
    default boolean stopRequested() {
        return false;
    }

    /** {@code file} was read and cut into {@code patches} patches (for progress: the unit of work). */
    default void onTiled(Path file, int patches) {}

    /** A batch of {@code patches} patches (of any images) was searched or skipped as flat. */
    default void onBatch(int patches) {}

    /** Something about the inputs worth a line (e.g. colour images converted to grey); ignored by default. */
    default void onNotice(String message) {}
}
