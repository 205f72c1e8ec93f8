package org.anoscan.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.anoscan.io.AtomicFiles;

/**
 * A scan's output folder as one unit: one run at a time (a lock), and a manifest, {@code run.json}, that says
 * which run the outputs belong to and whether it is running, complete or interrupted.
 *
 * <ul>
 *   <li>The lock is an OS file lock on {@code .anoscan/lock}: it dies with the process (even by SIGKILL), so
 *       a second scan is refused only while the first is alive.
 *   <li>A folder holding another run's outputs is refused unless the caller asks to {@link Mode#OVERWRITE}
 *       (this run's outputs are deleted first; other files stay) or to {@link Mode#RESUME} (only an
 *       unfinished run, with the same settings: the {@code fingerprint}).
 *   <li>Temporary files of atomic writes go to {@code .anoscan/tmp} ({@link AtomicFiles}), so a killed
 *       writer leaves none among the outputs; the next run empties it.
 *   <li>A manifest that says {@code running} while nobody holds the lock is a run that was killed:
 *       {@link #status} reports it as interrupted.
 * </ul>
 */
public final class OutputFolder implements AutoCloseable {
    public static final String MANIFEST = "run.json";
    public static final String WORK = ".anoscan";
    private static final String FORMAT = "anoscan-scan-run";
    private static final List<String> OUTPUTS = List.of(ScanOutputs.CSV, ScanOutputs.JSON_LINES, ScanOutputs.JSON,
            ScanOutputs.REPORT, ScanOutputs.MAPS, MANIFEST);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How to treat a folder that already holds a run's outputs. */
    public enum Mode { NEW, OVERWRITE, RESUME }

    /** What a folder's manifest says (RUNNING only while its process holds the lock). */
    public enum State { NONE, RUNNING, COMPLETE, INTERRUPTED }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ObjectNode manifest;
    private final boolean resumed;

