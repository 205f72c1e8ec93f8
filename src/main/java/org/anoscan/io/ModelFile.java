package org.anoscan.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.anoscan.backend.Backend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.CompoundScaling;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Encoder;
import org.anoscan.nn.Parameter;
import org.anoscan.tensor.Tensor;

/**
 * One file per model: a safetensors file (8-byte little-endian header length, a JSON header, then the
 * raw little-endian F32 data), so PyTorch users read the weights with the {@code safetensors} package.
 * Its {@code __metadata__} holds the format name and version, the architecture, free-form training
 * information (calibrated thresholds and their settings among it), and a SHA-256. Parameter names follow
 * PyTorch's DCGAN example. Extra tensors (a trainer's Adam moments) may ride along.
 *
 * <p>Nothing in the file is trusted unchecked. Format 2's SHA-256 covers every metadata key but itself (in
 * a canonical form, so keys added later are covered without a format change), the tensor index (names,
 * dtypes, shapes, offsets) and the data: an edited threshold or architecture is rejected like a flipped
 * weight bit. Before anything is allocated the loader refuses non-regular files, files over
 * {@link #MAX_FILE_BYTES}, absurd header lengths, architectures outside {@link #MAX_WIDTH}/{@link #MAX_NZ}
 * and tensor shapes that do not match the architecture; NaN or infinite weights are refused at load.
 * Tensors may be listed in any order (safetensors does not fix one) as long as their data tile the data
 * section. Format 1 files (whose checksum covered the tensor data only) still load, with a warning.
 *
 * <p>Format 3 adds the optional encoder (f-AnoGAN's image -> z map): its architecture under the metadata key
 * {@code encoder} and its tensors as {@code encoder.main.N.*}, checked like the DCGAN's and attached to the
 * loaded model ({@link Dcgan#encoder()}). Format 2 files, which have none, load as before.
 */
public final class ModelFile {
    public static final String FORMAT = "anoscan-dcgan";
    public static final int VERSION = 3;
    /** Format 2: the same checksum as 3, no encoder. */
    static final int VERSION_NO_ENCODER = 2;
    /** Format 1: SHA-256 over the tensor data only. Loaded with a warning; saving always writes {@link #VERSION}. */
    static final int VERSION_DATA_ONLY_CHECKSUM = 1;
    /** Larger files are refused before being read (the data section is read into one Java array). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64L;
    /** safetensors' own bound on the JSON header. */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    /** Sanity bounds of the architecture (DCGAN-64 uses nz 100 and widths 64). */
    public static final int MAX_NZ = 4096;
    public static final int MAX_WIDTH = 1024;
    static final String CHECKSUM_KEY = "sha256";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ModelFile() {}

    /**
     * A loaded model, its training information, any extra tensors (host copies) and warnings about the file
     * (e.g. an older format), which a caller shows the user.
     */
    static final String ENCODER_KEY = "encoder";

    public record Loaded(Dcgan model, Map<String, String> info, Map<String, float[]> extra, List<String> warnings) {
        public Loaded(Dcgan model, Map<String, String> info, Map<String, float[]> extra) {
            this(model, info, extra, List.of());
        }
    }

