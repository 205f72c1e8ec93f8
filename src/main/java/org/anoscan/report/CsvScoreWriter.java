package org.anoscan.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.anoscan.scan.Region;

/**
 * {@code scores.csv}: a header, then one row per image, flushed as it is written, so a crash keeps every
 * row already written. RFC 4180 quoting. Boxes are {@code x y width height}, separated by {@code ;}.
 * {@code search_share_seconds} is the image's share of the batched search time, not a wall time.
 */
public final class CsvScoreWriter implements AutoCloseable {
    static final String HEADER = "file,name,score_max,score_topk_mean,top_k,anomalous,regions,boxes,search_share_seconds,height,width,"
            + "heatmap,overlay,mask";
    private final BufferedWriter out;

    /** Creates (or truncates) {@code file} and writes the header. */
    public CsvScoreWriter(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        out.write(HEADER);
        out.newLine();
        out.flush();
    }

    public void write(ScoredImage s) throws IOException {
        List<String> boxes = new ArrayList<>();
        for (Region r : s.regions()) boxes.add(r.x() + " " + r.y() + " " + r.width() + " " + r.height());
        String[] cells = {s.file(), s.name(), Float.toString(s.maxScore()), Float.toString(s.topKMean()),
                Integer.toString(s.topK()), s.decision(), Integer.toString(s.regions().size()), String.join(";", boxes),
                String.format(Locale.ROOT, "%.4f", s.searchShareSeconds()), Integer.toString(s.height()), Integer.toString(s.width()),
                s.heatmap(), s.overlay(), s.mask() == null ? "" : s.mask()};
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) out.write(',');
            out.write(quote(cells[i]));
        }
        out.newLine();
        out.flush();
    }

    static String quote(String cell) {
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) return cell;
        return '"' + cell.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
