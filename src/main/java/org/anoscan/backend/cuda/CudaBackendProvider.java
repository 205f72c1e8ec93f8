package org.anoscan.backend.cuda;

import org.anoscan.backend.Backend;
import org.anoscan.backend.BackendProvider;

/**
 * CUDA devices, found through {@link java.util.ServiceLoader}. Probing never throws: where the driver,
 * the CUDA runtime, cuBLAS, cuDNN or a device is missing, {@link #deviceCount()} is 0 and
 * {@link #unavailableReason()} says what was looked for, what failed and what to install.
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String kind() {
        return "cuda";
    }

    @Override
    public int deviceCount() {
        return CudaProbe.get().devices();
    }

    @Override
    public String unavailableReason() {
        return CudaProbe.get().reason();
    }

    @Override
    public Backend open(int index) {
        CudaProbe probe = CudaProbe.get();
        if (probe.devices() == 0) throw new IllegalStateException("cuda:" + index + ": no CUDA device: " + probe.reason());
        if (index < 0 || index >= probe.devices()) {
            throw new IllegalArgumentException("cuda:" + index + ": there are " + probe.devices() + " CUDA device(s), cuda:0 to cuda:"
                    + (probe.devices() - 1));
        }
        return new CudaBackend(index);
    }
}
