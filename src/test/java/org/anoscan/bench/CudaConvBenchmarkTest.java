package org.anoscan.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.anoscan.backend.Devices;
import org.anoscan.tensor.Shape;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The GPU benchmark starts everywhere: without a CUDA device it says why and exits non-zero. */
class CudaConvBenchmarkTest {

    private static void assumeNoDevice() {
        Assumptions.assumeTrue(Devices.provider("cuda").deviceCount() == 0, "a CUDA device is present: the benchmark would run");
    }

    @Test
    void withoutADeviceItSaysWhyAndFails() {
        assumeNoDevice();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = CudaConvBenchmark.run(new String[] {"--batches", "64"}, new PrintStream(out), new PrintStream(err));
        assertEquals(3, status);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("CudaConvBenchmark: no CUDA device: ") && e.contains("libcudart.so.13"), e);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsPrintTheUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, CudaConvBenchmark.run(new String[] {"--batches", "sixty"}, System.out, new PrintStream(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: CudaConvBenchmark"));
        assertEquals(2, CudaConvBenchmark.run(new String[] {"--reps"}, System.out, new PrintStream(new ByteArrayOutputStream())));
    }

    @Test
    void theLayerTableIsDcgan64() {
        assertEquals(9, CudaConvBenchmark.DCGAN64.size());
        double perPatch = 0;
        for (CudaConvBenchmark.Layer l : CudaConvBenchmark.DCGAN64) perPatch += 2 * l.flops(1);
        assertEquals(817, perPatch / 1e6, 1.0, "fwd + bwd-data of G and f: about 817 MFLOP per patch (DESIGN.md)");
        assertEquals(Shape.of(1, 1, 64, 64), CudaConvBenchmark.DCGAN64.get(4).y(1), "G ends in a 64x64 patch");
        assertEquals(Shape.of(1, 1, 64, 64), CudaConvBenchmark.DCGAN64.get(5).x(1), "f starts from one");
        assertEquals(Shape.of(1, 512, 4, 4), CudaConvBenchmark.DCGAN64.get(8).y(1), "f's last feature map");
    }

    @Test
    void theProgramExitsNonZeroWithOneClearMessage() throws Exception {
        assumeNoDevice();
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-cp", cp, CudaConvBenchmark.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the benchmark should stop at once without a device");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotEquals(0, p.exitValue(), output);
        assertTrue(output.contains("CudaConvBenchmark: no CUDA device: "), output);
        assertTrue(!output.contains("\tat "), "no stack trace: " + output);
    }
}
