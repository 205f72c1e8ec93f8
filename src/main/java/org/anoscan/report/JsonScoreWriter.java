package org.anoscan.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.anoscan.io.AtomicFiles;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStream;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.anoscan.scan.PatchPosition;
import org.anoscan.scan.PatchScore;
import org.anoscan.scan.Region;

/**
 * {@code scores.jsonl}: one JSON object per image (or per failed file, with an {@code error}), flushed as it
 * is written, so a crash keeps every line already written; and at the end {@code scores.json}: the run's
 * settings, thresholds, every image and every failure in one document, written atomically.
 */
public final class JsonScoreWriter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final OutputStream lines;

    /** Creates (or truncates) the json-lines file. */
    public JsonScoreWriter(Path jsonLines) throws IOException {
        this(jsonLines, false);
    }

    /** Appends to the json-lines file (resuming a run), or creates (truncates) it. */
    public JsonScoreWriter(Path jsonLines, boolean append) throws IOException {
        this.lines = Files.newOutputStream(jsonLines, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
    }

    public void write(ScoredImage s) throws IOException {
        writeLine(toJson(s));
    }

    public void writeFailure(String file, String error) throws IOException {
        writeLine(failure(file, error));
    }

    /** One unbuffered write per line: a killed process leaves whole lines only (at worst the last one torn). */
    private void writeLine(ObjectNode node) throws IOException {
        lines.write((JSON.writeValueAsString(node) + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        lines.flush();
    }

    /** The json-lines rows of {@code images}, as a resumed run starts its file. */
    static String document(List<ScoredImage> images) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ScoredImage s : images) sb.append(JSON.writeValueAsString(toJson(s))).append(System.lineSeparator());
        return sb.toString();
    }

    /**
     * The images of a json-lines file that a run wrote (failures and a torn last line left out), so a resumed
     * run keeps them without scanning them again.
     */
    static List<ScoredImage> readImages(Path jsonLines, int patchSize) throws IOException {
        List<ScoredImage> out = new java.util.ArrayList<>();
        if (!Files.exists(jsonLines)) return out;
        for (String line : Files.readAllLines(jsonLines, StandardCharsets.UTF_8)) {
            JsonNode o;
            try {
                o = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException torn) {
                continue; // the line a killed process was writing: that image is scanned again
            }
            if (o == null || !o.isObject() || o.has("error") || !o.has("score_topk_mean")) continue;
            List<Region> regions = new java.util.ArrayList<>();
            for (JsonNode g : o.path("regions")) {
                regions.add(new Region(g.path("x").asInt(), g.path("y").asInt(), g.path("width").asInt(), g.path("height").asInt(),
                        g.path("area").asInt(), (float) g.path("max").asDouble()));
            }
            JsonNode top = o.path("top_patch");
            PatchScore topPatch = top.isObject() ? new PatchScore(new PatchPosition(top.path("y").asInt(), top.path("x").asInt()),
                    top.path("score").floatValue(), false) : null;
            out.add(new ScoredImage(o.path("file").asText(), o.path("name").asText(), o.path("height").asInt(), o.path("width").asInt(),
                    o.path("score_max").floatValue(), o.path("score_topk_mean").floatValue(), o.path("top_k").asInt(),
                    o.path("anomalous").isBoolean() ? o.path("anomalous").asBoolean() : null, List.copyOf(regions),
                    o.path("patches").asInt(), o.path("skipped_patches").asInt(), o.path("search_share_seconds").asDouble(),
                    o.path("heatmap").asText(), o.path("overlay").asText(), o.path("mask").isTextual() ? o.path("mask").asText() : null,
                    o.has("label") ? "anomalous".equals(o.path("label").asText()) : null,
                    o.path("panel").isTextual() ? o.path("panel").asText() : null, topPatch, patchSize,
                    o.path("heatmap_max").floatValue()));
        }
        return out;
    }

    /** Writes the whole run to {@code file} atomically (a temporary file, then a rename). */
    public static void writeDocument(Path file, Map<String, Object> run, List<ScoredImage> images,
                                     Map<String, String> failures) throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        doc.set("run", JSON.valueToTree(run));
        ArrayNode arr = doc.putArray("images");
        for (ScoredImage s : images) arr.add(toJson(s));
        ArrayNode bad = doc.putArray("failures");
        failures.forEach((f, e) -> bad.add(failure(f, e)));
        AtomicFiles.write(file, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
    }

    static ObjectNode toJson(ScoredImage s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", s.file());
        o.put("name", s.name());
        o.put("height", s.height());
        o.put("width", s.width());
        o.put("score_max", s.maxScore());
        o.put("score_topk_mean", s.topKMean());
        o.put("top_k", s.topK());
        if (s.anomalous() == null) o.putNull("anomalous");
        else o.put("anomalous", s.anomalous());
        ArrayNode regions = o.putArray("regions");
        for (Region r : s.regions()) {
            ObjectNode g = regions.addObject();
            g.put("x", r.x());
            g.put("y", r.y());
            g.put("width", r.width());
            g.put("height", r.height());
            g.put("area", r.area());
            g.put("max", r.maxValue());
        }
        o.put("patches", s.patches());
        o.put("skipped_patches", s.skippedPatches());
        o.put("search_share_seconds", s.searchShareSeconds());
        if (s.topPatch() != null) {
            o.putObject("top_patch").put("x", s.topPatch().position().x()).put("y", s.topPatch().position().y())
                    .put("size", s.patchSize()).put("score", s.topPatch().score());
        }
        if (s.panel() != null) o.put("panel", s.panel());
        o.put("heatmap_max", s.heatmapMax());
        o.put("heatmap", s.heatmap());
        o.put("overlay", s.overlay());
        if (s.mask() == null) o.putNull("mask");
        else o.put("mask", s.mask());
        if (s.label() != null) o.put("label", s.label() ? "anomalous" : "normal");
        return o;
    }

    private static ObjectNode failure(String file, String error) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", file);
        o.put("error", error);
        return o;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
