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
}
