package org.anoscan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Encoder;
import org.anoscan.nn.Parameter;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.ScoringMode;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format 3: the optional encoder in the model file; format 2 files (no encoder) still load. */
class ModelFileEncoderTest {
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 12, 8, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private CpuBackend cpu;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    private Dcgan withEncoder() {
        Dcgan m = new Dcgan(cpu, SPEC, 3L);
        m.setEncoder(new Encoder(cpu, SPEC, 4, 5L));
        TestModels.randomizeBatchNorms(m, new Random(1));
        return m;
    }

    @Test
    void theEncoderTravelsWithTheModelAndScoresTheSame() throws IOException {
        Path file = dir.resolve("m.safetensors");
        float[] patches = new float[4 * 32 * 32];
        Random r = new Random(2);
        for (int i = 0; i < patches.length; i++) patches[i] = r.nextFloat() * 2 - 1;
        SearchConfig hybrid = SearchConfig.defaults().withIterations(5).withMode(ScoringMode.HYBRID);
        List<SearchResult> before;
        List<Parameter> saved;
        try (Dcgan m = withEncoder()) {
            before = new LatentSearch(m, hybrid).search(patches, 4);
            ModelFile.save(file, m, Map.of("source", "test"), Map.of());
            saved = m.encoder().state();
            assertTrue(ModelFile.hasEncoder(file));
            try (Dcgan again = ModelFile.load(file, cpu).model()) {
                assertEquals(4, again.encoder().width());
                List<Parameter> loaded = again.encoder().state();
                assertEquals(saved.size(), loaded.size());
                for (int i = 0; i < saved.size(); i++) {
                    assertEquals(saved.get(i).name(), loaded.get(i).name());
                    assertArrayEquals(saved.get(i).value().toHost(), loaded.get(i).value().toHost(), saved.get(i).name());
                }
                List<SearchResult> after = new LatentSearch(again, hybrid).search(patches, 4);
                for (int p = 0; p < 4; p++) assertEquals(before.get(p).score(), after.get(p).score(), "patch " + p);
            }
        }
        assertTrue(header(file).contains("\"format_version\":\"3\""));
    }

    @Test
    void aModelWithoutEncoderHasNoneAndAnEncoderModeSaysSo() throws IOException {
        Path file = dir.resolve("plain.safetensors");
        try (Dcgan m = new Dcgan(cpu, SPEC, 3L)) {
            ModelFile.save(file, m, Map.of(), Map.of());
        }
        assertTrue(!ModelFile.hasEncoder(file));
        try (Dcgan m = ModelFile.load(file, cpu).model()) {
            assertNull(m.encoder());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LatentSearch(m, SearchConfig.defaults().withMode(ScoringMode.HYBRID)));
            assertTrue(e.getMessage().contains("needs an encoder and this model has none"), e.getMessage());
        }
    }

    @Test
    void aFormatTwoFileStillLoads() throws Exception {
        Path file = dir.resolve("v2.safetensors");
        float[] weight;
        try (Dcgan m = new Dcgan(cpu, SPEC, 3L)) {
            ModelFile.save(file, m, Map.of("source", "format 2"), Map.of());
            weight = m.state().get(0).value().toHost();
        }
        stampFormatTwo(file);
        assertTrue(header(file).contains("\"format_version\":\"2\""));
        ModelFile.Loaded loaded = ModelFile.load(file, cpu);
        try (Dcgan m = loaded.model()) {
            assertEquals(List.of(), loaded.warnings(), "format 2 has the full checksum: no warning");
            assertNull(m.encoder());
            assertArrayEquals(weight, m.state().get(0).value().toHost());
        }
    }

    @Test
    void anEncoderOfTheWrongShapeIsRefusedBeforeAnythingIsBuilt() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        try (Dcgan m = withEncoder()) {
            ModelFile.save(file, m, Map.of(), Map.of());
        }
        String h = header(file);
        rewrite(file, h.replace("\\\"width\\\":4", "\\\"width\\\":5"));
        IOException e = assertThrows(IOException.class, () -> ModelFile.load(file, cpu).model().close());
        assertTrue(e.getMessage().contains("wrong architecture") && e.getMessage().contains("encoder"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    private static String header(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(b, 8, n, StandardCharsets.UTF_8);
    }

    /** Replaces the header (same length, so the offsets stay valid). */
    private static void rewrite(Path file, String header) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        assertEquals(n, h.length);
        System.arraycopy(h, 0, b, 8, n);
        Files.write(file, b);
    }

    /**
     * Writes the file as format 2 would: version "2" and its SHA-256, computed here independently from the
     * format's description (a canonical JSON of the metadata but the checksum and of the tensor index, keys
     * sorted, followed by the data).
     */
    private static void stampFormatTwo(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode head = (ObjectNode) JSON.readTree(new String(b, 8, n, StandardCharsets.UTF_8));
        ObjectNode meta = (ObjectNode) head.get("__metadata__");
        meta.put("format_version", "2");
        Map<String, Object> metadata = new TreeMap<>();
        for (Iterator<String> it = meta.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("sha256")) metadata.put(k, meta.get(k).asText());
        }
        Map<String, Object> tensors = new TreeMap<>();
        for (Iterator<String> it = head.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("__metadata__")) continue;
            Map<String, Object> t = new TreeMap<>();
            t.put("dtype", "F32");
            t.put("shape", JSON.convertValue(head.get(k).get("shape"), int[].class));
            t.put("data_offsets", JSON.convertValue(head.get(k).get("data_offsets"), long[].class));
            tensors.put(k, t);
        }
        Map<String, Object> doc = new TreeMap<>(Map.of("metadata", metadata, "tensors", tensors));
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true).writeValueAsBytes(doc));
        md.update(b, 8 + n, b.length - 8 - n);
        meta.put("sha256", HexFormat.of().formatHex(md.digest()));
        byte[] json = JSON.writeValueAsBytes(head);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + b.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        while (out.position() < 8 + padded) out.put((byte) ' ');
        out.put(b, 8 + n, b.length - 8 - n);
        Files.write(file, out.array());
    }
}
