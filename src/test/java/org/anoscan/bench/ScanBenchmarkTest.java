package org.anoscan.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The megapixel mode runs end to end on the CPU at a small size: one image timed and split, then a stream. */
class ScanBenchmarkTest {

    private static double[] numbers(Matcher m) {
        double[] out = new double[m.groupCount()];
        for (int i = 0; i < out.length; i++) out[i] = Double.parseDouble(m.group(i + 1));
        return out;
    }

    @Test
    void megapixelModeSplitsTheScanIntoSearchAndTheRestAndStreams() {
        String out = SearchBenchmarkTest.capture(() -> {
            try {
                ScanBenchmark.main(new String[] {"--megapixel", "--device", "cpu", "--image-size", "96", "--patch", "32", "--stride", "16",
                        "--iterations", "3", "--stream", "3", "--batch", "20", "--width", "4", "--nz", "8"});
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String f = "([0-9.]+)";
        Matcher one = Pattern.compile("megapixel: scan " + f + " s = search " + f + " s \\+ rest " + f + " s; (\\d+) patches, " + f
                + " patches/s").matcher(out);
        assertTrue(one.find(), out);
        double[] a = numbers(one);
        assertEquals(25, (int) a[3], "96x96 at stride 16 with 32x32 patches: 5 x 5 patches");
        assertTrue(a[1] > 0 && a[1] <= a[0] && a[2] >= 0, out);
        assertEquals(a[0], a[1] + a[2], 2e-3, "search + rest = wall");
        assertEquals(a[3] / a[0], a[4], 0.01 * a[4], "patches/s");
        Matcher stream = Pattern.compile("stream: (\\d+) images in " + f + " s = search " + f + " s \\+ rest " + f + " s; " + f + " images/s")
                .matcher(out);
        assertTrue(stream.find(), out);
        double[] s = numbers(stream);
        assertEquals(3, (int) s[0], "every streamed image delivered");
        assertTrue(s[2] > 0 && s[2] <= s[1], out);
        assertEquals(3 / s[1], s[4], 0.01 * s[4], out);
        assertTrue(out.toLowerCase(Locale.ROOT).contains("precision fp32"), "the CPU runs fp32 whatever is asked: " + out);
    }
}
