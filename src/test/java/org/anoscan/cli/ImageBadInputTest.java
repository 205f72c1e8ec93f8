package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.report.ImageLabels;
import org.anoscan.testutil.ChildJvm;
import org.anoscan.testutil.TestImages;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad images among good ones: a 25000 x 25000 PNG (a few MB on disk), an image too large for the JVM's memory,
 * damaged and truncated JPEGs, a folder that cannot be listed. Each is refused before decoding (or, for the
 * JPEGs, before scoring) with one line in scores.csv and on stderr; the good images are scanned; exit 3; no
 * OutOfMemoryError or trace. One child JVM with a 512 MiB heap scans them all.
 */
class ImageBadInputTest {
    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void model() throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            model = TestImages.writeTinyModel(dir.resolve("model.safetensors"), cpu, 3L);
        }
    }

    @Test
    void badImagesAreRefusedAndTheRestIsScanned() throws IOException, InterruptedException {
        Path in = dir.resolve("in");
        TestImages.writeTexture(in.resolve("good-1.png"), 40, 40, 1);
        TestImages.writeTexture(in.resolve("sub/good-2.png"), 40, 40, 2);
        Path jpeg = writeJpeg(in.resolve("good-3.jpg"), 64, 64);
        writeBlankPng(in.resolve("huge.png"), 25000, 25000);
        writeBlankPng(in.resolve("large.png"), 5000, 5000); // under the pixel limit, over a 512 MiB heap
        byte[] j = Files.readAllBytes(jpeg);
        byte[] damaged = j.clone();
        for (int i = j.length / 2; i < j.length / 2 + 40; i++) damaged[i] = (byte) (i * 37 % 200);
        Files.write(in.resolve("damaged.jpg"), damaged);
        assertTrue(openCvDecodes(damaged), "OpenCV alone would score the damaged JPEG");
        Files.write(in.resolve("truncated.jpg"), java.util.Arrays.copyOf(j, j.length * 2 / 3));
        Path loop = in.resolve("loop");
        Files.createDirectories(loop);
        Files.createSymbolicLink(loop.resolve("back"), loop); // a folder that cannot be walked
        assertTrue(Files.size(in.resolve("huge.png")) < 4_000_000, "a small file on disk: " + Files.size(in.resolve("huge.png")));

        Path out = dir.resolve("out");
        Path log = dir.resolve("scan.log");
        Process p = ChildJvm.start(log, Map.of(), "scan", "-m", model, in, "--out", out, "--iterations", 2, "--device", "cpu",
                "--no-progress");
        assertTrue(p.waitFor(180, TimeUnit.SECONDS));
        String text = Files.readString(log);
        assertEquals(ExitCodes.PARTIAL, p.exitValue(), text);
        assertFalse(text.contains("OutOfMemoryError") || text.contains("\tat ") || text.contains("Exception"), text);

        Map<String, String> errors = new HashMap<>();
        List<String> rows = Files.readAllLines(out.resolve("scores.csv"));
        for (String row : rows.subList(1, rows.size())) {
            List<String> cells = ImageLabels.cells(row);
            errors.put(Path.of(cells.get(0)).getFileName().toString(), cells.get(cells.size() - 1));
        }
        assertEquals("", errors.get("good-1.png"));
        assertEquals("", errors.get("good-2.png"));
        assertEquals("", errors.get("good-3.jpg"));
        assertContains(errors.get("huge.png"), "25000x25000 image (625.0 megapixels) is over the 100.0-megapixel limit; raise it with --max-megapixels");
        assertContains(errors.get("large.png"), "needs about");
        assertContains(errors.get("large.png"), "ANOSCAN_JAVA_OPTS=-Xmx");
        assertContains(errors.get("damaged.jpg"), "damaged JPEG");
        assertContains(errors.get("truncated.jpg"), "damaged JPEG");
        assertContains(errors.get("back"), "cannot read the folder (a symbolic-link loop)");
        assertEquals(8, errors.size(), errors.toString());
        for (String name : List.of("huge.png", "large.png", "damaged.jpg", "loop/back")) assertContains(text, name);
    }

    @Test
    void unreadableSubfolderAndFileSayPermissionDenied() throws IOException {
        WithPermissions.assumeTestable();
        Path in = dir.resolve("perm");
        TestImages.writeTexture(in.resolve("ok/a.png"), 40, 40, 1);
        Path locked = TestImages.writeTexture(in.resolve("locked/b.png"), 40, 40, 2).getParent();
        Path unreadable = TestImages.writeTexture(in.resolve("c.png"), 40, 40, 3);
        Files.setPosixFilePermissions(unreadable, java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("-w-------"));
        try {
            ScanCommandTest.Run r = WithPermissions.run(dir.resolve("perm-run"), "scan", "-m", model, in, "--out", dir.resolve("perm-out"),
                    "--iterations", 2, "--device", "cpu", "--no-progress");
            assertEquals(ExitCodes.PARTIAL, r.code(), r.err());
            assertContains(r.err(), "locked: cannot read the folder (permission denied)");
            assertContains(r.err(), "c.png: permission denied");
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aFolderIsNamedAndTheLimitIsASetting() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("asfile/folder.png"));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> org.anoscan.io.ImageReader.read(folder, 1));
        assertContains(e.getMessage(), "folder.png: is a directory, not an image file");
        Path good = TestImages.writeTexture(dir.resolve("asfile/a.png"), 40, 40, 1);
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "-m", model, good, "--out", dir.resolve("asfile-out"), "--iterations", 2,
                "--device", "cpu", "--no-progress", "--max-megapixels", "0.001");
        assertEquals(ExitCodes.FAILED, r.code(), r.err());
        assertContains(r.err(), "a.png: 40x40 image (0.0 megapixels) is over the 0.0-megapixel limit");
    }

    private static void assertContains(String text, String part) {
        assertNotNull(text, "missing: " + part);
        assertTrue(text.contains(part), "expected '" + part + "' in: " + text);
    }

    private static Path writeJpeg(Path file, int h, int w) throws IOException {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        java.util.Random r = new java.util.Random(3);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) b.getRaster().setSample(x, y, 0, (x * 4 + y * 2 + r.nextInt(40)) & 0xFF);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(b, "jpeg", file.toFile()));
        return file;
    }

    private static boolean openCvDecodes(byte[] bytes) {
        try (BytePointer p = new BytePointer(bytes); Mat enc = new Mat(1, bytes.length, org.bytedeco.opencv.global.opencv_core.CV_8UC1, p);
             Mat m = opencv_imgcodecs.imdecode(enc, opencv_imgcodecs.IMREAD_GRAYSCALE)) {
            return !m.empty();
        }
    }

    /** A valid 8-bit gray PNG of zeros, streamed (rows of zeros deflate to almost nothing). */
    private static void writeBlankPng(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            byte[] row = new byte[width + 1]; // filter byte 0, then the pixels
            for (int y = 0; y < height; y++) z.write(row);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(png);
        o.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 0, 0, 0, 0});
        chunk(o, "IHDR", ihdr.toByteArray());
        chunk(o, "IDAT", idat.toByteArray());
        chunk(o, "IEND", new byte[0]);
        Files.createDirectories(file.getParent());
        Files.write(file, png.toByteArray());
    }

    private static void chunk(DataOutputStream o, String type, byte[] data) throws IOException {
        o.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        o.write(t);
        o.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        o.writeInt((int) crc.getValue());
    }
}
