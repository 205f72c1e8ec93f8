package org.anoscan.scan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.anoscan.backend.Backend;
import org.anoscan.nn.Dcgan;

/**
 * The old name of {@link AnomalyScanner}, kept so existing code compiles; it clashed with
 * {@code java.util.Scanner} in user code.
 *
 * @deprecated use {@link AnomalyScanner}
 */
@Deprecated(since = "0.2")
public final class Scanner extends AnomalyScanner {
    /** @deprecated use {@link AnomalyScanner#AnomalyScanner(Dcgan, Map, ScanConfig)} */
    @Deprecated(since = "0.2")
    public Scanner(Dcgan model, Map<String, String> info, ScanConfig cfg) {
        super(model, false, null, info, null, cfg, java.util.List.of());
    }

    private Scanner(Dcgan model, Backend ownedBackend, Map<String, String> info, MapStatistics stats, ScanConfig cfg,
                    java.util.List<String> fileWarnings) {
        super(model, true, ownedBackend, info, stats, cfg, fileWarnings);
    }

    /** @deprecated use {@link AnomalyScanner#open(Path, Backend, ScanConfig)} */
    @Deprecated(since = "0.2")
    public static Scanner open(Path modelFile, Backend backend, ScanConfig cfg) throws IOException {
        return load(modelFile, backend, null, info -> cfg, msg -> {}, Scanner::new);
    }

    /** @deprecated use {@link AnomalyScanner#open(Path, String, ScanConfig, Consumer)} */
    @Deprecated(since = "0.2")
    public static Scanner open(Path modelFile, String device, ScanConfig cfg, Consumer<String> notice) throws IOException {
        return openOn(modelFile, device, info -> cfg, notice, Scanner::new);
    }
}
