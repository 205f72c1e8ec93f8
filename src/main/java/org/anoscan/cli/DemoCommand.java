package org.anoscan.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code anoscan demo}: scans the bundled brick images (one clean, one with a pasted gravel square, one
 * with a scratch) with the bundled brick model, which {@code anoscan train} made from brick texture alone
 * (the command is in the README) and {@code anoscan calibrate} calibrated on held-out brick.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Scan the bundled demo images with the bundled model and write the report.",
                "The model was trained on normal brick texture only; the demo images are brick it never saw, two of "
                        + "them with a defect (pasted gravel, a scratch)."})
final class DemoCommand implements Callable<Integer> {
    /** The resources that make the demo, under {@value #ROOT}. */
    static final String ROOT = "/org/anoscan/demo/";
    static final String MODEL = "brick.safetensors";
    static final List<String> IMAGES = List.of("good/brick-clean.png", "bad/brick-gravel.png", "bad/brick-scratch.png");

    @Option(names = {"-o", "--out"}, defaultValue = "anoscan-demo", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws IOException {
        // the bundled model and images go next to the results, so the user can rerun or retrain with them
        Path input = out.resolve("input");
        Path model = out.resolve(MODEL);
        extract(MODEL, model);
        for (String image : IMAGES) extract(image, input.resolve(image));
        System.err.println("demo: scanning " + IMAGES.size() + " bundled images in " + input + " (good/ and bad/) with " + model);
        // no scoring options: the bundled model carries the settings it was calibrated with; a rerun replaces its outputs
        int code = Main.run("scan", "--overwrite", "-m", model.toString(), "--device", device, "--out", out.toString(), input.toString());
        if (code == ExitCodes.OK) System.err.println("demo: open " + out.resolve("report.html"));
        return code;
    }

    private static void extract(String resource, Path target) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(ROOT + resource)) {
            if (in == null) throw new IOException("demo resource " + resource + " is missing from the build");
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
