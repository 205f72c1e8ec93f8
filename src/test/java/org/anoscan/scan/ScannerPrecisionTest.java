package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.Backend;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.FloatImage;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.tensor.Precision;
import org.junit.jupiter.api.Test;

/** The scanner runs its searches in the config's precision, or in the backend's default when the config names none. */
class ScannerPrecisionTest {

    /** A CPU backend that claims TF32 as its default (as a TF32-capable GPU does) and records what it is set to. */
    private static Backend tf32Default(CpuBackend cpu, List<Precision> set) {
        return (Backend) Proxy.newProxyInstance(ScannerPrecisionTest.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "defaultPrecision" -> { return Precision.TF32; }
                        case "setPrecision" -> { set.add((Precision) args[0]); return null; }
                        case "precision" -> { return set.isEmpty() ? Precision.FP32 : set.get(set.size() - 1); }
                        default -> { }
                    }
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void defaultIsTheBackendsAndAnExplicitPrecisionWins() {
        FloatImage image = FloatImage.map(32, 32, new float[32 * 32], "flat");
        try (CpuBackend cpu = new CpuBackend()) {
            List<Precision> set = new ArrayList<>();
            Backend b = tf32Default(cpu, set);
            try (Dcgan model = new Dcgan(b, new DcganSpec(32, 1, 8, 4, 4), 1L)) {
                ScanConfig cfg = ScanConfig.defaults().withIterations(1);
                try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), cfg)) {
                    s.scan(image);
                }
                assertEquals(List.of(Precision.TF32), set, "no precision in the config: the backend's default");
                assertEquals(Precision.TF32, cfg.precisionFor(b));
                set.clear();
                try (AnomalyScanner s = new AnomalyScanner(model, Map.of(), cfg.withPrecision(Precision.FP32))) {
                    s.scan(image);
                }
                assertEquals(List.of(Precision.FP32), set, "the config's precision");
            }
            assertEquals(Precision.FP32, ScanConfig.defaults().precisionFor(cpu), "the CPU's default is fp32");
        }
    }
}
