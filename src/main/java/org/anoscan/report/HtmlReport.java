package org.anoscan.report;

import org.anoscan.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anoscan.scan.Region;

/**
 * {@code report.html}: one self-contained file (styles inline, every picture a base64 data URI, no network
 * reference), so it can be mailed or archived alone: the run's settings, the score histogram, the ROC
 * curve when labels are known, thumbnails of the highest-scoring images, a table of every image sorted by
 * score, and the files that failed. Table names link to the full-size PNGs next to the report; those
 * links are the only part that needs the output folder.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** The pictures a report embeds; any may be empty or null. */
    public record Pictures(Map<String, byte[]> panels, Map<String, byte[]> topPatches, byte[] histogram, byte[] roc,
                           String scale) {}

    /** Regions listed per image in the table; the rest are counted. */
    static final int REGIONS_SHOWN = 3;

    /**
     * @param run        settings and totals, shown as a table (insertion order)
     * @param notes      lines to stress (e.g. "no thresholds: scores only")
     * @param images     every scanned image, any order
     * @param thumbnails PNG bytes by image name, for the images to show in the gallery
     * @param failures   error message by file
     * @param histogram  PNG bytes, or null when no image was scanned
     * @param roc        PNG bytes, or null without labels of both classes
     */
    public static void write(Path file, Map<String, Object> run, List<String> notes, List<ScoredImage> images,
                             Map<String, byte[]> thumbnails, Map<String, String> failures, byte[] histogram,
                             byte[] roc) throws IOException {
        write(file, run, notes, images, failures, new Pictures(thumbnails, Map.of(), histogram, roc, null));
    }

    public static void write(Path file, Map<String, Object> run, List<String> notes, List<ScoredImage> images,
                             Map<String, String> failures, Pictures pictures) throws IOException {
        List<ScoredImage> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparingDouble(ScoredImage::topKMean).reversed().thenComparing(ScoredImage::name));
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>AnoScan report</title>\n<style>")
                .append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0}")
                .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;font-size:90%}th{background:#eee}")
                .append(".num{text-align:right;font-family:monospace}.yes{color:#b00;font-weight:bold}.note{color:#a60}")
                .append(".fail{color:#b00}.gallery{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;border:1px solid #ccc;padding:4px}")
                .append("figcaption{font-size:85%;word-break:break-all}.why{max-width:60em}")
                .append("</style></head><body>\n<h1>AnoScan report</h1>\n");
        if (images.isEmpty() && !failures.isEmpty()) {
            h.append("<p class=\"fail\">No image could be scanned: all ").append(failures.size())
                    .append(" input(s) failed; the reasons are listed below.</p>\n");
        }
        h.append("<table>\n");
        for (Map.Entry<String, Object> e : run.entrySet()) {
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(value(e.getValue()))).append("</td></tr>\n");
        }
        h.append("</table>\n");
        for (String n : notes) h.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        if (!failures.isEmpty()) failures(h, failures);
        h.append("<h2>Scores</h2>\n");
        if (pictures.histogram() != null) h.append(img(pictures.histogram(), "histogram of image scores"));
        else h.append("<p>No image was scanned.</p>");
        if (pictures.roc() != null) h.append(img(pictures.roc(), "ROC curve"));
        h.append("\n");
        if (!pictures.panels().isEmpty()) {
            h.append("<h2>Highest scores</h2>\n<p>The ").append(pictures.panels().size())
                    .append(" highest-scoring images, highest first: the image, its heatmap and its mask.");
            if (pictures.scale() != null) h.append(" Heat colours: ").append(esc(pictures.scale())).append('.');
            h.append("</p>\n<div class=\"gallery\">\n");
            for (ScoredImage s : sorted) {
                byte[] t = pictures.panels().get(s.name());
                if (t == null) continue;
                h.append("<figure>").append(img(t, s.name())).append("<figcaption>").append(esc(s.name()))
                        .append(" &mdash; score ").append(fmt(s.topKMean())).append(decisionHtml(s)).append(labelText(s))
                        .append("</figcaption></figure>\n");
            }
            h.append("</div>\n");
        }
        List<ScoredImage> unexplained = sorted.stream().filter(ScoredImage::flaggedWithoutRegions).toList();
        if (!unexplained.isEmpty()) {
            h.append("<h2>Flagged without regions (").append(unexplained.size()).append(")</h2>\n<p class=\"why\">These images ")
                    .append("are anomalous by their patch scores (the image score, the mean of the top-k patch scores, is above the ")
                    .append("image threshold) while no heatmap pixel is above the pixel threshold, so their masks are empty. ")
                    .append("A patch's score is its whole search loss: many moderately wrong pixels (and the feature term) can ")
                    .append("add up to a high score with no single pixel far off. The patch that scored highest is shown.</p>\n");
            for (ScoredImage s : unexplained) {
                h.append("<p>").append(esc(s.name())).append(": image score ").append(fmt(s.topKMean()));
                if (s.topPatch() != null) {
                    h.append("; highest patch at x ").append(s.topPatch().position().x()).append(", y ")
                            .append(s.topPatch().position().y());
                    if (s.patchSize() > 0) h.append(" (").append(s.patchSize()).append("x").append(s.patchSize()).append(')');
                    h.append(", score ").append(fmt(s.topPatch().score()));
                }
                if (!Float.isNaN(s.heatmapMax())) h.append("; hottest heatmap pixel ").append(fmt(s.heatmapMax()));
                h.append("</p>\n");
                byte[] top = pictures.topPatches().get(s.name());
                if (top != null) h.append(img(top, "highest-scoring patch of " + s.name())).append("\n");
            }
        }
        h.append("<h2>All images (").append(sorted.size()).append("), by score</h2>\n<table>\n<tr><th>#</th><th>image</th>")
                .append("<th>top-k mean</th><th>max</th><th>anomalous</th><th>regions (largest first: x y w h)</th><th>label</th>")
                .append("<th>size</th></tr>\n");
        int rank = 0;
        for (ScoredImage s : sorted) {
            h.append("<tr><td class=\"num\">").append(++rank).append("</td><td><a href=\"").append(esc(href(s.overlay())))
                    .append("\">").append(esc(s.name())).append("</a></td><td class=\"num\">").append(fmt(s.topKMean()))
                    .append("</td><td class=\"num\">").append(fmt(s.maxScore())).append("</td><td")
                    .append(Boolean.TRUE.equals(s.anomalous()) ? " class=\"yes\"" : "").append(">").append(s.decision())
                    .append("</td><td>").append(esc(regions(s))).append("</td><td>")
                    .append(s.label() == null ? "" : s.label() ? "anomalous" : "normal").append("</td><td>")
                    .append(s.width()).append("x").append(s.height()).append("</td></tr>\n");
        }
        h.append("</table>\n");
        h.append("</body></html>\n");
        AtomicFiles.write(file, h.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void failures(StringBuilder h, Map<String, String> failures) {
        h.append("<h2>Failed files (").append(failures.size()).append(")</h2>\n<table>\n<tr><th>file</th><th>error</th></tr>\n");
        failures.forEach((f, e) -> h.append("<tr><td>").append(esc(f)).append("</td><td>").append(esc(e)).append("</td></tr>\n"));
        h.append("</table>\n");
    }

    /** Numbers rounded for reading (4 significant digits); the json keeps them whole. */
    static String value(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e9) return Long.toString((long) d);
            return String.format(Locale.ROOT, "%.4g", d);
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, x) -> parts.add(k + " " + value(x)));
            return String.join(", ", parts);
        }
        return String.valueOf(v);
    }

    /** "none", or the count and the largest few boxes: an image can have thousands of small regions. */
    static String regions(ScoredImage s) {
        if (s.mask() == null) return "";
        List<Region> rs = new ArrayList<>(s.regions());
        if (rs.isEmpty()) return "none";
        rs.sort(Comparator.comparingLong(Region::area).reversed());
        List<String> b = new ArrayList<>();
        for (Region r : rs.subList(0, Math.min(REGIONS_SHOWN, rs.size()))) b.add(r.x() + " " + r.y() + " " + r.width() + " " + r.height());
        String more = rs.size() > REGIONS_SHOWN ? "; +" + (rs.size() - REGIONS_SHOWN) + " more" : "";
        return rs.size() + (rs.size() == 1 ? " region: " : " regions: ") + String.join("; ", b) + more;
    }

    private static String img(byte[] png, String alt) {
        return "<img alt=\"" + esc(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\">";
    }

    private static String decisionHtml(ScoredImage s) {
        if (s.anomalous() == null) return "";
        return s.anomalous() ? " <span class=\"yes\">anomalous</span>" : " normal";
    }

    private static String labelText(ScoredImage s) {
        return s.label() == null ? "" : "<br>label: " + (s.label() ? "anomalous" : "normal");
    }


    /** A relative path as a URL path: separators as '/', characters with a URL meaning escaped. */
    private static String href(String relative) {
        return relative.replace('\\', '/').replace("%", "%25").replace("#", "%23").replace("?", "%3F").replace(" ", "%20");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
