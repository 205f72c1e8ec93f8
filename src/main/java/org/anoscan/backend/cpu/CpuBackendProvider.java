package org.anoscan.backend.cpu;

import org.anoscan.backend.Backend;
import org.anoscan.backend.BackendProvider;

/** The CPU backend: always one device. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String kind() {
        return "cpu";
    }

    @Override
    public int deviceCount() {
        return 1;
    }

    @Override
    public String unavailableReason() {
        return "";
    }

    @Override
    public Backend open(int index) {
        if (index != 0) throw new IllegalArgumentException("cpu: there is one CPU device, index 0, not " + index);
        return new CpuBackend();
    }
}
