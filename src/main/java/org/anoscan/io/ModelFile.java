package org.anoscan.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.Backend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Parameter;
import org.anoscan.tensor.Tensor;

/**
 * One file per model: a safetensors file (8-byte little-endian header length, a JSON header, then the
 * raw little-endian F32 data), so PyTorch users read the weights with the {@code safetensors} package.
 * Its {@code __metadata__} holds the format name and version, the architecture, free-form training
 * information, and the SHA-256 of the tensor data. Parameter names follow PyTorch's DCGAN example.
 * Extra tensors (a trainer's Adam moments) may ride along. Loading rejects a truncated, corrupted,
 * wrong-version or wrong-architecture file with a one-line message naming the problem.
 */
public final class ModelFile {
    public static final String FORMAT = "anoscan-dcgan";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFile() {}

    /** A loaded model, its training information and any extra tensors (host copies). */
    public record Loaded(Dcgan model, Map<String, String> info, Map<String, float[]> extra) {
    }

    /** Writes the model atomically (a temporary file then a rename: an existing file is never half-overwritten). */
    public static void save(Path file, Dcgan model, Map<String, String> info, Map<String, Tensor> extra) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Parameter p : model.state()) tensors.put(p.name(), p.value());
        tensors.putAll(extra);
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (int d : e.getValue().shape().dims()) shape.add(d);
            long bytes = 4L * e.getValue().size();
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        if (offset > Integer.MAX_VALUE) throw new IOException(file + ": model too large (" + offset + " bytes)");
        ByteBuffer data = ByteBuffer.allocate((int) offset).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            for (float f : t.toHost()) data.putFloat(f);
        }
        meta.put("format", FORMAT);
        meta.put("format_version", Integer.toString(VERSION));
        meta.put("architecture", JSON.writeValueAsString(architecture(model.spec())));
        meta.put("info", JSON.writeValueAsString(info));
        meta.put("sha256", sha256(data.array()));
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // safetensors allows trailing spaces; keeps data 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        AtomicFiles.write(file, head.array(), data.array());
    }

    /** Reads only the architecture and information (no weights, no backend). */
    public static Map<String, String> readInfo(Path file) throws IOException {
        return parse(file).info;
    }

    public static DcganSpec readSpec(Path file) throws IOException {
        return parse(file).spec;
    }

    /** Loads and checks a model file onto a backend. */
    public static Loaded load(Path file, Backend backend) throws IOException {
        Parsed p = parse(file);
        Map<String, float[]> all = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : p.offsets.entrySet()) {
            long[] o = e.getValue();
            float[] values = new float[(int) ((o[1] - o[0]) / 4)];
            ByteBuffer.wrap(p.data, (int) o[0], (int) (o[1] - o[0])).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            all.put(e.getKey(), values);
        }
        Dcgan model = new Dcgan(backend, p.spec, 0L);
        try {
            for (Parameter param : model.state()) {
                float[] v = all.remove(param.name());
                int[] shape = p.shapes.get(param.name());
                if (v == null) throw bad(file, "wrong architecture: tensor " + param.name() + " is missing");
                if (!java.util.Arrays.equals(shape, param.value().shape().dims())) {
                    throw bad(file, "wrong architecture: tensor " + param.name() + " has shape " + java.util.Arrays.toString(shape)
                            + ", the architecture " + p.spec + " needs " + param.value().shape());
                }
                try (Tensor t = backend.fromHost(v, param.value().shape())) {
                    backend.copyInto(t, param.value());
                }
            }
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return new Loaded(model, p.info, all);
    }

    private record Parsed(DcganSpec spec, Map<String, String> info, Map<String, long[]> offsets,
                          Map<String, int[]> shapes, byte[] data) {
    }

    private static Parsed parse(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": model file not found");
        }
        if (bytes.length < 8) throw bad(file, "truncated (" + bytes.length + " bytes, no header)");
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen <= 0 || headerLen > bytes.length - 8) {
            throw bad(file, "truncated or not a model file (header length " + headerLen + ", file " + bytes.length + " bytes)");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(file, "corrupted header (not valid JSON)");
        }
        JsonNode meta = header == null ? null : header.get("__metadata__");
        if (meta == null || !FORMAT.equals(meta.path("format").asText())) throw bad(file, "not an AnoScan model file");
        String version = meta.path("format_version").asText();
        if (!Integer.toString(VERSION).equals(version)) {
            throw bad(file, "format version " + version + " is not supported (this AnoScan reads version " + VERSION + ")");
        }
        DcganSpec spec = parseSpec(file, meta.path("architecture").asText());
        Map<String, String> info = new LinkedHashMap<>();
        try {
            JsonNode in = JSON.readTree(meta.path("info").asText("{}"));
            for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                info.put(e.getKey(), e.getValue().asText());
            }
        } catch (JsonProcessingException e) {
            throw bad(file, "corrupted header (training information is not valid JSON)");
        }
        int dataStart = (int) (8 + headerLen);
        byte[] data = java.util.Arrays.copyOfRange(bytes, dataStart, bytes.length);
        Map<String, long[]> offsets = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        long expectEnd = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode t = e.getValue();
            if (!"F32".equals(t.path("dtype").asText())) throw bad(file, "tensor " + e.getKey() + " is not F32");
            long a = t.path("data_offsets").path(0).asLong(-1);
            long b = t.path("data_offsets").path(1).asLong(-1);
            int[] shape = new int[t.path("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").path(i).asInt();
                count *= shape[i];
            }
            if (a != expectEnd || b - a != 4 * count) throw bad(file, "corrupted header (bad offsets for tensor " + e.getKey() + ")");
            expectEnd = b;
            offsets.put(e.getKey(), new long[] {a, b});
            shapes.put(e.getKey(), shape);
        }
        if (data.length < expectEnd) throw bad(file, "truncated (" + data.length + " of " + expectEnd + " bytes of tensor data)");
        if (data.length > expectEnd) throw bad(file, "corrupted (" + (data.length - expectEnd) + " unexpected bytes after the tensor data)");
        if (!sha256(data).equals(meta.path("sha256").asText())) {
            throw bad(file, "corrupted (SHA-256 of the tensor data does not match the header)");
        }
        return new Parsed(spec, info, offsets, shapes, data);
    }

    private static DcganSpec parseSpec(Path file, String json) throws IOException {
        try {
            JsonNode a = JSON.readTree(json);
            if (!"dcgan".equals(a.path("type").asText())) throw bad(file, "unknown architecture '" + a.path("type").asText() + "'");
            for (String k : List.of("image_size", "channels", "nz", "ngf", "ndf")) {
                if (!a.path(k).isInt()) throw bad(file, "architecture lacks '" + k + "'");
            }
            return new DcganSpec(a.get("image_size").asInt(), a.get("channels").asInt(), a.get("nz").asInt(),
                    a.get("ngf").asInt(), a.get("ndf").asInt());
        } catch (JsonProcessingException e) {
            throw bad(file, "corrupted header (architecture is not valid JSON)");
        } catch (IllegalArgumentException e) {
            throw bad(file, "bad architecture: " + e.getMessage());
        }
    }

    private static ObjectNode architecture(DcganSpec s) {
        ObjectNode a = JSON.createObjectNode();
        a.put("type", "dcgan");
        a.put("image_size", s.imageSize());
        a.put("channels", s.channels());
        a.put("nz", s.nz());
        a.put("ngf", s.ngf());
        a.put("ndf", s.ndf());
        return a;
    }

    private static IOException bad(Path file, String what) {
        return new IOException(file + ": " + what);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
