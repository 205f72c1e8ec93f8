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
import org.anoscan.io.FloatImage;
import org.anoscan.io.HeatScale;
import org.anoscan.io.ImageReader;
import org.anoscan.io.ImageWriter;
import org.anoscan.scan.PatchScore;
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
 * <p>Heatmaps share one colour scale when a pixel threshold is known ({@link HeatScale#ofThreshold}: the
 * threshold is always the same colour, marked on a colour bar, so images compare at a glance); without
 * one each is scaled by its own maximum, which shows where an image is worst but not how bad. Each image
 * also gets {@code maps/NAME.panel.png}: image, heatmap and mask side by side with the colour bar, which
 * the report shows for the highest-scoring images.
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
    /** The longer side of each picture in a panel. */
    static final int PANEL_SIDE = 160;

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

    private final int patchSize;
    private final Map<String, byte[]> topPatches = new HashMap<>();
    private HeatScale lastScale;

    private record Thumbnail(String name, double score, byte[] png) {}

    /**
     * @param thumbnails how many of the highest-scoring images the report shows as pictures
     * @param labels known truth for the ROC curve, or null
     */
    public ScanOutputs(Path dir, ColorMap colorMap, int thumbnails, ImageLabels labels) throws IOException {
        this(dir, colorMap, thumbnails, labels, 0);
    }

    /** @param patchSize the model's patch size, to show the patch that made a score (0: unknown) */
    public ScanOutputs(Path dir, ColorMap colorMap, int thumbnails, ImageLabels labels, int patchSize) throws IOException {
        this(dir, colorMap, thumbnails, labels, patchSize, false);
    }

    /**
     * Continues the outputs of an interrupted run in {@code dir}: the images its {@code scores.jsonl} holds
     * are kept (rows, maps, thumbnails) and {@link #done} lists them; failed files and a torn last row are
     * dropped, so those files are scanned again. The csv and jsonl are rewritten from the kept rows first
     * (atomically), then appended to.
     */
    public static ScanOutputs resume(Path dir, ColorMap colorMap, int thumbnails, ImageLabels labels, int patchSize) throws IOException {
        List<ScoredImage> kept = JsonScoreWriter.readImages(dir.resolve(JSON_LINES), patchSize);
        org.anoscan.io.AtomicFiles.write(dir.resolve(CSV), CsvScoreWriter.document(kept).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.anoscan.io.AtomicFiles.write(dir.resolve(JSON_LINES), JsonScoreWriter.document(kept).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ScanOutputs o = new ScanOutputs(dir, colorMap, thumbnails, labels, patchSize, true);
        for (ScoredImage s : kept) {
            o.images.add(s);
            o.stems.add(s.heatmap().substring(MAPS.length() + 1, s.heatmap().length() - ".heatmap.png".length()));
            Path panel = s.panel() == null ? null : dir.resolve(s.panel());
            if (panel != null && Files.isRegularFile(panel)) o.keepThumbnail(s, Files.readAllBytes(panel));
        }
        return o;
    }

    private ScanOutputs(Path dir, ColorMap colorMap, int thumbnails, ImageLabels labels, int patchSize, boolean append)
            throws IOException {
        this.dir = dir;
        this.patchSize = patchSize;
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
        Maps m = writeMaps(dir, file.toString(), name, uniqueStem(name), r, colorMap, patchSize, labels == null ? null : labels.labelOf(file));
        ScoredImage s = m.image();
        add(s, m.panelPng(), m.scale());
        if (s.flaggedWithoutRegions() && s.topPatch() != null && patchSize > 0 && topPatches.size() < Math.max(thumbnailCount, 1)) {
            topPatches.put(s.name(), topPatchPanel(r, s.topPatch(), m.scale()));
        }
        return s;
    }

    /** One image's PNGs as written: its record, its panel (for the report's thumbnails) and the heatmap's colour scale. */
    public record Maps(ScoredImage image, byte[] panelPng, HeatScale scale) {}

    /**
     * Writes one image's PNGs into {@code dir}/maps as {@code stem.heatmap.png}, {@code .overlay.png}, {@code .mask.png}
     * (with a pixel threshold) and {@code .panel.png}, each atomically (a retried writer replaces them whole), and
     * returns its record; no rows. {@link #write} does this per image; a distributed scan does it where the image was
     * scanned and hands the records to {@link #add}.
     */
    public static Maps writeMaps(Path dir, String file, String name, String stem, ScanResult r, ColorMap colorMap, int patchSize,
                                 Boolean label) throws IOException {
        String heat = MAPS + "/" + stem + ".heatmap.png", overlay = MAPS + "/" + stem + ".overlay.png";
        String mask = r.mask() == null ? null : MAPS + "/" + stem + ".mask.png";
        String panel = MAPS + "/" + stem + ".panel.png";
        HeatScale scale = scaleOf(r);
        byte[] heatPng = ImageWriter.heatmapPng(r.heatmap(), scale, colorMap);
        ImageWriter.write(dir.resolve(heat), heatPng);
        ImageWriter.writeOverlay(dir.resolve(overlay), r.image(), r.heatmap(), scale, colorMap, OVERLAY_ALPHA);
        List<Panels.Tile> tiles = new ArrayList<>();
        tiles.add(new Panels.Tile("image", ImageWriter.imagePng(r.image())));
        tiles.add(new Panels.Tile("heatmap", heatPng));
        if (mask != null) {
            byte[] maskPng = ImageWriter.maskPng(r.mask().pixels(), r.mask().height(), r.mask().width());
            ImageWriter.write(dir.resolve(mask), maskPng);
            tiles.add(new Panels.Tile("mask (heat > threshold)", maskPng));
        }
        byte[] panelPng = Panels.compose(tiles, scale, colorMap, PANEL_SIDE);
        ImageWriter.write(dir.resolve(panel), panelPng);
        PatchScore top = null;
        for (PatchScore p : r.patches()) if (top == null || p.score() > top.score()) top = p;
        ScoredImage s = new ScoredImage(file, name, r.image().height(), r.image().width(), r.maxScore(),
                r.topKMean(), r.topK(), r.anomalous(), r.regions(), r.patches().size(), r.skippedPatches(),
                r.searchSeconds(), heat, overlay, mask, label, panel, top, patchSize, r.heatmap().max());
        return new Maps(s, panelPng, scale);
    }

    /**
     * Records an image whose PNGs {@link #writeMaps} wrote (here or elsewhere): its rows, and its panel for the
     * report when it is among the highest-scoring ({@code panelPng} may be null when it is surely not).
     */
    public void add(ScoredImage s, byte[] panelPng, HeatScale scale) throws IOException {
        lastScale = scale;
        stems.add(s.heatmap().substring(MAPS.length() + 1, s.heatmap().length() - ".heatmap.png".length()));
        csv.write(s);
        jsonLines.write(s);
        images.add(s);
        if (panelPng != null) keepThumbnail(s, panelPng);
    }

    /** The patch that made the score: its image and heatmap, cut out, side by side. */
    private byte[] topPatchPanel(ScanResult r, PatchScore top, HeatScale scale) throws IOException {
        int y0 = top.position().y(), x0 = top.position().x();
        int h = Math.min(patchSize, r.image().height() - y0), w = Math.min(patchSize, r.image().width() - x0);
        return Panels.compose(List.of(new Panels.Tile("top patch", ImageWriter.imagePng(crop(r.image(), y0, x0, h, w))),
                new Panels.Tile("its heatmap", ImageWriter.heatmapPng(crop(r.heatmap(), y0, x0, h, w), scale, colorMap))),
                scale, colorMap, PANEL_SIDE);
    }

    private static FloatImage crop(FloatImage img, int y0, int x0, int h, int w) {
        int c = img.channels();
        float[] out = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) out[(ch * h + y) * w + x] = img.get(ch, y0 + y, x0 + x);
            }
        }
        return ImageReader.fromFloats(out, c, h, w, img.source());
    }

    /** The fixed threshold scale when a pixel threshold is known, else the image's own maximum. */
    static HeatScale scaleOf(ScanResult r) {
        return r.thresholds().hasPixel() && r.thresholds().pixel() > 0 ? HeatScale.ofThreshold(r.thresholds().pixel())
                : HeatScale.linear(r.heatmap().max());
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
        String scale = lastScale == null ? null : lastScale.hasThreshold()
                ? String.format(java.util.Locale.ROOT, "one scale for every image, the pixel threshold %.3g at a fixed colour (marked on "
                        + "the colour bar), twice the threshold and above the hottest", lastScale.threshold())
                : "each heatmap scaled to its own maximum (no pixel threshold), so colours do not compare across images";
        HtmlReport.write(dir.resolve(REPORT), shown, notes, images, failures,
                new HtmlReport.Pictures(thumbs, topPatches, histogram, roc, scale));
    }

    private void keepThumbnail(ScoredImage s, byte[] panelPng) {
        if (thumbnailCount == 0) return;
        if (thumbnails.size() == thumbnailCount && thumbnails.peek().score() >= s.topKMean()) return;
        thumbnails.add(new Thumbnail(s.name(), s.topKMean(), panelPng));
        if (thumbnails.size() > thumbnailCount) thumbnails.poll();
    }

    /** The name without its extension, kept below maps/ and made unique ("a.png" and "a.jpg" must not share maps). */
    private String uniqueStem(String name) {
        String stem = safeStem(name);
        String s = stem;
        for (int i = 2; !stems.add(s); i++) s = stem + "-" + i;
        return s;
    }


    /** A relative path from {@code name} without its extension, that cannot leave its folder. */
    public static String safeStem(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : name.replace('\\', '/').split("/")) {
            if (!part.isEmpty() && !part.equals(".") && !part.equals("..")) parts.add(part); // stay inside the folder
        }
        String n = parts.isEmpty() ? "image" : String.join("/", parts);
        int slash = n.lastIndexOf('/'), dot = n.lastIndexOf('.');
        return dot > slash + 1 ? n.substring(0, dot) : n;
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
