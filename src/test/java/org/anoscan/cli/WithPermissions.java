package org.anoscan.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the command line where file permissions bind. An ordinary user runs it in this JVM. Root reads any file
 * (its capabilities CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH override the mode bits), so for root the command
 * runs in a child JVM started by {@code setpriv} with those two capabilities dropped from its bounding set: it
 * is still root, owns the test's files, and meets their mode bits like their owner would. Tests of "permission
 * denied" therefore run in CI containers, which run as root.
 */
final class WithPermissions {
    private static final List<String> DROP = List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private WithPermissions() {}

    /** Skips the test (visibly, with the reason) only where neither way works: root without a usable setpriv. */
    static void assumeTestable() {
        Assumptions.assumeTrue(!ROOT || canDrop(), "running as root and setpriv cannot drop CAP_DAC_OVERRIDE here");
    }

    /** {@code anoscan ARGS}, as {@link ScanCommandTest#run}, where mode bits bind; {@code work} holds the child's output. */
    static ScanCommandTest.Run run(Path work, Object... args) throws IOException {
        if (!ROOT) return ScanCommandTest.run(args);
        List<String> cmd = new ArrayList<>(DROP);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "org.anoscan.cli.Main"));
        for (Object a : args) cmd.add(a.toString());
        Files.createDirectories(work);
        Path out = work.resolve("stdout.txt"), err = work.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("anoscan " + args[0] + " did not end within 120 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new ScanCommandTest.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static boolean canDrop() {
        try {
            List<String> cmd = new ArrayList<>(DROP);
            cmd.add("true");
            return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
