package org.anoscan.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search benchmark runs end to end on the CPU at a tiny size and prints both the steady-state and the end-to-end rate. */
class SearchBenchmarkTest {

    static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setOut(old);
        }
        return o.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsSteadyStateAndEndToEndRates() {
        String out = capture(() -> SearchBenchmark.main(new String[] {"--device", "cpu", "--sizes", "32", "--batches", "2,3", "--iters", "4",
                "--width", "4", "--nz", "8"}));
        List<String> rows = out.lines().filter(l -> l.startsWith("DCGAN-32")).toList();
        assertEquals(2, rows.size(), out);
        for (String row : rows) {
            String[] c = row.trim().split("\\s+");
            assertEquals(10, c.length, row);
            double steadySec = Double.parseDouble(c[3]), steadyRate = Double.parseDouble(c[4]);
            double e2eSec = Double.parseDouble(c[6]), e2eRate = Double.parseDouble(c[7]);
            int batch = Integer.parseInt(c[1]);
            assertTrue(steadySec > 0 && steadySec < e2eSec, "the steady state is part of the whole call: " + row);
            assertEquals(batch * 3 / steadySec, steadyRate, 1e-2 * steadyRate, "3 steady iterations of 4: " + row);
            assertEquals(batch * 4 / e2eSec, e2eRate, 1e-2 * e2eRate, row);
            assertEquals("-", c[9], "no device memory figure on the CPU");
        }
        assertTrue(out.contains("precision fp32"), out);
    }
}
