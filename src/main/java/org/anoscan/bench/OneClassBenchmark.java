package org.anoscan.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.backend.cpu.ConvBatching;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.Mnist;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.SearchConfig;
import org.anoscan.tensor.Precision;
import org.anoscan.train.EncoderTrainConfig;
import org.anoscan.train.TrainConfig;

/**
 * The MNIST one-class benchmark: for each digit, train on that digit's training images, score the test
 * set (the digit normal, the other nine anomalous) and print the AUROC, the mean, and the time taken.
 *
 * <p>usage: OneClassBenchmark [--quick | --full] [--digits 0,1,..] [--device D] [--mnist DIR] [--steps N]
 * [--iterations N] [--normal N] [--anomalous N] [--width ngf=ndf] [--nz N] [--restarts K] [--precision fp32|tf32]
 * [--modes search:100,search:500,encoder,hybrid:20 --encoder-steps N --cache DIR --rounds R] [--per-sample] [--seed N]
 *
 * <p>{@code --per-sample} runs on the CPU backend's exact reference mode ({@link ConvBatching#PER_SAMPLE}: one GEMM per
 * sample, GEMMs only): the AUROCs of the fast default against it tell whether the fast convolutions' rounding
 * changes quality. {@code --seed N} trains with another seed (default 1), to see how much a digit's AUROC moves
 * between equally good runs.
 *
 * <p>With {@code --modes} each digit's DCGAN and encoder are trained once (or read from {@code --cache DIR}, where
 * they are kept for the next run) and every scoring mode is run on the same model and test images, one after the
 * other, so their AUROCs and patches/s compare like for like ({@code mode:N} is Γ or the hybrid's N steps).
 *
 * <p>On a GPU: {@code --full --device cuda:0} (the precision defaults to the backend's: tf32 there, as the
 * PyTorch peer's cuDNN convolutions); the peer is {@code .gpu/torch_anogan_oneclass.py} with the same
 * settings (see bench/gpu-oneclass.sh).
 */
public final class OneClassBenchmark {
    private OneClassBenchmark() {}

    /**
     * About two CPU minutes per digit on two cores: DCGAN-32 (nz 32, widths 16), 600 steps of 64, Γ = 100,
     * the first 150 normal and 150 anomalous test images.
     */
    public static MnistOneClass.Settings quick() {
        return new MnistOneClass.Settings(new DcganSpec(32, 1, 32, 16, 16), new TrainConfig(600, 64, 2e-4f, 0.5f, 1f, 1L, 0),
                SearchConfig.defaults().withIterations(100), Integer.MAX_VALUE, 150, 150);
    }

    /** Training steps of {@link #full()}: sized so that ten digits and the PyTorch peer fit device calls of 10 minutes. */
    public static final int FULL_STEPS = 2500;

