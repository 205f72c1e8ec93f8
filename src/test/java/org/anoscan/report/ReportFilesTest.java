package org.anoscan.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.anoscan.eval.Roc;
import org.anoscan.scan.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output files that need no model: csv, json, labels, charts, the HTML report. */
class ReportFilesTest {
    @TempDir
    Path dir;

    private static ScoredImage image(String name, float score, Boolean anomalous, Boolean label) {
        return new ScoredImage("in/" + name, name, 40, 48, score * 1.5f, score, 3, anomalous,
                List.of(new Region(1, 2, 3, 4, 10, 0.9f), new Region(20, 21, 5, 6, 25, 0.7f)), 4, 0, 0.25,
                "maps/" + name + ".heatmap.png", "maps/" + name + ".overlay.png", "maps/" + name + ".mask.png", label);
    }

    @Test
    void csvRowsAreQuotedAndFlushedAsWritten() throws IOException {
        Path csv = dir.resolve("scores.csv");
        try (CsvScoreWriter w = new CsvScoreWriter(csv)) {
            w.write(image("a,\"b\".png", 2.5f, true, null));
            // not closed yet: the row is on disk already
            List<String> lines = Files.readAllLines(csv);
            assertEquals(2, lines.size());
            assertEquals(CsvScoreWriter.HEADER, lines.get(0));
            List<String> cells = ImageLabels.cells(lines.get(1));
            assertEquals(CsvScoreWriter.HEADER.split(",").length, cells.size());
            assertEquals("in/a,\"b\".png", cells.get(0));
            assertEquals("2.5", cells.get(3));
            assertEquals("yes", cells.get(5));
            assertEquals("2", cells.get(6));
            assertEquals("1 2 3 4;20 21 5 6", cells.get(7));
        }
    }

