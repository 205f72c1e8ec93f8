package org.anoscan.bench;

import java.io.IOException;
import java.util.List;
import org.anoscan.backend.Backend;
import org.anoscan.eval.Roc;
import org.anoscan.io.Mnist;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import org.anoscan.nn.Encoder;
import org.anoscan.train.ArrayPatchSource;
import org.anoscan.train.EncoderTrainConfig;
import org.anoscan.train.EncoderTrainer;
import org.anoscan.train.GanTrainer;
import org.anoscan.train.TrainConfig;
import org.anoscan.train.TrainListener;

/**
 * The one-class MNIST protocol (Ruff et al. 2018): train the DCGAN on the training images of one digit,
 * score test images by latent search, the digit normal and every other digit anomalous, and report the
 * image-level AUROC.
 */
public final class MnistOneClass {
    private MnistOneClass() {}

    /**
     * @param spec       the DCGAN-32 to train
     * @param train      training settings
     * @param search     latent-search settings
     * @param maxTrain   at most this many training images of the digit (all: Integer.MAX_VALUE)
     * @param maxNormal  at most this many normal test images (the first ones of the test set)
     * @param maxAnomalous at most this many anomalous test images
     */
    public record Settings(DcganSpec spec, TrainConfig train, SearchConfig search, int maxTrain, int maxNormal, int maxAnomalous) {
    }

    /** AUROC of one digit, with the time spent training and scoring. */
    public record Outcome(int digit, double auroc, int normals, int anomalies, double trainSeconds, double scoreSeconds,
                          double meanNormalScore, double meanAnomalousScore) {
        /** Scored patches per second. */
        public double patchesPerSecond() {
            return (normals + anomalies) / scoreSeconds;
        }
    }

    public static Outcome run(Backend backend, Mnist.Set trainSet, Mnist.Set testSet, int digit, Settings s,
                              TrainListener listener) throws IOException {
        long t0 = System.nanoTime();
        try (Dcgan model = train(backend, trainSet, digit, s, listener)) {
            return evaluate(model, testSet, digit, s, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** A DCGAN trained on the training images of digit (the caller closes it). */
    public static Dcgan train(Backend backend, Mnist.Set trainSet, int digit, Settings s, TrainListener listener) throws IOException {
        Mnist.Set normalTrain = trainSet.filter(digit, true, s.maxTrain());
        Dcgan model = new Dcgan(backend, s.spec(), s.train().seed());
        try (GanTrainer trainer = new GanTrainer(model, s.train())) {
            trainer.train(new ArrayPatchSource(normalTrain.patches(), normalTrain.count(), 1, Mnist.SIZE), listener, null);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** Attaches an encoder (the model's ndf wide) to model and trains it on the training images of digit (izi_f). */
    public static void trainEncoder(Dcgan model, Mnist.Set trainSet, int digit, Settings s, EncoderTrainConfig cfg,
                                    TrainListener listener) throws IOException {
        Mnist.Set normalTrain = trainSet.filter(digit, true, s.maxTrain());
        model.setEncoder(new Encoder(model.backend(), model.spec(), model.spec().ndf(), cfg.seed() + 1));
        try (EncoderTrainer trainer = new EncoderTrainer(model, cfg)) {
            trainer.train(new ArrayPatchSource(normalTrain.patches(), normalTrain.count(), 1, Mnist.SIZE), listener, null);
        }
    }

    /** Scores the test images of digit (normal) and of the other digits (anomalous) with a trained model. */
    public static Outcome evaluate(Dcgan model, Mnist.Set testSet, int digit, Settings s, double trainSeconds) {
        Mnist.Set normalTest = testSet.filter(digit, true, s.maxNormal());
        Mnist.Set anomalousTest = testSet.filter(digit, false, s.maxAnomalous());
        long t1 = System.nanoTime();
        LatentSearch search = new LatentSearch(model, s.search());
        List<SearchResult> normal = search.search(normalTest.patches(), normalTest.count());
        List<SearchResult> anomalous = search.search(anomalousTest.patches(), anomalousTest.count());
        double scoreSeconds = (System.nanoTime() - t1) / 1e9;
        int n = normal.size() + anomalous.size();
        double[] scores = new double[n];
        boolean[] labels = new boolean[n];
        for (int i = 0; i < n; i++) {
            boolean bad = i >= normal.size();
            scores[i] = (bad ? anomalous.get(i - normal.size()) : normal.get(i)).score();
            labels[i] = bad;
        }
        return new Outcome(digit, Roc.auroc(scores, labels), normal.size(), anomalous.size(), trainSeconds, scoreSeconds,
                mean(scores, 0, normal.size()), mean(scores, normal.size(), n));
    }

    private static double mean(double[] a, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += a[i];
        return s / (to - from);
    }
}
