package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.anoscan.train.EncoderTrainer;
import org.anoscan.train.PatchSource;
import org.anoscan.train.TrainListener;

/** Runs encoder training with a progress bar, a checkpoint and Ctrl-C / SIGTERM handling (train and train-encoder). */
final class EncoderTraining {
    private EncoderTraining() {}

    /** Trains to the config's steps; false when stopped by a signal (the checkpoint is written then). */
    static boolean run(EncoderTrainer trainer, PatchSource source, Path checkpoint, StopSignals stop) throws IOException {
        int steps = trainer.config().steps();
        try (TrainProgress bar = new TrainProgress("encoder", trainer.step(), steps, " loss %.4f feature %.4f %.0f patches/s")) {
            return trainer.train(source, new TrainListener() {
                @Override
                public void onStep(int step, int total, float loss, float feature, double patchesPerSecond) {
                    bar.onStep(step, total, loss, feature, patchesPerSecond);
                }

                @Override
                public void onCheckpoint(int step, Path file) {
                    bar.onCheckpoint(step, file);
                }

                @Override
                public boolean stopRequested() {
                    return stop.requested();
                }
            }, checkpoint);
        }
    }

    /** The one line a stopped run prints. */
    static String stopped(String command, StopSignals stop, int done, int steps, Path checkpoint, Path model) {
        return "anoscan " + command + ": stopped by SIG" + stop.name() + " after encoder step " + done + " of " + steps
                + "; checkpoint written to " + checkpoint + " (continue with anoscan train-encoder -m " + model + " --resume " + checkpoint + " INPUT...)";
    }
}