    @Test
    void jsonLinesAreWrittenAsWeGoAndTheDocumentAtTheEnd() throws IOException {
        Path lines = dir.resolve("scores.jsonl");
        ObjectMapper json = new ObjectMapper();
        try (JsonScoreWriter w = new JsonScoreWriter(lines)) {
            w.write(image("a.png", 1f, null, false));
            w.writeFailure("bad.png", "bad.png: not a readable image");
            List<String> l = Files.readAllLines(lines);
            assertEquals(2, l.size());
            JsonNode first = json.readTree(l.get(0));
            assertTrue(first.get("anomalous").isNull(), "no threshold: null, not false");
            assertEquals("normal", first.get("label").asText());
            assertEquals(2, first.get("regions").size());
            assertEquals(20, first.get("regions").get(1).get("x").asInt());
            assertEquals("bad.png", json.readTree(l.get(1)).get("file").asText());
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("iterations", 5);
        JsonScoreWriter.writeDocument(dir.resolve("scores.json"), run, List.of(image("a.png", 1f, false, null)),
                Map.of("bad.png", "broken"));
        JsonNode doc = json.readTree(dir.resolve("scores.json").toFile());
        assertEquals(5, doc.get("run").get("iterations").asInt());
        assertEquals(1, doc.get("images").size());
        assertFalse(doc.get("images").get(0).get("anomalous").asBoolean());
        assertEquals("broken", doc.get("failures").get(0).get("error").asText());
    }

    @Test
    void labelsFromCsvAndFromFolders() throws IOException {
        Path csv = Files.writeString(dir.resolve("labels.csv"),
                "file,label\nsub/a.png,good\nb.png,BAD\n\"c,d.png\",1\n# comment\nother/e.png,normal\n");
        ImageLabels l = ImageLabels.fromCsv(csv);
        assertEquals(Boolean.FALSE, l.labelOf(dir.resolve("sub/a.png")));
        assertEquals(Boolean.TRUE, l.labelOf(dir.resolve("b.png")));
        assertEquals(Boolean.TRUE, l.labelOf(Path.of("/elsewhere/c,d.png")), "a unique bare name matches");
        assertEquals(Boolean.FALSE, l.labelOf(Path.of("/elsewhere/e.png")));
        assertNull(l.labelOf(dir.resolve("z.png")));
        Path badCsv = Files.writeString(dir.resolve("bad.csv"), "a.png,good\nb.png,maybe\n");
        IOException e = assertThrows(IOException.class, () -> ImageLabels.fromCsv(badCsv));
        assertTrue(e.getMessage().contains("bad.csv:2") && e.getMessage().contains("maybe"), e.getMessage());

        ImageLabels f = ImageLabels.fromFolders();
        Files.createDirectories(dir.resolve("mvtec/test/good"));
        Files.createDirectories(dir.resolve("mvtec/test/scratch"));
        assertEquals(Boolean.FALSE, f.labelOf(dir.resolve("mvtec/test/good/000.png")));
        assertEquals(Boolean.TRUE, f.labelOf(dir.resolve("mvtec/test/scratch/000.png")), "next to good/: a defect folder");
        assertEquals(Boolean.TRUE, f.labelOf(dir.resolve("x/bad/1.png")));
        assertNull(f.labelOf(dir.resolve("x/misc/1.png")));
    }

    @Test
    void chartsArePngs() throws IOException {
        double[] scores = {1, 2, 2.5, 3, 7, 8};
        boolean[] labels = {false, false, true, false, true, true};
        byte[] hist = ScoreCharts.histogram(scores, new Boolean[] {false, false, true, false, true, null}, 4.5);
        byte[] same = ScoreCharts.histogram(new double[] {3, 3}, null, Double.NaN); // one distinct score
        byte[] roc = ScoreCharts.roc(Roc.curve(scores, labels), Roc.auroc(scores, labels));
        for (byte[] png : List.of(hist, same, roc)) {
            assertNotNull(ImageIO.read(new ByteArrayInputStream(png)), "a decodable PNG");
        }
    }

    @Test
    void reportIsOneSelfContainedFile() throws IOException {
        byte[] png = ScoreCharts.histogram(new double[] {1, 2}, null, Double.NaN);
        List<ScoredImage> images = List.of(image("low.png", 1f, false, null), image("<high>.png", 9f, true, null),
                image("mid.png", 5f, false, null));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("model", "m.safetensors");
        Path file = dir.resolve("report.html");
        HtmlReport.write(file, run, List.of("a note"), images, Map.of("<high>.png", png, "mid.png", png),
                Map.of("broken.png", "broken.png: not a readable image"), png, png);
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertFalse(html.contains("http:") || html.contains("https:") || html.contains("//cdn"), "no network references");
        assertFalse(html.contains("<high>"), "names are escaped");
        assertTrue(html.contains("&lt;high&gt;.png"));
        int high = html.indexOf("&lt;high&gt;.png</a>"), mid = html.indexOf("mid.png</a>"), low = html.indexOf("low.png</a>");
        assertTrue(high > 0 && high < mid && mid < low, "the table is sorted by score, highest first");
        // every picture is a data URI: 2 thumbnails, the histogram and the ROC curve
        assertEquals(4, html.split("src=\"data:image/png;base64,", -1).length - 1);
        assertFalse(html.replace("src=\"data:", "").contains("src="), "no picture from a file");
        assertTrue(html.contains("broken.png: not a readable image"));
        assertTrue(html.contains("a note"));
    }

    /** The text of the table cell after the header cell named {@code header}, or null. */
    private static String cellAfter(String html, String header) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<th>" + java.util.regex.Pattern.quote(header) + "</th><td>([^<]*)</td>")
                .matcher(html);
        return m.find() ? m.group(1) : null;
    }

    /** The cells of the image table's row whose link text is {@code name}. */
    private static List<String> rowOf(String html, String name) {
        int at = html.indexOf(">" + name + "</a>");
        assertTrue(at > 0, name + " has a row");
        String row = html.substring(html.lastIndexOf("<tr>", at), html.indexOf("</tr>", at));
        List<String> cells = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<td[^>]*>(.*?)</td>").matcher(row);
        while (m.find()) cells.add(m.group(1).replaceAll("<[^>]+>", ""));
        return cells;
    }

