package org.anoscan.scan;

import java.nio.file.Path;

/** Hears about each file of {@link Scanner#scanFiles}: its result, or why it was skipped. */
public interface ScanListener {
    /** A file was scanned; called in input order. */
    void onResult(Path file, ScanResult result);

    /**
     * A file could not be scanned (missing, corrupt, wrong channel count, smaller than a patch) and was
     * skipped; {@code message} is one line naming the file.
     */
    void onFailure(Path file, String message);
}
