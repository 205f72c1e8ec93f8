package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.Parameter;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad model files given to {@code anoscan scan}: each is refused with exit 1 and one line naming the file and
 * the cause, before a device is opened or any output is written (the output folder of an earlier run stays
 * as it was). Inputs are built here from a freshly saved tiny model.
 */
class ModelFileBadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private Path model;
    private Path images;
    private Path out;

    @BeforeEach
    void setUp() throws IOException {
        try (CpuBackend cpu = new CpuBackend(); Dcgan m = TestImages.tinyModel(cpu, 3L)) {
            model = dir.resolve("model.safetensors");
            ModelFile.save(model, m, Map.of("source", "test", "threshold.image", "5.0", "threshold.pixel", "0.5"), Map.of());
        }
        images = dir.resolve("images");
        TestImages.writeTexture(images.resolve("a.png"), 40, 40, 1);
        out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("earlier.txt"), "kept");
    }

    private ScanCommandTest.Run scan(Path m) {
        return ScanCommandTest.run("scan", "-m", m, images, "--out", out, "--iterations", 2, "--device", "cpu", "--no-progress");
    }

    /** Exit 1, one line that names the file and the reason, no stack trace, nothing written. */
    private void assertRefused(Path m, String reason) throws IOException {
        long t0 = System.nanoTime();
        ScanCommandTest.Run r = scan(m);
        double seconds = (System.nanoTime() - t0) / 1e9;
        CliAssert.oneLine(r, ExitCodes.FAILED, reason);
        assertTrue(r.err().contains(m + ": "), "the line names " + m + ": " + r.err());
        // before anything is built: building the edited architectures would take minutes (the limit allows a loaded machine)
        assertTrue(seconds < 15.0, "refused in " + seconds + " s");
        try (var s = Files.list(out)) {
            assertEquals(List.of(out.resolve("earlier.txt")), s.toList(), "nothing written into the output folder");
        }
        assertEquals("kept", Files.readString(out.resolve("earlier.txt")));
    }

    @Test
    void editedArchitectureIsRefusedBeforeAnythingIsBuilt() throws IOException {
        editMetadata(meta -> meta.put("architecture", meta.get("architecture").asText().replace("\"ngf\":8", "\"ngf\":500")));
        assertRefused(model, "wrong architecture");
        editMetadata(meta -> meta.put("architecture", meta.get("architecture").asText().replace("\"ngf\":500", "\"ngf\":3500")
                .replace("\"ndf\":8", "\"ndf\":3500")));
        assertRefused(model, "exceed the bounds");
    }

    @Test
    void editedThresholdIsRefused() throws IOException {
        editMetadata(meta -> meta.put("info", meta.get("info").asText().replace("\"threshold.image\":\"5.0\"", "\"threshold.image\":\"50.0\"")));
        assertRefused(model, "does not match");
    }

    @Test
    void renamedKeyIsRefused() throws IOException {
        editMetadata(meta -> meta.put("info", meta.get("info").asText().replace("threshold.pixel", "threshold.pixeL")));
        assertRefused(model, "does not match");
    }

    @Test
    void addedMetadataKeyIsCoveredToo() throws IOException {
        editMetadata(meta -> meta.put("calibration.future_setting", "7"));
        assertRefused(model, "does not match");
    }

    @Test
    void nanWeightIsAModelError() throws IOException {
        try (CpuBackend cpu = new CpuBackend(); Dcgan m = TestImages.tinyModel(cpu, 3L)) {
            Parameter p = m.state().get(4);
            float[] w = p.value().toHost();
            w[1] = Float.NaN;
            try (Tensor t = cpu.fromHost(w, p.value().shape())) {
                cpu.copyInto(t, p.value());
            }
            ModelFile.save(model, m, Map.of(), Map.of());
        }
        assertRefused(model, "NaN or infinite values");
    }

    @Test
    void absurdHeaderLengthIsRefusedBeforeReading() throws IOException {
        byte[] b = Files.readAllBytes(model);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE / 3);
        Files.write(model, b);
        assertRefused(model, "header length");
    }

    @Test
    void specialAndHugeFilesAreRefusedWithoutReadingThem() throws IOException, InterruptedException {
        assertRefused(Path.of("/dev/zero"), "not a regular file");
        Path fifo = dir.resolve("fifo.safetensors");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        assertRefused(fifo, "not a regular file"); // would block forever if it were opened
        Path huge = dir.resolve("huge.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: no disk used
        }
        assertRefused(huge, "too large");
        assertRefused(dir, "is a directory");
    }

    @Test
    void unreadableModelSaysPermissionDenied() throws IOException {
        WithPermissions.assumeTestable();
        Files.setPosixFilePermissions(model, java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        ScanCommandTest.Run r = WithPermissions.run(dir.resolve("perm-run"), "scan", "-m", model, images, "--out", out, "--iterations", 2,
                "--device", "cpu", "--no-progress");
        CliAssert.oneLine(r, ExitCodes.FAILED, model + ": permission denied");
        try (var s = Files.list(out)) {
            assertEquals(List.of(out.resolve("earlier.txt")), s.toList(), "nothing written into the output folder");
        }
    }

    /** safetensors fixes no order for the header's entries: a file listing them otherwise than its data loads the same. */
    @Test
    void tensorsListedInAnotherOrderAreValid() throws IOException {
        rewriteHeader(header -> {
            List<String> names = new ArrayList<>();
            header.fieldNames().forEachRemaining(names::add);
            Collections.reverse(names);
            ObjectNode reordered = JSON.createObjectNode();
            for (String n : names) reordered.set(n, header.get(n));
            header.removeAll();
            header.setAll(reordered);
        });
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "-m", model, images, "--out", dir.resolve("ok"), "--iterations", 2,
                "--device", "cpu", "--no-progress");
        assertEquals(ExitCodes.OK, r.code(), r.err());
    }

    /** A format-1 file (checksum over the data only) still loads, and the scan says why it is weaker. */
    @Test
    void formatOneLoadsWithAWarning() throws IOException {
        byte[] data = dataSection();
        rewriteHeader(header -> {
            ObjectNode meta = (ObjectNode) header.get("__metadata__");
            meta.put("format_version", "1");
            meta.put("sha256", sha256(data));
        });
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "-m", model, images, "--out", dir.resolve("v1"), "--iterations", 2,
                "--device", "cpu", "--no-progress");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("model format 1"), r.err());
    }

    private void editMetadata(Consumer<ObjectNode> edit) throws IOException {
        rewriteHeader(header -> edit.accept((ObjectNode) header.get("__metadata__")));
    }

    /** Rewrites the JSON header (any length: the 8-byte length is updated), keeping the data as it is. */
    private void rewriteHeader(Consumer<ObjectNode> edit) throws IOException {
        byte[] b = Files.readAllBytes(model);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(b, 8, n, StandardCharsets.UTF_8));
        edit.accept(header);
        byte[] h = JSON.writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + b.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(b, 8 + n, b.length - 8 - n);
        Files.write(model, out.array());
    }

    private byte[] dataSection() throws IOException {
        byte[] b = Files.readAllBytes(model);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return java.util.Arrays.copyOfRange(b, 8 + n, b.length);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
