package org.anoscan.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.PriorityQueue;
import java.util.Set;
import org.anoscan.eval.Roc;
import org.anoscan.io.ColorMap;
import org.anoscan.io.ImageWriter;
import org.anoscan.scan.ScanResult;

/**
 * Everything a scan writes into its output folder:
 * <ul>
 *   <li>{@code maps/NAME.heatmap.png}, {@code .overlay.png} (the heatmap over the input) and {@code .mask.png}
 *       (only with a pixel threshold) per image, as each image is done;
 *   <li>{@code scores.csv} and {@code scores.jsonl}: a row per image (failures in the jsonl too), flushed as
 *       written, so a crash keeps what was done;
 *   <li>at {@link #finish}: {@code scores.json} (the whole run) and {@code report.html} (self-contained).
 * </ul>
 * A new run truncates the csv and jsonl of an earlier one in the same folder; {@link #resume} keeps the
 * images an interrupted run finished (from its jsonl) and appends to them.
 *
 * <p>Heatmaps share one colour scale when a pixel threshold is known (0 to twice the threshold, so the
 * threshold is the middle colour and images compare at a glance); without one each is scaled by its own
 * maximum, which shows where an image is worst but not how bad.
 *
 * <p>Memory is bounded by the image count times a small record, plus the thumbnails of the
 * {@code thumbnails} highest-scoring images only.
 */
public final class ScanOutputs implements AutoCloseable {
    public static final String CSV = "scores.csv";
    public static final String JSON_LINES = "scores.jsonl";
    public static final String JSON = "scores.json";
    public static final String REPORT = "report.html";
    public static final String MAPS = "maps";
    static final double OVERLAY_ALPHA = 0.5;
    static final int THUMBNAIL_SIDE = 200;

    private final Path dir;
    private final ColorMap colorMap;
    private final int thumbnailCount;
    private final ImageLabels labels;
    private final CsvScoreWriter csv;
    private final JsonScoreWriter jsonLines;
    private final List<ScoredImage> images = new ArrayList<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Set<String> stems = new HashSet<>();
    private final PriorityQueue<Thumbnail> thumbnails = new PriorityQueue<>(Comparator.comparingDouble(Thumbnail::score));
    private OptionalDouble auroc = OptionalDouble.empty();

    private record Thumbnail(String name, double score, byte[] png) {}

    /**
     * @param thumbnails how many of the highest-scoring images the report shows as pictures
     * @param labels known truth for the ROC curve, or null
     */
    public ScanOutputs(Path dir, ColorMap colorMap, int thumbnails, ImageLabels labels) throws IOException {
        this(dir, colorMap, thumbnails, labels, false);
    }

