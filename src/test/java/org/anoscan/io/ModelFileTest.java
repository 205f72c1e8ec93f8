package org.anoscan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 12, 8, 8);
    @TempDir
    Path dir;
    private CpuBackend cpu;
    private Dcgan model;
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        cpu = new CpuBackend();
        model = new Dcgan(cpu, SPEC, 3L);
        file = dir.resolve("model.safetensors");
        ModelFile.save(file, model, Map.of("steps", "12", "source", "unit test"), Map.of());
    }

    @AfterEach
    void tearDown() {
        model.close();
        assertEquals(0, cpu.liveTensors());
        cpu.close();
    }

    @Test
    void saveLoadSearchGivesBitIdenticalScores() throws IOException {
        float[] patches = new float[3 * 32 * 32];
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < patches.length; i++) patches[i] = r.nextFloat() * 2 - 1;
        SearchConfig cfg = SearchConfig.defaults().withIterations(20);
        List<SearchResult> before = new LatentSearch(model, cfg).search(patches, 3);
        ModelFile.Loaded loaded = ModelFile.load(file, cpu);
        try (Dcgan again = loaded.model()) {
            assertEquals(SPEC, again.spec());
            assertEquals("12", loaded.info().get("steps"));
            assertEquals("unit test", loaded.info().get("source"));
            List<SearchResult> after = new LatentSearch(again, cfg).search(patches, 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(before.get(i).score(), after.get(i).score(), 0f);
                assertArrayEquals(before.get(i).residualMap(), after.get(i).residualMap(), 0f);
            }
        }
    }

    /** The layout a safetensors reader expects: u64 LE header size, JSON header, contiguous F32 data. */
    @Test
    void fileIsSafetensors() throws IOException {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        JsonNode h = new ObjectMapper().readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
        long end = 0;
        int tensors = 0;
        for (var it = h.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().fields().forEachRemaining(m -> assertTrue(m.getValue().isTextual(), "metadata values are strings"));
                continue;
            }
            assertEquals("F32", e.getValue().get("dtype").asText());
            end = Math.max(end, e.getValue().get("data_offsets").get(1).asLong());
            tensors++;
        }
        assertEquals(b.length - 8 - n, end, "data fills the rest of the file");
        assertEquals(model.state().size(), tensors);
        assertTrue(h.has("generator.main.0.weight") && h.has("discriminator.main.0.weight"));
        float first = ByteBuffer.wrap(b, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(model.generator().parameters().get(0).value().toHost()[0], first, 0f);
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, b.length - 100));
        assertRejected("truncated");
        Files.write(file, java.util.Arrays.copyOf(b, 5));
        assertRejected("truncated");
    }

    @Test
    void corruptedDataIsRejected() throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length - 10] ^= 0x40;
        Files.write(file, b);
        assertRejected("SHA-256");
    }

    @Test
    void corruptedHeaderIsRejected() throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[8] = '#'; // the header's opening brace
        Files.write(file, b);
        assertRejected("corrupted header");
    }

    @Test
    void wrongVersionIsRejected() throws IOException {
        rewriteHeader("\"format_version\":\"" + ModelFile.VERSION + "\"", "\"format_version\":\"9\"");
        assertRejected("version 9 is not supported");
    }

    @Test
    void wrongArchitectureIsRejected() throws IOException {
        rewriteHeader("\\\"nz\\\":12", "\\\"nz\\\":13");
        assertRejected("wrong architecture");
    }

    @Test
    void otherFilesAreRejected() throws IOException {
        Files.writeString(file, "this is not a model at all, just some text that is long enough");
        assertRejected("not a model file");
        IOException e = assertThrows(IOException.class, () -> ModelFile.load(dir.resolve("missing.safetensors"), cpu));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    /** Replaces text in the JSON header, keeping it the same length so offsets stay valid. */
    private void rewriteHeader(String from, String to) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(b, 8, n, StandardCharsets.UTF_8);
        assertTrue(header.contains(from), "header should contain " + from + ": " + header.substring(0, Math.min(300, n)));
        byte[] h = header.replace(from, to).getBytes(StandardCharsets.UTF_8);
        assertEquals(n, h.length);
        System.arraycopy(h, 0, b, 8, n);
        Files.write(file, b);
    }

    private void assertRejected(String reason) {
        IOException e = assertThrows(IOException.class, () -> ModelFile.load(file, cpu).model().close());
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), "the message names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
