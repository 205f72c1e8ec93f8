package org.anoscan.cli;

import java.util.concurrent.Callable;
import org.anoscan.backend.Backend;
import org.anoscan.backend.BackendProvider;
import org.anoscan.backend.Devices;
import picocli.CommandLine.Command;

/** {@code anoscan info}: backends, devices and versions. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show backends, devices and versions.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("anoscan " + VersionInfo.version());
        System.out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        System.out.println("libraries: JavaCPP " + preset("javacpp") + ", OpenBLAS preset " + preset("openblas") + ", OpenCV preset "
                + preset("opencv") + ", CUDA preset " + preset("cuda"));
        for (BackendProvider p : Devices.providers()) {
            int n = p.deviceCount();
            if (n == 0) {
                System.out.println(p.kind() + ": unavailable: " + p.unavailableReason());
                continue;
            }
            for (int i = 0; i < n; i++) {
                try (Backend b = p.open(i)) {
                    System.out.println(b.name() + ": " + b.description());
                } catch (RuntimeException e) {
                    System.out.println(p.kind() + ":" + i + ": cannot open: " + Main.oneLine(e));
                }
            }
        }
        return ExitCodes.OK;
    }

    /** The version of an org.bytedeco artifact on the class path, from its jar's Maven metadata. */
    private static String preset(String artifact) {
        try {
            String v = org.bytedeco.javacpp.Loader.getVersion("org.bytedeco", artifact);
            return v == null ? "(not found)" : v;
        } catch (java.io.IOException | RuntimeException e) {
            return "(unknown)";
        }
    }
}
