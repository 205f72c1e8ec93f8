package org.anoscan.backend;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Opens a backend from a device choice: {@code auto | cpu | cuda | cuda:N}, or several from a list of them
 * ({@code cuda:0,cuda:1}, {@code cuda:all}; {@code cpu,cpu} makes two CPU engines, to try the scheduler).
 */
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

    /** One device, a comma-separated list of them, or {@code cuda:all}; each item as {@link #open}. */
    public static final String CHOICE_PATTERN = "(auto|cpu|cuda(:\\d+)?|cuda:all)(\\s*,\\s*(auto|cpu|cuda(:\\d+)?|cuda:all))*";

    /** Whether {@code choice} names more than one device (a list, or {@code cuda:all}). */
    public static boolean isList(String choice) {
        String c = choice == null ? "" : choice.trim().toLowerCase(Locale.ROOT);
        return c.contains(",") || c.equals("cuda:all");
    }

    /**
     * Opens every device of a choice, in order: a list ({@code cuda:0,cuda:1}), {@code cuda:all} (every CUDA
     * device found), or one device as {@link #open}. A CUDA device listed twice is refused (two engines on one
     * GPU only share it); {@code cpu} may repeat. When one cannot be opened, those opened are closed.
     */
    public static List<Backend> openAll(String choice, Consumer<String> notice) {
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        List<String> items = new ArrayList<>();
        for (String item : c.split(",")) {
            item = item.trim();
            if (item.equals("cuda:all")) {
                int n = provider("cuda").deviceCount();
                if (n == 0) throw new IllegalStateException("device cuda:all: no CUDA device: " + provider("cuda").unavailableReason());
                for (int i = 0; i < n; i++) items.add("cuda:" + i);
            } else {
                items.add(item.equals("cuda") ? "cuda:0" : item);
            }
        }
        Set<String> seen = new HashSet<>();
        for (String item : items) {
            if (item.startsWith("cuda") && !seen.add(item)) throw new IllegalArgumentException("device " + item + " is listed twice in '" + choice + "'");
        }
        List<Backend> opened = new ArrayList<>(items.size());
        try {
            for (String item : items) opened.add(open(item, notice));
        } catch (RuntimeException e) {
            for (Backend b : opened) b.close();
            throw e;
        }
        return opened;
    }
}
