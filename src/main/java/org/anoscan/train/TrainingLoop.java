package org.anoscan.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The loop {@link GanTrainer} and {@link EncoderTrainer} share: steps up to a total, the listener told after
 * each, a checkpoint every N steps, at the end and when the listener asks to stop.
 */
final class TrainingLoop {
    /** One trainer's side of the loop. */
    interface Steps {
        /** Steps done so far. */
        int step();

        /** One step; returns the two losses the listener hears. */
        float[] trainStep(PatchSource source);

        void saveCheckpoint(Path file) throws IOException;
    }

    private TrainingLoop() {}

    /** @return true when all steps are done, false when the listener stopped training early */
    static boolean run(Steps t, int total, int batch, int checkpointEvery, PatchSource source, TrainListener listener, Path checkpointFile)
            throws IOException {
        long start = System.nanoTime();
        int first = t.step();
        while (t.step() < total) {
            float[] losses = t.trainStep(source);
            int step = t.step();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (listener != null) listener.onStep(step, total, losses[0], losses[1], (step - first) * (double) batch / seconds);
            boolean stop = listener != null && listener.stopRequested();
            boolean due = checkpointEvery > 0 && step % checkpointEvery == 0;
            if (checkpointFile != null && (due || stop || step == total)) {
                t.saveCheckpoint(checkpointFile);
                if (listener != null) listener.onCheckpoint(step, checkpointFile);
            }
            if (stop) return step == total;
        }
        return true;
    }
}