    /** Writes the model atomically (a temporary file then a rename: an existing file is never half-overwritten). */
    public static void save(Path file, Dcgan model, Map<String, String> info, Map<String, Tensor> extra) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Parameter p : model.state()) tensors.put(p.name(), p.value());
        if (model.encoder() != null) {
            for (Parameter p : model.encoder().state()) tensors.put(p.name(), p.value());
        }
        for (String k : extra.keySet()) {
            if (tensors.containsKey(k)) throw new IllegalArgumentException("model file: extra tensor " + k + " collides with a model tensor");
        }
        tensors.putAll(extra);
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        Map<String, TensorEntry> index = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = 4L * e.getValue().size();
            TensorEntry t = new TensorEntry(e.getKey(), e.getValue().shape().dims(), offset, offset + bytes);
            index.put(t.name(), t);
            ObjectNode n = header.putObject(t.name());
            n.put("dtype", "F32");
            ArrayNode shape = n.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            n.putArray("data_offsets").add(t.begin()).add(t.end());
            offset += bytes;
        }
        if (offset > MAX_FILE_BYTES - MAX_HEADER_BYTES) throw new IOException(file + ": model too large (" + offset + " bytes)");
        ByteBuffer data = ByteBuffer.allocate((int) offset).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            for (float f : t.toHost()) data.putFloat(f);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("format_version", Integer.toString(VERSION));
        metadata.put("architecture", JSON.writeValueAsString(architecture(model.spec())));
        metadata.put("info", JSON.writeValueAsString(info));
        if (model.encoder() != null) metadata.put(ENCODER_KEY, JSON.writeValueAsString(encoderArchitecture(model.encoder())));
        metadata.forEach(meta::put);
        meta.put(CHECKSUM_KEY, checksum(metadata, index, data.array()));
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // safetensors allows trailing spaces; keeps data 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        AtomicFiles.write(file, head.array(), data.array());
    }

    /** Reads only the architecture and information (no backend), after checking the whole file. */
    public static Map<String, String> readInfo(Path file) throws IOException {
        return parse(file).info;
    }

    /** Reads the architecture (no backend), after checking the whole file. */
    public static DcganSpec readSpec(Path file) throws IOException {
        return parse(file).spec;
    }

    /** Whether the file holds an encoder (after checking the whole file). */
    public static boolean hasEncoder(Path file) throws IOException {
        return parse(file).encoderWidth > 0;
    }

    /** Warnings about a file that loads (e.g. an older format); empty for a current file. */
    public static List<String> readWarnings(Path file) throws IOException {
        return parse(file).warnings;
    }

    /** Loads and checks a model file onto a backend. */
    public static Loaded load(Path file, Backend backend) throws IOException {
        Parsed p = parse(file);
        Map<String, float[]> all = new LinkedHashMap<>();
        for (TensorEntry t : p.index.values()) {
            float[] values = new float[(int) ((t.end() - t.begin()) / 4)];
            ByteBuffer.wrap(p.data, (int) t.begin(), (int) (t.end() - t.begin())).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            all.put(t.name(), values);
        }
        Dcgan model = new Dcgan(backend, p.spec, 0L); // shapes were checked against p.spec in parse
        try {
            for (Parameter param : model.state()) {
                try (Tensor t = backend.fromHost(all.remove(param.name()), param.value().shape())) {
                    backend.copyInto(t, param.value());
                }
            }
            if (p.encoderWidth > 0) {
                model.setEncoder(new Encoder(backend, p.spec, p.encoderWidth, 0L));
                for (Parameter param : model.encoder().state()) {
                    try (Tensor t = backend.fromHost(all.remove(param.name()), param.value().shape())) {
                        backend.copyInto(t, param.value());
                    }
                }
            }
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return new Loaded(model, p.info, all, p.warnings);
    }

    private record TensorEntry(String name, int[] shape, long begin, long end) {
    }

    private record Parsed(DcganSpec spec, Map<String, String> info, Map<String, TensorEntry> index, byte[] data,
                          List<String> warnings, int encoderWidth) {
    }

    private static Parsed parse(Path file) throws IOException {
        if (Files.isDirectory(file)) throw bad(file, "is a directory, not a model file; give the .safetensors file");
        if (!Files.exists(file)) throw new IOException(file + ": model file not found");
        if (!Files.isRegularFile(file)) throw bad(file, "not a regular file (a device, pipe or socket); give a model file");
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_FILE_BYTES) throw bad(file, "too large for a model file (" + size + " bytes; the bound is " + MAX_FILE_BYTES + ")");
            if (size < 8) throw bad(file, "truncated (" + size + " bytes, no header)");
            ByteBuffer len = readFully(ch, 8, file).order(ByteOrder.LITTLE_ENDIAN);
            long headerLen = len.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw bad(file, "truncated or not a model file (header length " + headerLen + ", file " + size + " bytes)");
            }
            JsonNode header;
            try {
                header = JSON.readTree(new String(readFully(ch, (int) headerLen, file).array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw bad(file, "corrupted header (not valid JSON)");
            }
            JsonNode meta = header == null || !header.isObject() ? null : header.get("__metadata__");
            if (meta == null || !meta.isObject() || !FORMAT.equals(meta.path("format").asText())) throw bad(file, "not an AnoScan model file");
            String version = meta.path("format_version").asText();
            List<String> warnings = new ArrayList<>();
            if (Integer.toString(VERSION_DATA_ONLY_CHECKSUM).equals(version)) {
                warnings.add(file + " is in model format 1, whose checksum does not cover its architecture and thresholds; "
                        + "'anoscan calibrate' rewrites it in format " + VERSION);
            } else if (!Integer.toString(VERSION).equals(version) && !Integer.toString(VERSION_NO_ENCODER).equals(version)) {
                throw bad(file, "format version " + version + " is not supported (this AnoScan reads versions 1 to " + VERSION + ")");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) throw bad(file, "corrupted header (metadata '" + e.getKey() + "' is not a string)");
                if (!e.getKey().equals(CHECKSUM_KEY)) metadata.put(e.getKey(), e.getValue().asText());
            }
            DcganSpec spec = parseSpec(file, metadata.getOrDefault("architecture", ""));
            Map<String, String> info = parseInfo(file, metadata.getOrDefault("info", "{}"));
            Map<String, TensorEntry> index = parseIndex(file, header);
            long dataLen = checkLayout(file, index, size - 8 - headerLen);
            int encoderWidth = 0;
            if (metadata.containsKey(ENCODER_KEY)) {
                if (!Integer.toString(VERSION).equals(version)) throw bad(file, "corrupted header (an encoder in a format " + version + " file)");
                encoderWidth = parseEncoderWidth(file, metadata.get(ENCODER_KEY));
            }
            checkShapes(file, Dcgan.stateShapes(spec), spec.toString(), index);
            if (encoderWidth > 0) checkShapes(file, Encoder.stateShapes(spec, encoderWidth), "encoder width " + encoderWidth, index);
            byte[] data = readFully(ch, (int) dataLen, file).array();
            String expected = meta.path(CHECKSUM_KEY).asText();
            if (warnings.isEmpty() ? !checksum(metadata, index, data).equals(expected) : !sha256(data).equals(expected)) {
                throw bad(file, warnings.isEmpty()
                        ? "corrupted or edited (its SHA-256 over the settings, tensor index and data does not match the header)"
                        : "corrupted (SHA-256 of the tensor data does not match the header)");
            }
            checkFinite(file, index, data);
            return new Parsed(spec, info, index, data, List.copyOf(warnings), encoderWidth);
        } catch (AccessDeniedException e) {
            throw bad(file, "permission denied; make it readable");
        }
    }

    private static ByteBuffer readFully(SeekableByteChannel ch, int n, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw bad(file, "truncated (ends " + b.remaining() + " bytes early)");
        }
        return b.flip();
    }

    private static Map<String, String> parseInfo(Path file, String json) throws IOException {
        Map<String, String> info = new LinkedHashMap<>();
        try {
            JsonNode in = JSON.readTree(json);
            if (in == null || !in.isObject()) throw bad(file, "corrupted header (training information is not a JSON object)");
            for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                info.put(e.getKey(), e.getValue().asText());
            }
        } catch (JsonProcessingException e) {
            throw bad(file, "corrupted header (training information is not valid JSON)");
        }
        return info;
    }

    /** The tensor entries of the header, each checked on its own (dtype, shape, offsets). */
    private static Map<String, TensorEntry> parseIndex(Path file, JsonNode header) throws IOException {
        Map<String, TensorEntry> index = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            JsonNode t = e.getValue();
            if (!"F32".equals(t.path("dtype").asText())) throw bad(file, "tensor " + e.getKey() + " is not F32");
            JsonNode dims = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!dims.isArray() || dims.size() > 8 || !offsets.isArray() || offsets.size() != 2
                    || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                throw bad(file, "corrupted header (bad shape or offsets for tensor " + e.getKey() + ")");
            }
            int[] shape = new int[dims.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = dims.get(i);
                if (!d.canConvertToInt() || d.asInt() < 0) throw bad(file, "corrupted header (bad shape for tensor " + e.getKey() + ")");
                shape[i] = d.asInt();
                count *= shape[i];
                if (count > MAX_FILE_BYTES / 4) throw bad(file, "tensor " + e.getKey() + " has too many elements for a model file");
            }
            long a = offsets.get(0).asLong(), b = offsets.get(1).asLong();
            if (a < 0 || b - a != 4 * count) throw bad(file, "corrupted header (bad offsets for tensor " + e.getKey() + ")");
            index.put(e.getKey(), new TensorEntry(e.getKey(), shape, a, b));
        }
        return index;
    }

    /** The tensors' data must tile the data section exactly, in any listed order; returns its length. */
    private static long checkLayout(Path file, Map<String, TensorEntry> index, long available) throws IOException {
        List<TensorEntry> byOffset = new ArrayList<>(index.values());
        byOffset.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long end = 0;
        for (TensorEntry t : byOffset) {
            if (t.begin() != end) throw bad(file, "corrupted header (tensor " + t.name() + "'s data overlaps another or leaves a gap)");
            end = t.end();
        }
        if (available < end) throw bad(file, "truncated (" + available + " of " + end + " bytes of tensor data)");
        if (available > end) throw bad(file, "corrupted (" + (available - end) + " unexpected bytes after the tensor data)");
        return end;
    }

    /** Every tensor the architecture needs is there with its shape, before anything is built from it. */
    private static void checkShapes(Path file, Map<String, int[]> shapes, String spec, Map<String, TensorEntry> index) throws IOException {
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            TensorEntry t = index.get(e.getKey());
            if (t == null) throw bad(file, "wrong architecture: tensor " + e.getKey() + " is missing");
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw bad(file, "wrong architecture: tensor " + e.getKey() + " has shape " + Arrays.toString(t.shape())
                        + ", the architecture " + spec + " needs " + Arrays.toString(e.getValue()));
            }
        }
    }

    private static void checkFinite(Path file, Map<String, TensorEntry> index, byte[] data) throws IOException {
        FloatBuffer all = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (TensorEntry t : index.values()) {
            for (long i = t.begin() / 4; i < t.end() / 4; i++) {
                if (!Float.isFinite(all.get((int) i))) {
                    throw bad(file, "broken model: tensor " + t.name() + " holds NaN or infinite values (retrain it or restore a good copy)");
                }
            }
        }
    }

    private static DcganSpec parseSpec(Path file, String json) throws IOException {
        try {
            JsonNode a = JSON.readTree(json);
            if (a == null || !"dcgan".equals(a.path("type").asText())) throw bad(file, "unknown architecture '" + (a == null ? "" : a.path("type").asText()) + "'");
            for (String k : List.of("image_size", "channels", "nz", "ngf", "ndf")) {
                if (!a.path(k).isInt()) throw bad(file, "architecture lacks '" + k + "'");
            }
            int nz = a.get("nz").asInt(), ngf = a.get("ngf").asInt(), ndf = a.get("ndf").asInt();
            if (nz > MAX_NZ || ngf > MAX_WIDTH || ndf > MAX_WIDTH) {
                throw bad(file, "bad architecture: nz " + nz + ", ngf " + ngf + ", ndf " + ndf + " exceed the bounds (nz <= " + MAX_NZ
                        + ", widths <= " + MAX_WIDTH + ")");
            }
            int blocks = a.path("blocks").asInt(0); // absent before compound scaling: a plain DCGAN
            if (blocks > DcganSpec.MAX_BLOCKS) throw bad(file, "bad architecture: " + blocks + " blocks per stage exceed the bound (" + DcganSpec.MAX_BLOCKS + ")");
            JsonNode sc = a.path("scaling");
            CompoundScaling scaling = sc.isObject() ? new CompoundScaling(sc.path("phi").asDouble(Double.NaN), sc.path("alpha").asDouble(Double.NaN),
                    sc.path("beta").asDouble(Double.NaN), sc.path("gamma").asDouble(Double.NaN)) : CompoundScaling.NONE;
            return new DcganSpec(a.get("image_size").asInt(), a.get("channels").asInt(), nz, ngf, ndf, blocks, scaling);
        } catch (JsonProcessingException e) {
            throw bad(file, "corrupted header (architecture is not valid JSON)");
        } catch (IllegalArgumentException e) {
            throw bad(file, "bad architecture: " + e.getMessage());
        }
    }

    private static int parseEncoderWidth(Path file, String json) throws IOException {
        try {
            JsonNode a = JSON.readTree(json);
            if (a == null || !"dcgan-encoder".equals(a.path("type").asText()) || !a.path("width").isInt()) {
                throw bad(file, "corrupted header (unknown encoder architecture)");
            }
            int width = a.get("width").asInt();
            if (width <= 0 || width > MAX_WIDTH) throw bad(file, "bad encoder architecture: width " + width + " (1 to " + MAX_WIDTH + ")");
            return width;
        } catch (JsonProcessingException e) {
            throw bad(file, "corrupted header (encoder architecture is not valid JSON)");
        }
    }

    private static ObjectNode encoderArchitecture(Encoder e) {
        ObjectNode a = JSON.createObjectNode();
        a.put("type", "dcgan-encoder");
        a.put("width", e.width());
        return a;
    }

    private static ObjectNode architecture(DcganSpec s) {
        ObjectNode a = JSON.createObjectNode();
        a.put("type", "dcgan");
        a.put("image_size", s.imageSize());
        a.put("channels", s.channels());
        a.put("nz", s.nz());
        a.put("ngf", s.ngf());
        a.put("ndf", s.ndf());
        if (s.blocks() > 0) a.put("blocks", s.blocks()); // written only when used: plain DCGAN files stay as they were
        if (!s.scaling().isNone()) {
            ObjectNode sc = a.putObject("scaling");
            sc.put("phi", s.scaling().phi());
            sc.put("alpha", s.scaling().alpha());
            sc.put("beta", s.scaling().beta());
            sc.put("gamma", s.scaling().gamma());
        }
        return a;
    }

    private static IOException bad(Path file, String what) {
        return new IOException(file + ": " + what);
    }

    /**
     * Format 2's checksum: SHA-256 of a canonical JSON document (every metadata key but the checksum, and the
     * tensor index, keys sorted) followed by the tensor data.
     */
    static String checksum(Map<String, String> metadata, Map<String, TensorEntry> index, byte[] data) {
        Map<String, Object> tensors = new TreeMap<>();
        for (TensorEntry t : index.values()) {
            tensors.put(t.name(), Map.of("dtype", "F32", "shape", t.shape(), "data_offsets", new long[] {t.begin(), t.end()}));
        }
        Map<String, Object> doc = new TreeMap<>();
        doc.put("metadata", new TreeMap<>(metadata));
        doc.put("tensors", tensors);
        try {
            MessageDigest md = sha256Digest();
            md.update(CANONICAL.writeValueAsBytes(doc));
            md.update(data);
            return HexFormat.of().formatHex(md.digest());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the model header", e);
        }
    }

    private static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256Digest().digest(data));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
