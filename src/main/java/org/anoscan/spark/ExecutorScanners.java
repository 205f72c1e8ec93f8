package org.anoscan.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.anoscan.cli.ScanOptions;
import org.anoscan.scan.AnomalyScanner;
import org.anoscan.scan.ScanConfig;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * One scanner per executor JVM (per model, settings and device): made by the first task that needs it, reused by
 * every later task on that executor (the model is loaded once, not per task or row), closed when the JVM exits.
 * Tasks running at once share it: it is thread-safe, and the searches take turns on the device.
 */
final class ExecutorScanners {
    private ExecutorScanners() {}

    private static final Map<String, AnomalyScanner> SCANNERS = new LinkedHashMap<>();
    private static boolean hooked;

    /** The device of the running task: the GPU Spark gave it ("gpu" task resource), else the CPU. */
    static String device(TaskContext task) {
        if (task == null) return "cpu";
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        if (gpu == null || gpu.addresses().length == 0) return "cpu";
        return "cuda:" + gpu.addresses()[0].trim();
    }

    static synchronized AnomalyScanner get(ScanSpec spec, String device) throws IOException {
        String key = spec.scannerKey() + "|" + device;
        AnomalyScanner s = SCANNERS.get(key);
        if (s != null) return s;
        Path model = Path.of(spec.model());
        ScanConfig cfg = ScanOptions.parse(model, spec.scoringArgs(), device.equals("cpu"), ExecutorScanners::log)
                .withThresholds(spec.threshold(), spec.pixelThreshold());
        s = AnomalyScanner.open(model, device, cfg, ExecutorScanners::log);
        log("loaded " + model + " on " + s.backend().description() + " (once for this executor)");
        SCANNERS.put(key, s);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ExecutorScanners::closeAll, "anoscan-close-scanners"));
        }
        return s;
    }

    /** How many scanners this JVM holds (tests: one per executor, not per task). */
    static synchronized int count() { return SCANNERS.size(); }

    static synchronized void closeAll() {
        for (AnomalyScanner s : SCANNERS.values()) s.close();
        SCANNERS.clear();
    }

    private static void log(String message) {
        System.err.println("anoscan executor: " + message);
    }
}
