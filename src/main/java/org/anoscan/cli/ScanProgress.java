package org.anoscan.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.anoscan.scan.ScanListener;
import org.anoscan.scan.ScanResult;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Progress of a scan on stderr, counted in patches (the unit of work: one large image is many patches),
 * with images as the second figure, the patch rate and an ETA from the first batch on.
 *
 * <p>In a terminal one status line is redrawn in place, cut to the terminal's width so it never wraps
 * (a wrapped line cannot be redrawn) and padded so a shorter line clears a longer one; other messages go
 * through {@link #println}, which clears the line first. When stderr is not a terminal (a file, a pipe,
 * a CI log) there is no redrawing: a plain line every {@link #PLAIN_INTERVAL_NANOS} and one at the end.
 *
 * <p>The total is known exactly once every image is read; before that the images not yet read are
 * counted at the mean patch count of those read, and the line says so ("~").
 */
final class ScanProgress implements AutoCloseable {
    static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final String task;
    private final int images;
    private final PrintStream out;
    private final boolean terminal;
    private final IntSupplier width;
    private final LongSupplier clock;
    private final long start;
    private final boolean enabled;
    private long tiledPatches;   // patches of the images read so far
    private int tiledImages;
    private int failedImages;
    private int doneImages;
    private long donePatches;
    private String last = "";
    private long lastDraw = Long.MIN_VALUE;
    private int drawnLength;
    private String lastPlain = "";

    /** On stderr; a terminal when stderr is one. */
    ScanProgress(String task, int images, boolean enabled) {
        this(task, images, enabled, System.err, stderrIsTerminal(), ScanProgress::terminalWidth, System::nanoTime);
    }

    ScanProgress(String task, int images, boolean enabled, PrintStream out, boolean terminal, IntSupplier width,
                 LongSupplier clock) {
        this.task = task;
        this.images = images;
        this.enabled = enabled;
        this.out = out;
        this.terminal = terminal;
        this.width = width;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** An image was read and cut into {@code patches} patches. */
    synchronized void tiled(int patches) {
        tiledPatches += patches;
        tiledImages++;
    }

    /** A batch of {@code patches} patches was searched (or skipped as flat). */
    synchronized void searched(int patches) {
        donePatches += patches;
        draw(false);
    }

    /** An image is finished; {@code message} (its name and score) shows at the end of the line. */
    synchronized void imageDone(String message) {
        doneImages++;
        last = message;
        draw(false);
    }

    /** An image could not be read: it will have no patches. */
    synchronized void imageFailed(String message) {
        failedImages++;
        doneImages++;
        last = message;
        draw(false);
    }

    /** {@code n} images of one patch each were searched and are finished (IDX sets: an image is a patch). */
    synchronized void patchImagesDone(int n) {
        tiledImages += n;
        tiledPatches += n;
        donePatches += n;
        doneImages += n;
        draw(false);
    }

    /**
     * {@code inner} with this progress told of every tiled image and searched batch, and notices printed
     * (prefixed by {@code prefix}) without garbling the line; {@code inner} reports results and failures
     * through {@link #imageDone} and {@link #imageFailed}.
     */
    ScanListener around(String prefix, ScanListener inner) {
        return new ScanListener() {
            @Override
            public void onResult(Path file, ScanResult result) { inner.onResult(file, result); }

            @Override
            public void onFailure(Path file, String message) { inner.onFailure(file, message); }

            @Override
            public void onTiled(Path file, int patches) { tiled(patches); }

            @Override
            public void onBatch(int patches) { searched(patches); }

            @Override
            public void onNotice(String message) { println(prefix + message); }

            @Override
            public boolean stopRequested() { return inner.stopRequested(); }
        };
    }

    /** Prints a line of its own without garbling the status line. */
    synchronized void println(String line) {
        if (enabled && terminal && drawnLength > 0) {
            out.print("\r" + " ".repeat(drawnLength) + "\r");
            drawnLength = 0;
            lastDraw = Long.MIN_VALUE;
        }
        out.println(line);
        if (enabled && terminal) draw(true);
    }

    /** The status line as it reads now (without the trailing message in plain mode). */
    synchronized String status() {
        long total = estimatedTotal();
        boolean exact = tiledImages + failedImages >= images;
        double seconds = (clock.getAsLong() - start) / 1e9;
        StringBuilder b = new StringBuilder(task).append(": ");
        b.append(String.format(Locale.ROOT, "%3d%% ", total == 0 ? 0 : Math.min(100, donePatches * 100 / total)));
        b.append(String.format(Locale.ROOT, "%,d/%s%,d patches, %d/%d images", donePatches, exact ? "" : "~", total,
                doneImages, images));
        if (donePatches > 0 && seconds > 0) {
            double rate = donePatches / seconds;
            b.append(String.format(Locale.ROOT, ", %.1f patches/s, ", rate));
            b.append(donePatches >= total ? "elapsed " + clockTime(seconds) : "ETA " + clockTime((total - donePatches) / rate));
        } else {
            b.append(", elapsed ").append(clockTime(seconds));
        }
        return b.toString();
    }

    private long estimatedTotal() {
        int unread = Math.max(0, images - tiledImages - failedImages);
        if (unread == 0 || tiledImages == 0) return tiledPatches;
        return tiledPatches + Math.round((double) tiledPatches / tiledImages * unread);
    }

    private void draw(boolean force) {
        if (!enabled) return;
        long now = clock.getAsLong();
        if (terminal) {
            if (!force && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) return;
            String status = status();
            String line = status + (last.isEmpty() ? "" : "  " + last);
            int max = Math.max(20, width.getAsInt()) - 1; // the last column would wrap on some terminals
            if (line.length() > max) line = status.length() <= max ? status : compact(status); // the ETA matters more than names
            if (line.length() > max) line = line.substring(0, max);
            out.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
            out.flush();
            drawnLength = line.length();
        } else {
            // the first line comes with the first batch (rate and ETA), then one every few seconds
            if (lastDraw != Long.MIN_VALUE && now - lastDraw < PLAIN_INTERVAL_NANOS) return;
            if (donePatches == 0) return;
            if (tiledImages + failedImages >= images && donePatches >= tiledPatches) return; // all searched: close() says it
            printPlain();
        }
        lastDraw = now;
    }

    /** A plain line, unless it would repeat the last one (the last batch often finishes the last image). */
    private void printPlain() {
        String line = status();
        if (line.equals(lastPlain)) return;
        out.println(line);
        lastPlain = line;
    }

    /** The status in fewer columns, for a narrow terminal: "scan:  43% 64/~147 p, 0/3 img, 9.8 p/s, ETA 0:20". */
    static String compact(String status) {
        return status.replace(" patches/s", " p/s").replace(" patches", " p").replace(" images", " img");
    }

    static String clockTime(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public synchronized void close() {
        if (!enabled) return;
        if (terminal) {
            draw(true);
            if (drawnLength > 0) out.println();
        } else {
            printPlain();
        }
        out.flush();
    }

    /** True when stderr is a terminal (Linux: fd 2 is a tty device; elsewhere: there is a console). */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            if (Files.exists(fd2, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // fall through
        }
        return System.console() != null;
    }

    private static Terminal systemTerminal;

    /** The terminal's width in columns (80 when it cannot be told); asked each draw, so a resize is followed. */
    static synchronized int terminalWidth() {
        try {
            if (systemTerminal == null) systemTerminal = TerminalBuilder.builder().system(true).dumb(true).build();
            int w = systemTerminal.getWidth();
            return w > 0 ? w : envColumns();
        } catch (IOException | RuntimeException e) {
            return envColumns();
        }
    }

    private static int envColumns() {
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim());
            return c > 0 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
