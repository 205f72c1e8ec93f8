package org.anoscan.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.anoscan.io.AtomicFiles;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.anoscan.scan.Region;

/**
 * {@code scores.jsonl}: one JSON object per image (or per failed file, with an {@code error}), flushed as it
 * is written, so a crash keeps every line already written; and at the end {@code scores.json}: the run's
 * settings, thresholds, every image and every failure in one document, written atomically.
 */
public final class JsonScoreWriter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter lines;

    /** Creates (or truncates) the json-lines file. */
    public JsonScoreWriter(Path jsonLines) throws IOException {
        this.lines = Files.newBufferedWriter(jsonLines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    public void write(ScoredImage s) throws IOException {
        writeLine(toJson(s));
    }

    public void writeFailure(String file, String error) throws IOException {
        writeLine(failure(file, error));
    }

    private void writeLine(ObjectNode node) throws IOException {
        lines.write(JSON.writeValueAsString(node));
        lines.newLine();
        lines.flush();
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
