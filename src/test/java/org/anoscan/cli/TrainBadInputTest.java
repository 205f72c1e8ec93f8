package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.DcganSpec;
import org.anoscan.testutil.ChildJvm;
import org.anoscan.testutil.TestImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anoscan train} with bad options, bad outputs, awkward inputs and signals: usage errors exit 2 before
 * any image is read, unwritable outputs fail before the first step, and finished work (the checkpoint) is
 * never lost. Tiny models, a handful of steps.
 */
class TrainBadInputTest {
    @TempDir
    Path dir;
    private Path images;

    @BeforeEach
    void setUp() throws IOException {
        images = dir.resolve("images");
        for (int i = 0; i < 2; i++) TestImages.writeTexture(images.resolve("t" + i + ".png"), 40, 40, i);
    }

    private ScanCommandTest.Run train(Object... more) {
        boolean out = java.util.Arrays.asList(more).contains("--out");
        Object[] base = {"train", images, "--size", 32, "--nz", 8, "--ngf", 4, "--ndf", 4, "--batch", 4, "--device", "cpu",
                out ? "--seed" : "--out", out ? 1 : dir.resolve("m.safetensors")};
        Object[] all = new Object[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return ScanCommandTest.run(all);
    }

    @Test
    void usageErrorsExit2BeforeAnyImageIsRead() {
        Path missing = dir.resolve("no-such-folder"); // reading inputs first would fail with exit 1
        for (Object[] bad : new Object[][] {{"--steps", -3}, {"--steps", 0}, {"--size", 48}, {"--lr", "NaN"}, {"--lr", 0},
                {"--nz", 100000}, {"--batch", 1}, {"--channels", 2}, {"--real-label", 2}}) {
            ScanCommandTest.Run r = ScanCommandTest.run("train", missing, bad[0], bad[1], "--device", "cpu", "--out", dir.resolve("x.safetensors"));
            CliAssert.oneLine(r, ExitCodes.USAGE, bad[0].toString());
        }
        ScanCommandTest.Run r = ScanCommandTest.run("scan", "-m", dir.resolve("none.safetensors"), missing, "--restarts", 100000000);
        CliAssert.oneLine(r, ExitCodes.USAGE, "--restarts");
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    @Test
    void unwritableOutputsFailBeforeTheFirstStep() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt"), "a file, not a folder");
        CliAssert.oneLine(train("--steps", 100000, "--out", file.resolve("m.safetensors")), ExitCodes.FAILED, "is a file, not a folder");
        CliAssert.oneLine(train("--steps", 100000, "--samples-dir", file.resolve("s")), ExitCodes.FAILED, "--samples-dir");
        CliAssert.oneLine(train("--steps", 100000, "--out", dir), ExitCodes.FAILED, "is a directory");
        assertFalse(Files.exists(dir.resolve("m.safetensors.ckpt")), "no step was run");
    }

    @Test
    void checkpointAtTheEndAndResumeTakesItsArchitecture() throws IOException {
        ScanCommandTest.Run r = train("--steps", 2, "--samples-dir", dir.resolve("s"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        Path ckpt = dir.resolve("m.safetensors.ckpt");
        assertEquals("2", ModelFile.readInfo(ckpt).get("steps"), "--checkpoint-every 0 still writes the checkpoint at the end");
        // no --size (images default to 64) and other widths: the checkpoint's 32-pixel architecture wins
        r = ScanCommandTest.run("train", images, "--resume", ckpt, "--steps", 3, "--batch", 4, "--device", "cpu",
                "--out", dir.resolve("r.safetensors"), "--samples-dir", dir.resolve("s"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals(new DcganSpec(32, 1, 8, 4, 4), ModelFile.readSpec(dir.resolve("r.safetensors")));
        assertEquals("3", ModelFile.readInfo(dir.resolve("r.safetensors")).get("steps"));
    }

    @Test
    void tooSmallImagesAreSkippedUntilNoneIsLeft() throws IOException {
        TestImages.writeTexture(images.resolve("small.png"), 20, 20, 9);
        ScanCommandTest.Run r = train("--steps", 1, "--samples-dir", dir.resolve("s"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("small.png: 20x20 is smaller than the 32x32 patch"), r.err());
        Path onlySmall = dir.resolve("small");
        TestImages.writeTexture(onlySmall.resolve("small.png"), 20, 20, 9);
        r = ScanCommandTest.run("train", onlySmall, "--size", 32, "--steps", 1, "--device", "cpu", "--out", dir.resolve("n.safetensors"));
        assertEquals(ExitCodes.FAILED, r.code(), r.err());
        assertTrue(r.err().contains("no usable training images"), r.err());
    }

    /** SIGTERM and SIGINT during training write a checkpoint, say so, exit 143/130, and --resume goes on from it. */
    @Test
    void signalsWriteACheckpoint() throws IOException, InterruptedException {
        for (String sig : new String[] {"TERM", "INT"}) {
            Path out = dir.resolve(sig + ".safetensors");
            Path samples = dir.resolve("samples-" + sig);
            Path log = dir.resolve(sig + ".log");
            Process p = ChildJvm.start(log, Map.of(), "train", images, "--size", 32, "--nz", 8, "--ngf", 4, "--ndf", 4, "--batch", 4,
                    "--steps", 1000000, "--samples-every", 1, "--samples-dir", samples, "--device", "cpu", "--out", out);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(samples.resolve("samples-000002.png")) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(50);
                assertTrue(p.isAlive(), Files.readString(log));
                ChildJvm.signal(p, sig);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ends after SIG" + sig);
            } finally {
                p.destroyForcibly();
            }
            String text = Files.readString(log);
            assertEquals(sig.equals("TERM") ? 143 : 130, p.exitValue(), text);
            assertTrue(text.contains("checkpoint written to " + out + ".ckpt"), text);
            int steps = Integer.parseInt(ModelFile.readInfo(Path.of(out + ".ckpt")).get("steps"));
            assertTrue(steps >= 2, "checkpoint at step " + steps);
            ScanCommandTest.Run r = ScanCommandTest.run("train", images, "--resume", out + ".ckpt", "--steps", steps + 1, "--batch", 4,
                    "--device", "cpu", "--out", out, "--samples-dir", samples);
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertEquals(Integer.toString(steps + 1), ModelFile.readInfo(out).get("steps"));
        }
    }
}
