package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.Backend;
import org.anoscan.backend.BackendProvider;
import org.anoscan.backend.Devices;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Device choice where CUDA is missing (this runs on every machine; the checks that need the libraries to
 * be absent skip where a CUDA device is found).
 */
class CudaProviderTest {
    private static final BackendProvider CUDA = new CudaBackendProvider();

    private static void assumeNoDevice() {
        Assumptions.assumeTrue(CUDA.deviceCount() == 0, "a CUDA device is present: the no-device behaviour cannot be seen here");
    }

    @Test
    void theServiceLoaderFindsTheCudaProvider() {
        assertTrue(Devices.providers().stream().anyMatch(p -> p instanceof CudaBackendProvider), "META-INF/services lists CudaBackendProvider");
        assertEquals("cuda", Devices.provider("cuda").kind());
    }

    @Test
    void probingNeverThrowsAndTheReasonIsEmptyExactlyWhenDevicesExist() {
        int n = CUDA.deviceCount(); // must not throw, whatever is installed
        assertEquals(n == 0, !CUDA.unavailableReason().isEmpty());
        assertEquals(n, CUDA.deviceCount(), "probed once, stable");
    }

    @Test
    void theReasonSaysWhatWasLookedForWhatFailedAndWhatToInstall() {
        assumeNoDevice();
        String reason = CUDA.unavailableReason();
        assertFalse(reason.contains("\n"), "one line: " + reason);
        for (String needed : List.of("libcudart.so.13", "libcudnn.so.9", "cuBLAS", "NVIDIA driver", "--device cpu")) {
            assertTrue(reason.contains(needed), "the reason should mention " + needed + ": " + reason);
        }
        // what failed: the loader's own words (on a machine without the driver: libcuda.so.1 cannot be opened)
        assertTrue(reason.contains("could not be loaded") || reason.contains("failed") || reason.contains("no CUDA device"), reason);
    }

    @Test
    void autoFallsBackToTheCpuWithANotice() {
        assumeNoDevice();
        List<String> notices = new ArrayList<>();
        try (Backend b = Devices.open("auto", notices::add)) {
            assertEquals("cpu", b.name());
        }
        assertEquals(1, notices.size(), notices.toString());
        String notice = notices.get(0);
        assertEquals("device auto: no usable CUDA device; using the CPU ('anoscan info' says why)", notice,
                "one short line on every CPU run; the details are in anoscan info");
        assertTrue(notice.length() < 100, notice);
    }

    @Test
    void cudaZeroThrowsOneClearLine() {
        assumeNoDevice();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Devices.open("cuda:0", s -> { }));
        String m = e.getMessage();
        assertTrue(m.startsWith("device cuda:0: no CUDA device: "), m);
        assertFalse(m.contains("\n"), m);
        IllegalStateException direct = assertThrows(IllegalStateException.class, () -> CUDA.open(0));
        assertTrue(direct.getMessage().startsWith("cuda:0: no CUDA device: "), direct.getMessage());
    }

    @Test
    void cpuStaysAvailable() {
        try (Backend b = Devices.open("cpu", s -> { })) {
            assertEquals("cpu", b.name());
        }
    }
}
