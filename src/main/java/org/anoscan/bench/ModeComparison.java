package org.anoscan.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.Mnist;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.search.ScoringMode;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Precision;
import org.anoscan.train.EncoderTrainConfig;

/**
 * The MNIST one-class benchmark over several scoring modes ({@code OneClassBenchmark --modes}): each digit's
 * DCGAN and encoder are trained once (or read from a cache folder) and every mode scores the same test images
 * with the same model, one mode after the other, so that AUROCs and patches/s compare like for like; with
 * {@code --rounds R} the modes are run R times in turn on each digit and patches/s counts all rounds.
 */
final class ModeComparison {
    private ModeComparison() {}

    /** "search:100", "encoder", "hybrid:20" as a search config derived from base. */
    static SearchConfig parseMode(String spec, SearchConfig base) {
        String[] parts = spec.trim().split(":");
        ScoringMode mode = ScoringMode.parse(parts[0]);
        SearchConfig c = base.withMode(mode);
        if (parts.length > 1) c = c.withIterations(Integer.parseInt(parts[1]));
        else if (mode == ScoringMode.ENCODER) c = c.withIterations(0);
        else throw new IllegalArgumentException("mode " + spec + " needs its steps, e.g. " + mode.label() + ":20");
        return c;
    }

    static String label(SearchConfig c) {
        return c.mode() == ScoringMode.ENCODER ? "encoder" : c.mode().label() + " " + c.iterations();
    }

    static void run(String device, Precision precision, Mnist.Set train, Mnist.Set test, List<Integer> digits, MnistOneClass.Settings s,
                    String setting, String[] args, List<String> modeSpecs, EncoderTrainConfig enc, Path cache, int rounds) throws IOException {
        List<SearchConfig> modes = new ArrayList<>();
        for (String m : modeSpecs) modes.add(parseMode(m, s.search()));
        if (cache != null) Files.createDirectories(cache);
        Map<String, double[]> auroc = new LinkedHashMap<>();
        Map<String, double[]> seconds = new LinkedHashMap<>();
        Map<String, long[]> patches = new LinkedHashMap<>();
        for (SearchConfig m : modes) {
            auroc.put(label(m), new double[digits.size()]);
            seconds.put(label(m), new double[1]);
            patches.put(label(m), new long[1]);
        }
        try (Backend backend = Devices.open(device, System.out::println)) {
            System.out.println("# setting " + setting + " with arguments " + String.join(" ", args) + ": " + s);
            System.out.println("# encoder " + enc + ", width = ndf");
            backend.setPrecision(precision != null ? precision : backend.defaultPrecision());
            System.out.println("# backend " + backend.description() + ", precision " + backend.precision().label());
            System.out.println("digit  mode        auroc   score_s  patches/s  gan_train_s  encoder_train_s");
            for (int di = 0; di < digits.size(); di++) {
                int d = digits.get(di);
                double[] trainS = new double[2];
                try (Dcgan model = trainedModel(backend, train, d, s, enc, cache, trainS)) {
                    for (int round = 0; round < rounds; round++) for (SearchConfig m : modes) { // rounds alternate the modes in time
                        MnistOneClass.Settings ms = new MnistOneClass.Settings(s.spec(), s.train(), m, s.maxTrain(), s.maxNormal(), s.maxAnomalous());
                        MnistOneClass.Outcome o = MnistOneClass.evaluate(model, test, d, ms, trainS[0]);
                        String l = label(m);
                        if (round > 0 && o.auroc() != auroc.get(l)[di]) throw new IllegalStateException("AUROC moved between rounds: " + l);
                        auroc.get(l)[di] = o.auroc();
                        seconds.get(l)[0] += o.scoreSeconds();
                        patches.get(l)[0] += o.normals() + o.anomalies();
                        System.out.println(String.format(Locale.ROOT, "%5d  %-10s  %.4f  %7.2f  %9.1f  %11.1f  %15.1f", d, l, o.auroc(),
                                o.scoreSeconds(), o.patchesPerSecond(), trainS[0], trainS[1]));
                        System.out.flush();
                    }
                }
            }
            System.out.println();
            StringBuilder head = new StringBuilder("| mode |");
            StringBuilder rule = new StringBuilder("| --- |");
            for (int d : digits) {
                head.append(' ').append(d).append(" |");
                rule.append(" --- |");
            }
            head.append(" mean | patches/s | speed vs first |");
            rule.append(" --- | --- | --- |");
            System.out.println(head);
            System.out.println(rule);
            double firstRate = Double.NaN;
            for (SearchConfig m : modes) {
                String l = label(m);
                double[] a = auroc.get(l);
                StringBuilder row = new StringBuilder("| " + l + " |");
                double sum = 0;
                for (double v : a) {
                    row.append(String.format(Locale.ROOT, " %.1f |", 100 * v));
                    sum += v;
                }
                double rate = patches.get(l)[0] / seconds.get(l)[0];
                if (Double.isNaN(firstRate)) firstRate = rate;
                row.append(String.format(Locale.ROOT, " %.1f | %.1f | %.1fx |", 100 * sum / a.length, rate, rate / firstRate));
                System.out.println(row);
            }
        }
    }

    /** The digit's DCGAN with a trained encoder, from the cache when it holds one for these settings. */
    private static Dcgan trainedModel(Backend backend, Mnist.Set train, int d, MnistOneClass.Settings s, EncoderTrainConfig enc,
                                      Path cache, double[] trainSeconds) throws IOException {
        String key = String.format(Locale.ROOT, "digit%d-nz%d-w%d-steps%d-max%d-enc%d-lr%s-k%s.safetensors", d, s.spec().nz(),
                s.spec().ngf(), s.train().steps(), Math.min(s.maxTrain(), 99999), enc.steps(), enc.learningRate(), enc.kappa());
        Path file = cache == null ? null : cache.resolve(key);
        if (file != null && Files.exists(file)) {
            ModelFile.Loaded loaded = ModelFile.load(file, backend);
            Map<String, String> info = loaded.info();
            trainSeconds[0] = Double.parseDouble(info.getOrDefault("bench.gan_train_s", "NaN"));
            trainSeconds[1] = Double.parseDouble(info.getOrDefault("bench.encoder_train_s", "NaN"));
            System.out.println("# digit " + d + ": model and encoder from " + file);
            return loaded.model();
        }
        long t0 = System.nanoTime();
        Dcgan model = MnistOneClass.train(backend, train, d, s, null);
        try {
            trainSeconds[0] = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            MnistOneClass.trainEncoder(model, train, d, s, enc, null);
            trainSeconds[1] = (System.nanoTime() - t1) / 1e9;
            if (file != null) {
                ModelFile.save(file, model, Map.of("bench.gan_train_s", Double.toString(trainSeconds[0]),
                        "bench.encoder_train_s", Double.toString(trainSeconds[1])), Map.of());
            }
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
