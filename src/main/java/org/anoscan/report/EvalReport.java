package org.anoscan.report;

import org.anoscan.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.anoscan.eval.AnomalyMap;
import org.anoscan.eval.Aupro;
import org.anoscan.eval.DetectionMetrics;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.eval.LocalisationMetrics;
import org.anoscan.eval.PrecisionRecall;
import org.anoscan.eval.RankedScores;
import org.anoscan.eval.Roc;

/**
 * What {@code anoscan eval} writes into its folder: {@code metrics.json} (image-level metrics, pixel-level
 * ones when ground truth is given, the run's settings, and every score so the metrics can be recomputed),
 * {@code roc.png}, {@code pr.png} and, with ground truth, {@code pro.png}. Each file is written atomically.
 */
public final class EvalReport {
    public static final String METRICS = "metrics.json";
    public static final String ROC = "roc.png";
    public static final String PR = "pr.png";
    public static final String PRO = "pro.png";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One scored item (an image or an IDX patch), its label and its group: the defect type of an anomalous
     * image in an MVTec layout ("bad" otherwise), "good" for normal ones.
     */
    public record Item(String name, boolean anomalous, double score, String group) {
        public Item(String name, boolean anomalous, double score) {
            this(name, anomalous, score, anomalous ? "bad" : "good");
        }
    }

    /** Per-pixel maps and their ground truth, in the same order. */
    public record PixelTruth(List<AnomalyMap> maps, List<GroundTruthMask> masks) {}

    /**
     * The metrics written; localisation is null without pixel truth; perDefect holds, for each anomalous
     * group when there are several, the metrics of the normal items with that group's (empty otherwise).
     */
    public record Metrics(DetectionMetrics detection, LocalisationMetrics localisation, Map<String, Metrics> perDefect) {
        public Metrics(DetectionMetrics detection, LocalisationMetrics localisation) {
            this(detection, localisation, Map.of());
        }
    }

    private EvalReport() {}

    /**
     * Computes the metrics and writes every file.
     *
     * @param run   settings and counts for the reader, written as given under "run"
     * @param pixels per-pixel maps with masks, or null for image-level metrics only
     * @throws IllegalArgumentException when the items hold only one class
     */
    public static Metrics write(Path dir, Map<String, Object> run, List<Item> items, PixelTruth pixels) throws IOException {
        RankedScores ranked = ranked(items);
        DetectionMetrics detection = DetectionMetrics.of(ranked);
        LocalisationMetrics localisation = null;
        Aupro.Result pro = null;
        if (pixels != null) {
            localisation = LocalisationMetrics.of(pixels.maps(), pixels.masks());
            pro = Aupro.compute(pixels.maps(), pixels.masks(), localisation.auproFprLimit()); // for its curve
        }
        Map<String, Metrics> perDefect = perDefect(items, pixels);

        ObjectNode doc = JSON.createObjectNode();
        doc.set("detection", withBaseline(detection));
        if (localisation != null) doc.set("localisation", JSON.valueToTree(localisation));
        if (!perDefect.isEmpty()) {
            ObjectNode per = doc.putObject("per_defect");
            perDefect.forEach((defect, m) -> {
                ObjectNode o = per.putObject(defect);
                o.set("detection", withBaseline(m.detection()));
                if (m.localisation() != null) o.set("localisation", JSON.valueToTree(m.localisation()));
            });
        }
        doc.set("run", JSON.valueToTree(run));
        ArrayNode arr = doc.putArray("scores");
        for (Item it : items) {
            arr.addObject().put("name", it.name()).put("label", it.anomalous() ? "anomalous" : "normal").put("group", it.group())
                    .put("score", it.score());
        }
        AtomicFiles.write(dir.resolve(METRICS), JSON.writeValueAsBytes(doc));
        AtomicFiles.write(dir.resolve(ROC), ScoreCharts.roc(Roc.curve(ranked), detection.auroc()));
        AtomicFiles.write(dir.resolve(PR), ScoreCharts.precisionRecall(PrecisionRecall.curve(ranked), detection.aupr(),
                (double) detection.anomalies() / items.size()));
        if (pro != null) AtomicFiles.write(dir.resolve(PRO), ScoreCharts.pro(pro.curve(), pro.aupro(), pro.fprLimit()));
        return new Metrics(detection, localisation, perDefect);
    }

    private static ObjectNode withBaseline(DetectionMetrics d) {
        ObjectNode o = JSON.valueToTree(d);
        o.put("allAnomalousF1", d.allAnomalousF1());
        return o;
    }

    private static RankedScores ranked(List<Item> items) {
        double[] scores = new double[items.size()];
        boolean[] labels = new boolean[items.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = items.get(i).score();
            labels[i] = items.get(i).anomalous();
        }
        return RankedScores.of(scores, labels);
    }

    /**
     * Per anomalous group, when there are two or more: the metrics of the normal items and that group's
     * (MVTec's per-defect-type figures). Pixel truth, when given, is index-aligned with the items.
     */
    static Map<String, Metrics> perDefect(List<Item> items, PixelTruth pixels) {
        Map<String, List<Integer>> groups = new TreeMap<>();
        List<Integer> normals = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).anomalous()) groups.computeIfAbsent(items.get(i).group(), g -> new ArrayList<>()).add(i);
            else normals.add(i);
        }
        Map<String, Metrics> out = new LinkedHashMap<>();
        if (groups.size() < 2 || normals.isEmpty()) return out;
        groups.forEach((group, members) -> {
            List<Integer> idx = new ArrayList<>(normals);
            idx.addAll(members);
            List<Item> sub = new ArrayList<>();
            for (int i : idx) sub.add(items.get(i));
            LocalisationMetrics loc = null;
            if (pixels != null) {
                List<AnomalyMap> maps = new ArrayList<>();
                List<GroundTruthMask> masks = new ArrayList<>();
                for (int i : idx) {
                    maps.add(pixels.maps().get(i));
                    masks.add(pixels.masks().get(i));
                }
                loc = LocalisationMetrics.of(maps, masks);
            }
            out.put(group, new Metrics(DetectionMetrics.of(ranked(sub)), loc));
        });
        return out;
    }
}
