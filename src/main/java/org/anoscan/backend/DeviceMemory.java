package org.anoscan.backend;

/**
 * Memory of a device backend, so that a caller can size a batch before it runs (and split one that
 * does not fit; see {@link DeviceOutOfMemoryException} for the other way round).
 */
public interface DeviceMemory {

    /** Bytes the backend can still get: free device memory plus what its own pool holds idle. */
    long freeDeviceMemory();

    /** Bytes of device memory in all. */
    long totalDeviceMemory();
}
