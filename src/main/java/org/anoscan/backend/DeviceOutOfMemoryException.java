package org.anoscan.backend;

/**
 * A device allocation failed for lack of memory. Callers that can work in parts (a latent search over a
 * batch) catch it and split the batch; others let it reach the user, whose message says what to do.
 */
public class DeviceOutOfMemoryException extends RuntimeException {
    private final long requestedBytes;
    private final long freeBytes;
    private final long totalBytes;

    public DeviceOutOfMemoryException(String device, long requestedBytes, long freeBytes, long totalBytes) {
        super(device + ": out of GPU memory: " + mib(requestedBytes) + " needed, " + mib(freeBytes) + " free of "
                + mib(totalBytes) + "; use a smaller batch, or stop other programs that use this GPU");
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.totalBytes = totalBytes;
    }

    /** The allocation that failed, in bytes. */
    public long requestedBytes() { return requestedBytes; }

    /** Free device memory when it failed (as the driver reported it), in bytes. */
    public long freeBytes() { return freeBytes; }

    public long totalBytes() { return totalBytes; }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