    /**
     * Continues the outputs of an interrupted run in {@code dir}: the images its {@code scores.jsonl} holds
     * are kept (rows, maps, thumbnails) and {@link #done} lists them; failed files and a torn last row are
     * dropped, so those files are scanned again. The csv and jsonl are rewritten from the kept rows first
     * (atomically), then appended to.
     */
    public static ScanOutputs resume(Path dir, ColorMap colorMap, int thumbnails, ImageLabels labels) throws IOException {
        List<ScoredImage> kept = JsonScoreWriter.readImages(dir.resolve(JSON_LINES));
        org.anoscan.io.AtomicFiles.write(dir.resolve(CSV), CsvScoreWriter.document(kept).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.anoscan.io.AtomicFiles.write(dir.resolve(JSON_LINES), JsonScoreWriter.document(kept).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ScanOutputs o = new ScanOutputs(dir, colorMap, thumbnails, labels, true);
        for (ScoredImage s : kept) {
            o.images.add(s);
            o.stems.add(s.heatmap().substring(MAPS.length() + 1, s.heatmap().length() - ".heatmap.png".length()));
            try {
                o.keepThumbnail(s);
            } catch (IOException missingOverlay) {
                // the row is whole; the report shows it without a picture
            }
        }
        return o;
    }

    private ScanOutputs(Path dir, ColorMap colorMap, int thumbnails, ImageLabels labels, boolean append) throws IOException {
        this.dir = dir;
        this.colorMap = colorMap;
        this.thumbnailCount = Math.max(0, thumbnails);
        this.labels = labels;
        try {
            Files.createDirectories(dir.resolve(MAPS));
        } catch (IOException e) {
            throw new IOException(dir + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
        this.csv = new CsvScoreWriter(dir.resolve(CSV), append);
        try {
            this.jsonLines = new JsonScoreWriter(dir.resolve(JSON_LINES), append);
        } catch (IOException e) {
            csv.close();
            throw e;
        }
    }

    public Path dir() { return dir; }

    /**
     * Writes the PNGs and rows of one image.
     *
     * @param name a short name, unique among the run's images (e.g. the path below the scanned folder)
     */
    public ScoredImage write(Path file, String name, ScanResult r) throws IOException {
        String stem = uniqueStem(name);
        String heat = MAPS + "/" + stem + ".heatmap.png", overlay = MAPS + "/" + stem + ".overlay.png";
        String mask = r.mask() == null ? null : MAPS + "/" + stem + ".mask.png";
        float max = r.thresholds().hasPixel() && r.thresholds().pixel() > 0 ? (float) (2 * r.thresholds().pixel()) : ownMax(r);
        ImageWriter.writeHeatmap(dir.resolve(heat), r.heatmap(), max, colorMap);
        ImageWriter.writeOverlay(dir.resolve(overlay), r.image(), r.heatmap(), max, colorMap, OVERLAY_ALPHA);
        if (mask != null) ImageWriter.writeMask(dir.resolve(mask), r.mask().pixels(), r.mask().height(), r.mask().width());
        ScoredImage s = new ScoredImage(file.toString(), name, r.image().height(), r.image().width(), r.maxScore(),
                r.topKMean(), r.topK(), r.anomalous(), r.regions(), r.patches().size(), r.skippedPatches(),
                r.searchSeconds(), heat, overlay, mask, labels == null ? null : labels.labelOf(file));
        csv.write(s);
        jsonLines.write(s);
        images.add(s);
        keepThumbnail(s);
        return s;
    }

    /** Records a file that could not be scanned. */
    public void failure(Path file, String message) throws IOException {
        failures.put(file.toString(), message);
        csv.writeFailure(file.toString(), message);
        jsonLines.writeFailure(file.toString(), message);
    }

    public List<ScoredImage> images() { return List.copyOf(images); }

    /** The input files whose images are done (as recorded: {@link ScoredImage#file()}), e.g. kept by {@link #resume}. */
    public Set<String> done() {
        Set<String> d = new HashSet<>();
        for (ScoredImage s : images) d.add(s.file());
        return d;
    }

    public Map<String, String> failures() { return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failures)); }

    /** The AUROC of the labelled images, once {@link #finish} found labels of both classes. */
    public OptionalDouble auroc() { return auroc; }

    /**
     * Writes {@code scores.json} and {@code report.html}.
     *
     * @param run settings and totals for both (insertion order)
     * @param notes lines the report stresses
     * @param imageThreshold shown on the histogram; NaN for none
     */
    public void finish(Map<String, Object> run, List<String> notes, double imageThreshold) throws IOException {
        JsonScoreWriter.writeDocument(dir.resolve(JSON), run, images, failures);
        double[] scores = new double[images.size()];
        Boolean[] known = labels == null ? null : new Boolean[images.size()];
        int normal = 0, anomalous = 0;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = images.get(i).topKMean();
            if (known != null) {
                known[i] = images.get(i).label();
                if (Boolean.TRUE.equals(known[i])) anomalous++;
                else if (Boolean.FALSE.equals(known[i])) normal++;
            }
        }
        byte[] roc = null;
        Map<String, Object> shown = new LinkedHashMap<>(run);
        if (normal > 0 && anomalous > 0) {
            double[] s = new double[normal + anomalous];
            boolean[] l = new boolean[s.length];
            int j = 0;
            for (int i = 0; i < scores.length; i++) {
                if (known[i] == null) continue;
                s[j] = scores[i];
                l[j++] = known[i];
            }
            auroc = OptionalDouble.of(Roc.auroc(s, l));
            roc = ScoreCharts.roc(Roc.curve(s, l), auroc.getAsDouble());
            shown.put("AUROC", String.format(java.util.Locale.ROOT, "%.4f (%d normal, %d anomalous labelled images)",
                    auroc.getAsDouble(), normal, anomalous));
        }
        byte[] histogram = ScoreCharts.histogram(scores, normal + anomalous > 0 ? known : null, imageThreshold);
        Map<String, byte[]> thumbs = new HashMap<>();
        for (Thumbnail t : thumbnails) thumbs.put(t.name(), t.png());
        HtmlReport.write(dir.resolve(REPORT), shown, notes, images, thumbs, failures, histogram, roc);
    }

    private void keepThumbnail(ScoredImage s) throws IOException {
        if (thumbnailCount == 0) return;
        if (thumbnails.size() == thumbnailCount && thumbnails.peek().score() >= s.topKMean()) return;
        thumbnails.add(new Thumbnail(s.name(), s.topKMean(), Thumbnails.of(dir.resolve(s.overlay()), THUMBNAIL_SIDE)));
        if (thumbnails.size() > thumbnailCount) thumbnails.poll();
    }

    /** The name without its extension, kept below maps/ and made unique ("a.png" and "a.jpg" must not share maps). */
    private String uniqueStem(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : name.replace('\\', '/').split("/")) {
            if (!part.isEmpty() && !part.equals(".") && !part.equals("..")) parts.add(part); // stay inside maps/
        }
        String n = parts.isEmpty() ? "image" : String.join("/", parts);
        int slash = n.lastIndexOf('/'), dot = n.lastIndexOf('.');
        String stem = dot > slash + 1 ? n.substring(0, dot) : n;
        String s = stem;
        for (int i = 2; !stems.add(s); i++) s = stem + "-" + i;
        return s;
    }

    private static float ownMax(ScanResult r) {
        float m = r.heatmap().max();
        return m > 0 ? m : 1f;
    }

    @Override
    public void close() throws IOException {
        try {
            csv.close();
        } finally {
            jsonLines.close();
        }
    }
}