    /**
     * The AnoGAN setting for the GPU: DCGAN-32 (nz 100, widths 64), {@value #FULL_STEPS} steps of 64, Γ = 500,
     * λ = 0.1, one restart (--restarts for more), the whole test set.
     */
    public static MnistOneClass.Settings full() {
        return new MnistOneClass.Settings(new DcganSpec(32, 1, 100, 64, 64), new TrainConfig(FULL_STEPS, 64, 2e-4f, 0.5f, 1f, 1L, 0),
                SearchConfig.defaults(), Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    public static void main(String[] args) throws IOException {
        MnistOneClass.Settings s = quick();
        String setting = "quick";
        String device = "auto";
        Precision precision = null;
        Path mnist = Path.of("data/mnist");
        List<Integer> digits = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        List<String> modes = null;
        int encoderSteps = 600;
        Path cache = null;
        int rounds = 1;
        boolean perSample = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> { s = quick(); setting = "quick"; }
                case "--full" -> { s = full(); setting = "full"; }
                case "--device" -> device = args[++i];
                case "--mnist" -> mnist = Path.of(args[++i]);
                case "--digits" -> {
                    digits.clear();
                    for (String d : args[++i].split(",")) digits.add(Integer.parseInt(d.trim()));
                }
                case "--steps" -> s = new MnistOneClass.Settings(s.spec(), s.train().withSteps(Integer.parseInt(args[++i])), s.search(),
                        s.maxTrain(), s.maxNormal(), s.maxAnomalous());
                case "--iterations" -> s = new MnistOneClass.Settings(s.spec(), s.train(), s.search().withIterations(Integer.parseInt(args[++i])),
                        s.maxTrain(), s.maxNormal(), s.maxAnomalous());
                case "--width" -> {
                    int w = Integer.parseInt(args[++i]);
                    s = new MnistOneClass.Settings(new DcganSpec(32, 1, s.spec().nz(), w, w), s.train(), s.search(), s.maxTrain(),
                            s.maxNormal(), s.maxAnomalous());
                }
                case "--nz" -> s = new MnistOneClass.Settings(new DcganSpec(32, 1, Integer.parseInt(args[++i]), s.spec().ngf(), s.spec().ndf()),
                        s.train(), s.search(), s.maxTrain(), s.maxNormal(), s.maxAnomalous());
                case "--normal" -> s = new MnistOneClass.Settings(s.spec(), s.train(), s.search(), s.maxTrain(), Integer.parseInt(args[++i]), s.maxAnomalous());
                case "--restarts" -> s = new MnistOneClass.Settings(s.spec(), s.train(), s.search().withRestarts(Integer.parseInt(args[++i])),
                        s.maxTrain(), s.maxNormal(), s.maxAnomalous());
                case "--precision" -> precision = Precision.parse(args[++i]);
                case "--modes" -> modes = List.of(args[++i].split(","));
                case "--encoder-steps" -> encoderSteps = Integer.parseInt(args[++i]);
                case "--cache" -> cache = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--per-sample" -> perSample = true;
                case "--seed" -> s = new MnistOneClass.Settings(s.spec(), s.train().withSeed(Long.parseLong(args[++i])), s.search(), s.maxTrain(),
                        s.maxNormal(), s.maxAnomalous());
                case "--anomalous" -> s = new MnistOneClass.Settings(s.spec(), s.train(), s.search(), s.maxTrain(), s.maxNormal(), Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Mnist.Set train = Mnist.read(mnist, "train");
        Mnist.Set test = Mnist.read(mnist, "t10k");
        if (perSample && (modes != null || !(device.equals("cpu") || device.equals("auto")))) {
            throw new IllegalArgumentException("--per-sample is the CPU backend's reference mode: it needs --device cpu and no --modes");
        }
        if (modes != null) {
            ModeComparison.run(device, precision, train, test, digits, s, setting, args, modes,
                    EncoderTrainConfig.defaults(encoderSteps), cache, rounds);
            return;
        }
        try (Backend backend = perSample ? new CpuBackend(Runtime.getRuntime().availableProcessors(), ConvBatching.PER_SAMPLE)
                : Devices.open(device, System.out::println)) {
            System.out.println("# setting " + setting + (args.length > 0 ? " with arguments " + String.join(" ", args) : "") + ": " + s);
            backend.setPrecision(precision != null ? precision : backend.defaultPrecision());
            System.out.println("# backend " + backend.description() + ", precision " + backend.precision().label());
            System.out.println("digit  auroc   normal anomalous  train_s  train_steps/s  score_s  patches/s  mean_score_normal  mean_score_anomalous");
            double sum = 0;
            for (int d : digits) {
                MnistOneClass.Outcome o = MnistOneClass.run(backend, train, test, d, s, null);
                sum += o.auroc();
                System.out.println(String.format(Locale.ROOT, "%5d  %.4f  %6d %9d  %7.1f  %13.1f  %7.1f  %9.1f  %17.2f  %20.2f", d, o.auroc(),
                        o.normals(), o.anomalies(), o.trainSeconds(), s.train().steps() / o.trainSeconds(), o.scoreSeconds(),
                        o.patchesPerSecond(), o.meanNormalScore(),
                        o.meanAnomalousScore()));
            }
            System.out.println(String.format(Locale.ROOT, "mean AUROC %.4f over %d digit(s)", sum / digits.size(), digits.size()));
        }
    }
}
