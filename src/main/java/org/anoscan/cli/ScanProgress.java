package org.anoscan.cli;

import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr for image scans: images done (or failed) of the total, images/s and ETA. */
final class ScanProgress implements AutoCloseable {
    private final ProgressBar bar; // null when switched off

    ScanProgress(String task, int total, boolean enabled) {
        this.bar = enabled ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).setUnit(" img", 1).showSpeed().setSpeedUnit(ChronoUnit.SECONDS)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
    }

    void step(String message) {
        stepBy(1, message);
    }

    void stepBy(int n, String message) {
        if (bar == null) return;
        bar.stepBy(n);
        bar.setExtraMessage(message);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
