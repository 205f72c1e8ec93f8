package org.anoscan.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.anoscan.io.ModelFile;
import org.anoscan.scan.ScanConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The scoring options of {@code anoscan scan} ({@code --iterations}, {@code --batch}, {@code --map}, ... and any
 * an issue adds to the scan settings, such as {@code --mode}) read by another front end, e.g. the Spark job: the
 * same parser and the same rules (the model's calibrated settings fill what is not given, the CPU's batch on the
 * CPU), so both score alike.
 */
public final class ScanOptions {
    private ScanOptions() {}

    /** The file extensions {@code anoscan scan} takes as images (lower case, without the dot). */
    public static java.util.Set<String> imageExtensions() {
        return InputFiles.IMAGE_EXTENSIONS;
    }

    @Command(name = "scan-options")
    static final class Holder {
        @Mixin
        ScanSettings settings;
    }

    /**
     * The scan config {@code args} give for {@code model}.
     *
     * @param cpu whether the search runs on the CPU (its default batch differs)
     * @param log told once which settings the model gave
     * @throws IllegalArgumentException naming the bad option, in one line
     */
    public static ScanConfig parse(Path model, List<String> args, boolean cpu, Consumer<String> log) throws IOException {
        Holder h = new Holder();
        CommandLine cmd = new CommandLine(h);
        List<String> all = new ArrayList<>(List.of("--model", model.toString()));
        all.addAll(args);
        try {
            cmd.parseArgs(all.toArray(new String[0]));
            return ScanSettings.forDevice(cmd, h.settings.config(cmd, ModelFile.readInfo(model), ModelFile.hasEncoder(model), log), cpu);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
