package org.anoscan.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/** Opens a backend from a device choice: {@code auto | cpu | cuda | cuda:N}. */
public final class Devices {
    private Devices() {}

    /** Every provider on the class path. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        return list;
    }

    public static BackendProvider provider(String kind) {
        for (BackendProvider p : providers()) {
            if (p.kind().equals(kind)) return p;
        }
        throw new IllegalArgumentException("no backend of kind '" + kind + "' is on the class path");
    }

    /**
     * Opens the chosen backend. {@code auto} picks CUDA device 0 when one is found, else the CPU, and
     * tells {@code notice} which it chose and why.
     */
    public static Backend open(String choice, Consumer<String> notice) {
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals("cpu")) return provider("cpu").open(0);
        if (c.equals("auto")) {
            for (BackendProvider p : providers()) {
                if (p.kind().equals("cuda")) {
                    int n = p.deviceCount();
                    if (n > 0) {
                        Backend b = p.open(0);
                        notice.accept("device auto: using " + b.description());
                        return b;
                    }
                    // one line on every CPU run; the long reason (what was looked for, what to install) is in 'anoscan info'
                    notice.accept("device auto: no usable CUDA device; using the CPU ('anoscan info' says why)");
                }
            }
            Backend cpu = provider("cpu").open(0);
            if (providers().stream().noneMatch(p -> p.kind().equals("cuda"))) {
                notice.accept("device auto: using " + cpu.description());
            }
            return cpu;
        }
        if (c.equals("cuda") || c.startsWith("cuda:")) {
            int index = 0;
            if (c.startsWith("cuda:")) {
                try {
                    index = Integer.parseInt(c.substring(5));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad device '" + choice + "': use auto, cpu, cuda or cuda:N");
                }
            }
            BackendProvider p = provider("cuda");
            int n = p.deviceCount();
            if (n == 0) throw new IllegalStateException("device " + choice + ": no CUDA device: " + p.unavailableReason());
            if (index < 0 || index >= n) {
                throw new IllegalArgumentException("device " + choice + ": there are " + n + " CUDA device(s), cuda:0 to cuda:" + (n - 1));
            }
            return p.open(index);
        }
        throw new IllegalArgumentException("bad device '" + choice + "': use auto, cpu, cuda or cuda:N");
    }
}
