package org.anoscan.cli;

import java.nio.file.Path;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.anoscan.train.TrainListener;

/** A terminal progress bar for training: step, losses, patches/s and ETA. */
final class TrainProgress implements TrainListener, AutoCloseable {
    private final ProgressBar bar;
    private final String format;

    TrainProgress(int startStep, int totalSteps) {
        this("train", startStep, totalSteps, " D %.3f G %.3f %.0f patches/s");
    }

    /** format: the two losses and patches/s, e.g. " loss %.4f feature %.4f %.0f patches/s". */
    TrainProgress(String task, int startStep, int totalSteps, String format) {
        this.format = format;
        this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).showSpeed().setUnit(" steps", 1).startsFrom(startStep, java.time.Duration.ZERO)
                .continuousUpdate().build();
    }

    @Override
    public void onStep(int step, int totalSteps, float lossD, float lossG, double patchesPerSecond) {
        bar.stepTo(step);
        bar.setExtraMessage(String.format(Locale.ROOT, format, lossD, lossG, patchesPerSecond));
    }

    @Override
    public void onCheckpoint(int step, Path file) {
        bar.setExtraMessage(" checkpoint " + file.getFileName() + " at step " + step);
    }

    @Override
    public void close() {
        bar.close();
    }
}
