package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * native/build.sh on a machine without nvcc or g++ (a PATH that holds only the shell tools it needs, and
 * a CUDA_HOME that does not exist): it exits 0 so that the Maven build goes on, says in one line what is
 * missing, and leaves no library behind (a stale one from an earlier build would hide the reason).
 * {@code mvn -Danoscan.native=off} takes the same path, tested here too.
 */
class NativeBuildWithoutCompilersTest {
    private static final List<String> SHELL_TOOLS = List.of("bash", "dirname", "rm", "mkdir", "cmp", "cp", "mv");

    record Run(int exit, String output) {}

    private static Run build(Path tmp, String mode, boolean withNvcc) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : SHELL_TOOLS) wrap(bin, tool);
        if (withNvcc) wrap(bin, "nvcc");
        Path libDir = Files.createDirectories(tmp.resolve("lib"));
        Files.writeString(libDir.resolve("libjniNativeKernels.so"), "stale");
        ProcessBuilder pb = new ProcessBuilder(which("bash").toString(), "native/build.sh", tmp.resolve("work").toString(), libDir.toString(),
                System.getProperty("java.home"), mode).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", bin.toString());
        env.put("CUDA_HOME", tmp.resolve("no-cuda").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "build.sh finished");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** bin/tool runs the real tool (a script rather than a link, which JUnit's temp-dir cleanup warns about). */
    private static void wrap(Path bin, String tool) throws IOException {
        Path script = bin.resolve(tool);
        Files.writeString(script, "#!" + which("bash") + "\nexec " + which(tool) + " \"$@\"\n");
        assertTrue(script.toFile().setExecutable(true), "chmod +x " + script);
    }

    private static Path which(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p;
        }
        throw new AssertionError(tool + " is not on the PATH of the test");
    }

    private static void assertSkipped(Run run, Path tmp, String says) {
        assertEquals(0, run.exit(), "exit status; output: " + run.output());
        assertTrue(run.output().contains(says), "says why: " + run.output());
        assertEquals(1, run.output().strip().lines().count(), "one line: " + run.output());
        assertFalse(Files.exists(tmp.resolve("lib/libjniNativeKernels.so")), "no library left behind");
    }

    @Test
    void withoutNvccTheBuildGoesOnAndSaysSo(@TempDir Path tmp) throws Exception {
        assertSkipped(build(tmp, "auto", false), tmp, "nvcc not found");
    }

    @Test
    void withNvccButNoHostCompilerTheBuildGoesOnAndSaysSo(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeKernelsLoadTest.toolchainPresent(), "no nvcc here to keep on the PATH");
        assertSkipped(build(tmp, "auto", true), tmp, "g++ not found");
    }

    @Test
    void offSkipsTheNativeBuild(@TempDir Path tmp) throws Exception {
        assertSkipped(build(tmp, "off", false), tmp, "anoscan.native=off");
    }
}