    private OutputFolder(Path dir, FileChannel lockChannel, FileLock lock, ObjectNode manifest, boolean resumed) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.manifest = manifest;
        this.resumed = resumed;
    }

    /**
     * Locks {@code dir} for a run and marks it running.
     *
     * @param fingerprint what must not change for a resume (model checksum, settings), as strings
     * @throws IOException one line: the folder is in use, holds another run's outputs, or cannot be resumed
     */
    public static OutputFolder open(Path dir, Mode mode, Map<String, String> fingerprint) throws IOException {
        Path work = dir.resolve(WORK);
        try {
            Files.createDirectories(dir.resolve(AtomicFiles.WORK_TMP));
        } catch (IOException e) {
            throw new IOException(dir + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
        FileChannel ch = FileChannel.open(work.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it already
        }
        if (lock == null) {
            ch.close();
            JsonNode m = readManifest(dir);
            throw new IOException(dir + " is in use by another scan" + (m == null ? "" : " (pid " + m.path("pid").asText()
                    + ", started " + m.path("started").asText() + ")") + "; wait for it to finish or choose another --out");
        }
        try {
            clearTemporaries(dir.resolve(AtomicFiles.WORK_TMP));
            JsonNode old = readManifest(dir);
            boolean hasOutputs = hasOutputs(dir);
            boolean resumed = false;
            switch (mode) {
                case NEW -> {
                    if (hasOutputs) {
                        throw new IOException(dir + " holds the outputs of " + describe(old) + "; pass --overwrite to replace them"
                                + (old != null && !"complete".equals(old.path("state").asText()) ? ", --resume to continue it," : "")
                                + " or choose another --out");
                    }
                }
                case OVERWRITE -> deleteOutputs(dir);
                case RESUME -> {
                    if (old == null) {
                        throw new IOException(dir + ": nothing to resume (no " + MANIFEST + "); run the scan without --resume");
                    }
                    checkFingerprint(dir, old.path("fingerprint"), fingerprint);
                    resumed = true;
                }
                default -> throw new IllegalStateException(mode.toString());
            }
            ObjectNode m = JSON.createObjectNode();
            m.put("format", FORMAT);
            m.put("state", "running");
            m.put("pid", ProcessHandle.current().pid());
            m.put("started", resumed ? old.path("started").asText() : Instant.now().toString());
            if (resumed) m.put("resumed", Instant.now().toString());
            m.set("fingerprint", JSON.valueToTree(fingerprint));
            OutputFolder f = new OutputFolder(dir, ch, lock, m, resumed);
            f.writeManifest();
            return f;
        } catch (IOException | RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
    }

    public Path dir() { return dir; }

    /** Whether this run continues an earlier one ({@link Mode#RESUME}). */
    public boolean resumed() { return resumed; }

    /** Marks the run complete (all inputs done), with its totals. */
    public void complete(int images, int failed) throws IOException {
        finish("complete", images, failed, null);
    }

    /** Marks the run interrupted: what was kept, and why it stopped. */
    public void interrupted(int images, int failed, String reason) throws IOException {
        finish("interrupted", images, failed, reason);
    }

    private void finish(String state, int images, int failed, String reason) throws IOException {
        manifest.put("state", state);
        manifest.put("finished", Instant.now().toString());
        manifest.put("images", images);
        manifest.put("failed", failed);
        if (reason != null) manifest.put("reason", reason);
        else manifest.remove("reason");
        writeManifest();
    }

    private void writeManifest() throws IOException {
        AtomicFiles.write(dir.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
    }

    /** The state of {@code dir}'s run: RUNNING only while a live process holds its lock. */
    public static State status(Path dir) throws IOException {
        JsonNode m = readManifest(dir);
        if (m == null) return State.NONE;
        return switch (m.path("state").asText()) {
            case "complete" -> State.COMPLETE;
            case "interrupted" -> State.INTERRUPTED;
            default -> locked(dir) ? State.RUNNING : State.INTERRUPTED;
        };
    }

    private static boolean locked(Path dir) throws IOException {
        Path lockFile = dir.resolve(WORK).resolve("lock");
        if (!Files.exists(lockFile)) return false;
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) return true;
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }

    private static JsonNode readManifest(Path dir) throws IOException {
        Path f = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(f)) return null;
        try {
            JsonNode m = JSON.readTree(f.toFile());
            return m != null && FORMAT.equals(m.path("format").asText()) ? m : null;
        } catch (IOException e) {
            throw new IOException(f + ": unreadable run manifest (" + e.getMessage().lines().findFirst().orElse("") + "); "
                    + "pass --overwrite to start afresh", e);
        }
    }

    private static String describe(JsonNode m) {
        if (m == null) return "an earlier scan";
        String state = m.path("state").asText();
        return ("complete".equals(state) ? "a complete" : "an interrupted") + " scan started " + m.path("started").asText();
    }

    private static void checkFingerprint(Path dir, JsonNode old, Map<String, String> now) throws IOException {
        Map<String, String> before = new LinkedHashMap<>();
        old.fields().forEachRemaining(e -> before.put(e.getKey(), e.getValue().asText()));
        for (String key : union(before, now)) {
            String a = before.get(key), b = now.get(key);
            if (a == null ? b != null : !a.equals(b)) {
                throw new IOException(dir + ": cannot resume: " + key + " was " + a + ", now " + b
                        + "; resume with the same model and settings, or pass --overwrite");
            }
        }
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return List.copyOf(keys);
    }

    private static boolean hasOutputs(Path dir) {
        for (String name : OUTPUTS) {
            if (Files.exists(dir.resolve(name))) return true;
        }
        return false;
    }

    private static void deleteOutputs(Path dir) throws IOException {
        for (String name : OUTPUTS) deleteTree(dir.resolve(name));
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    private static void clearTemporaries(Path tmp) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp)) {
            for (Path p : s) Files.deleteIfExists(p);
        }
    }

    /** Releases the lock; the manifest keeps the last state written (running, if the run did not say how it ended). */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
