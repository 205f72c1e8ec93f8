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
        List<ScoredImage> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparingDouble(ScoredImage::topKMean).reversed().thenComparing(ScoredImage::name));
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>AnoScan report</title>\n<style>")
                .append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0}")
                .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;font-size:90%}th{background:#eee}")
                .append(".num{text-align:right;font-family:monospace}.yes{color:#b00;font-weight:bold}.note{color:#a60}")
                .append(".gallery{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;border:1px solid #ccc;padding:4px}")
                .append("figcaption{font-size:80%;max-width:200px;word-break:break-all}")
                .append("</style></head><body>\n<h1>AnoScan report</h1>\n<table>\n");
        for (Map.Entry<String, Object> e : run.entrySet()) {
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(String.valueOf(e.getValue())))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        for (String n : notes) h.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        h.append("<h2>Scores</h2>\n");
        if (histogram != null) h.append(img(histogram, "histogram of image scores"));
        else h.append("<p>No image was scanned.</p>");
        if (roc != null) h.append(img(roc, "ROC curve"));
        h.append("\n");
        if (!thumbnails.isEmpty()) {
            h.append("<h2>Highest scores</h2>\n<p>Heatmap overlays of the ").append(thumbnails.size())
                    .append(" highest-scoring images, highest first.</p>\n<div class=\"gallery\">\n");
            for (ScoredImage s : sorted) {
                byte[] t = thumbnails.get(s.name());
                if (t == null) continue;
                h.append("<figure>").append(img(t, s.name())).append("<figcaption>").append(esc(s.name()))
                        .append("<br>score ").append(fmt(s.topKMean())).append(decisionHtml(s)).append(labelText(s))
                        .append("</figcaption></figure>\n");
            }
            h.append("</div>\n");
        }
        h.append("<h2>All images (").append(sorted.size()).append("), by score</h2>\n<table>\n<tr><th>#</th><th>image</th>")
                .append("<th>top-k mean</th><th>max</th><th>anomalous</th><th>regions (x y w h)</th><th>label</th>")
                .append("<th>size</th></tr>\n");
        int rank = 0;
        for (ScoredImage s : sorted) {
            h.append("<tr><td class=\"num\">").append(++rank).append("</td><td><a href=\"").append(esc(href(s.overlay())))
                    .append("\">").append(esc(s.name())).append("</a></td><td class=\"num\">").append(fmt(s.topKMean()))
                    .append("</td><td class=\"num\">").append(fmt(s.maxScore())).append("</td><td")
                    .append(Boolean.TRUE.equals(s.anomalous()) ? " class=\"yes\"" : "").append(">").append(s.decision())
                    .append("</td><td>").append(esc(boxes(s.regions()))).append("</td><td>")
                    .append(s.label() == null ? "" : s.label() ? "anomalous" : "normal").append("</td><td>")
                    .append(s.width()).append("x").append(s.height()).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!failures.isEmpty()) {
            h.append("<h2>Failed files (").append(failures.size()).append(")</h2>\n<table>\n<tr><th>file</th><th>error</th></tr>\n");
            failures.forEach((f, e) -> h.append("<tr><td>").append(esc(f)).append("</td><td>").append(esc(e)).append("</td></tr>\n"));
            h.append("</table>\n");
        }
        h.append("</body></html>\n");
        AtomicFiles.write(file, h.toString().getBytes(StandardCharsets.UTF_8));
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

    private static String boxes(List<Region> regions) {
        List<String> b = new ArrayList<>();
        for (Region r : regions) b.add(r.x() + " " + r.y() + " " + r.width() + " " + r.height());
        return String.join("; ", b);
    }

    /** A relative path as a URL path: separators as '/', characters with a URL meaning escaped. */
    private static String href(String relative) {
        return relative.replace('\\', '/').replace("%", "%25").replace("#", "%23").replace("?", "%3F").replace(" ", "%20");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.5g", v);
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