    @Test
    void reportReadsLikeAReport() throws IOException {
        List<Region> many = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) many.add(new Region(i % 40, i / 40, 1, 1, 1 + (i == 777 ? 50 : 0), 0.9f));
        ScoredImage speckled = new ScoredImage("in/speckled.png", "speckled.png", 40, 48, 9f, 8f, 3, true, many, 4, 0, 0.25,
                "maps/s.heatmap.png", "maps/s.overlay.png", "maps/s.mask.png", null);
        ScoredImage quiet = new ScoredImage("in/quiet.png", "quiet.png", 40, 48, 7f, 6f, 3, true, List.of(), 4, 0, 0.25,
                "maps/q.heatmap.png", "maps/q.overlay.png", "maps/q.mask.png", null, "maps/q.panel.png",
                new org.anoscan.scan.PatchScore(new org.anoscan.scan.PatchPosition(16, 8), 7f, false), 32, 0.4f);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("threshold_image", 307.100830078125);
        run.put("threshold_pixel", 0.6628990173339844);
        run.put("stride", 16);
        run.put("flat_std", 0.0);
        run.put("input", Map.of("folder", "x"));
        byte[] png = ScoreCharts.histogram(new double[] {1, 2}, null, Double.NaN);
        Path file = dir.resolve("report.html");
        HtmlReport.write(file, run, List.of(), List.of(speckled, quiet), Map.of(),
                new HtmlReport.Pictures(Map.of(), Map.of("quiet.png", png), png, null, null));
        String html = Files.readString(file, StandardCharsets.UTF_8);

        assertEquals("307.1", cellAfter(html, "threshold_image"), "thresholds rounded to 4 significant digits");
        assertEquals("0.6629", cellAfter(html, "threshold_pixel"));
        assertEquals("16", cellAfter(html, "stride"));
        assertEquals("0", cellAfter(html, "flat_std"));
        assertEquals("folder x", cellAfter(html, "input"));
        String text = html.replaceAll("base64,[A-Za-z0-9+/=]+", "");
        assertFalse(java.util.regex.Pattern.compile("\\d\\.\\d{7,}").matcher(text).find(), "no long decimals anywhere");

        String regions = rowOf(html, "speckled.png").get(5);
        assertTrue(regions.startsWith("2000 regions: 17 19 1 1; "), "the count, then the largest first: " + regions);
        assertTrue(regions.endsWith("; +1997 more") && regions.length() < 80, regions);
        assertEquals("none", rowOf(html, "quiet.png").get(5));

        int why = html.indexOf("<h2>Flagged without regions (1)</h2>");
        assertTrue(why > 0, "flagged images without regions are explained");
        String explained = html.substring(why, html.indexOf("<h2>", why + 5));
        assertTrue(explained.contains("quiet.png: image score 6.000; highest patch at x 8, y 16 (32x32), score 7.000; "
                + "hottest heatmap pixel 0.4000"), explained);
        assertTrue(explained.contains("alt=\"highest-scoring patch of quiet.png\" src=\"data:image/png;base64,"), "its picture");
        assertFalse(explained.contains("speckled.png"), "an image with regions needs no explanation");
    }

    @Test
    void aRunWhereEveryInputFailedStillReportsTheFailures() throws IOException {
        Path file = dir.resolve("report.html");
        Map<String, String> failures = new LinkedHashMap<>();
        failures.put("a.png", "a.png: not a readable image");
        failures.put("b.png", "b.png: no such file");
        HtmlReport.write(file, new LinkedHashMap<>(), List.of(), List.of(), failures, new HtmlReport.Pictures(Map.of(), Map.of(), null, null, null));
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(html.contains("No image could be scanned: all 2 input(s) failed"), html);
        assertTrue(html.indexOf("<h2>Failed files (2)</h2>") < html.indexOf("<h2>Scores</h2>"), "the failures come first");
        assertTrue(html.contains("<td>a.png</td><td>a.png: not a readable image</td>") && html.contains("b.png: no such file"), html);
    }
}
