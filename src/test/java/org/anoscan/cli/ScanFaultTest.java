package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.report.ImageLabels;
import org.anoscan.report.OutputFolder;
import org.anoscan.testutil.ChildJvm;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault test of a scan's output folder: a child JVM scanning a folder is killed at random moments (SIGINT,
 * SIGTERM, SIGKILL in turn; at least 20 kills), each time continuing the run before with {@code --resume}.
 * After each kill the folder must be consistent: the manifest says complete or interrupted (never running
 * once its process is gone), every row of scores.csv and scores.jsonl is whole and appears once, no temporary
 * file lies among the outputs (none at all after SIGINT/SIGTERM, which also leave scores.json and report.html
 * for what was done). Finally {@code --resume} completes the run with the same scores as an uninterrupted run.
 * Tiny model and images, a few search steps: each child runs for a second or two.
 */
class ScanFaultTest {
    private static final int KILLS = 21;
    private static final int IMAGES = 12;
    private static final String[] SIGNALS = {"INT", "TERM", "KILL"};
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void killedScansLeaveConsistentFoldersAndResumeToTheSameScores() throws IOException, InterruptedException {
        Path model;
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 5L);
        }
        Path images = dir.resolve("images");
        for (int i = 0; i < IMAGES; i++) TestImages.writeTexture(images.resolve(String.format("img-%02d.png", i)), 40, 40, 100 + i);
        Files.write(images.resolve("broken.png"), new byte[] {1, 2, 3}); // a failure row too
        Object[] scan = {"scan", "-m", model, images, "--iterations", 10, "--batch", 4, "--device", "cpu", "--no-progress"};

        Path reference = dir.resolve("reference");
        long t0 = System.nanoTime();
        Process ref = ChildJvm.start(dir.resolve("reference.log"), Map.of(), with(scan, "--out", reference));
        assertTrue(ref.waitFor(120, TimeUnit.SECONDS));
        assertEquals(ExitCodes.PARTIAL, ref.exitValue(), Files.readString(dir.resolve("reference.log")));
        long runMillis = (System.nanoTime() - t0) / 1_000_000;
        Map<String, List<Float>> expected = scores(reference);
        assertEquals(IMAGES, expected.size());

        Path out = dir.resolve("out");
        Random rnd = new Random(12);
        int kills = 0, attempts = 0;
        Map<String, Integer> effective = new TreeMap<>(); // kills that stopped a run by the signal, by signal
        while (kills < KILLS) {
            assertTrue(++attempts < 4 * KILLS, "too few runs could be killed before they finished");
            OutputFolder.State before = OutputFolder.status(out);
            String mode = before == OutputFolder.State.COMPLETE ? "--overwrite" : before == OutputFolder.State.NONE ? "--seed" : "--resume";
            Path log = dir.resolve("run-" + attempts + ".log");
            Process p = ChildJvm.start(log, Map.of(), with(scan, "--out", out, mode, mode.equals("--seed") ? "42" : null));
            String sig = SIGNALS[kills % SIGNALS.length];
            Thread.sleep(rnd.nextInt((int) Math.max(runMillis * 9 / 10, 200))); // a resumed run has less left to do
            if (!p.isAlive()) { // finished first: not a kill
                assertTrue(p.exitValue() == ExitCodes.OK || p.exitValue() == ExitCodes.PARTIAL, Files.readString(log));
                checkConsistent(out, log, null);
                continue;
            }
            try {
                ChildJvm.signal(p, sig);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ends after SIG" + sig);
            } finally {
                p.destroyForcibly();
            }
            kills++;
            int code = p.exitValue();
            int bySignal = sig.equals("INT") ? 130 : sig.equals("TERM") ? 143 : 137;
            String text = Files.readString(log);
            if (code == bySignal || text.contains("anoscan: " + sig + " received")) {
                effective.merge(sig, 1, Integer::sum);
            }
            // the signal came as the last images were finished, or once the run was complete and exiting (even SIGKILL: a
            // child that exited between isAlive() and kill is a zombie that takes the signal and keeps its exit code)
            if (code != bySignal) {
                assertEquals(OutputFolder.State.COMPLETE, OutputFolder.status(out), text);
                assertEquals(ExitCodes.PARTIAL, code, text);
            }
            checkConsistent(out, log, sig);
        }
        for (String sig : SIGNALS) {
            assertTrue(effective.getOrDefault(sig, 0) >= 3, "SIG" + sig + " must stop running scans: " + effective);
        }
        // finish the last run
        Process last = ChildJvm.start(dir.resolve("last.log"), Map.of(), with(scan, "--out", out,
                OutputFolder.status(out) == OutputFolder.State.COMPLETE ? "--overwrite" : "--resume", null));
        assertTrue(last.waitFor(120, TimeUnit.SECONDS));
        assertEquals(ExitCodes.PARTIAL, last.exitValue(), Files.readString(dir.resolve("last.log")));
        assertEquals(OutputFolder.State.COMPLETE, OutputFolder.status(out));
        checkConsistent(out, dir.resolve("last.log"), null);
        assertEquals(expected, scores(out), "resumed runs give the scores of an uninterrupted run");
        assertEquals(IMAGES, Files.readAllLines(out.resolve("scores.jsonl")).stream().filter(l -> !l.contains("\"error\"")).count());
    }

    private static Object[] with(Object[] base, Object... more) {
        List<Object> all = new ArrayList<>(List.of(base));
        for (Object m : more) if (m != null) all.add(m);
        return all.toArray();
    }

    private static void checkConsistent(Path out, Path log, String signal) throws IOException {
        String text = Files.readString(log);
        OutputFolder.State state = OutputFolder.status(out);
        assertTrue(state != OutputFolder.State.RUNNING, "no process holds the folder any more: " + state + "\n" + text);
        if (state == OutputFolder.State.NONE) {
            assertFalse(Files.exists(out.resolve("scores.csv")), "outputs without a manifest\n" + text);
            return;
        }
        try (Stream<Path> walk = Files.walk(out)) {
            List<Path> stray = walk.filter(p -> p.getFileName().toString().endsWith(".tmp"))
                    .filter(p -> !"KILL".equals(signal) || !p.startsWith(out.resolve(OutputFolder.WORK))).toList();
            assertEquals(List.of(), stray, "no temporary files among the outputs after SIG" + signal);
        }
        List<String> csv = Files.exists(out.resolve("scores.csv")) ? Files.readAllLines(out.resolve("scores.csv")) : List.of();
        if (!csv.isEmpty()) {
            int columns = ImageLabels.cells(csv.get(0)).size();
            Set<String> files = new HashSet<>();
            for (String row : csv.subList(1, csv.size())) {
                List<String> cells = ImageLabels.cells(row);
                assertEquals(columns, cells.size(), "a whole row: " + row);
                assertTrue(files.add(cells.get(0)), "one row per file: " + row);
            }
        }
        if (Files.exists(out.resolve("scores.jsonl"))) {
            for (String line : Files.readAllLines(out.resolve("scores.jsonl"))) JSON.readTree(line); // every line whole
        }
        boolean graceful = signal == null || (!signal.equals("KILL") && text.contains("stopped by SIG"));
        if (graceful && Files.exists(out.resolve("scores.csv"))) {
            JsonNode doc = JSON.readTree(out.resolve("scores.json").toFile());
            assertEquals(csv.size() - 1, doc.get("images").size() + doc.get("failures").size(),
                    "scores.json holds what scores.csv holds\n" + text);
            assertTrue(Files.exists(out.resolve("report.html")));
            assertEquals(text.contains("stopped by SIG") ? OutputFolder.State.INTERRUPTED : OutputFolder.State.COMPLETE, state, text);
        }
    }

    private static Map<String, List<Float>> scores(Path out) throws IOException {
        Map<String, List<Float>> s = new TreeMap<>();
        for (JsonNode im : JSON.readTree(out.resolve("scores.json").toFile()).get("images")) {
            s.put(im.get("name").asText(), List.of(im.get("score_max").floatValue(), im.get("score_topk_mean").floatValue()));
        }
        return s;
    }
}
