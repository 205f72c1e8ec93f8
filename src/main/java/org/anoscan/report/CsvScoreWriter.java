package org.anoscan.report;

import java.io.OutputStream;
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
 * {@code scores.csv}: a header, then one row per image, or per file that failed (with only {@code file} and
 * {@code error}), each written with one unbuffered write, so a crash, even a SIGKILL, keeps every row already
 * written and tears none. RFC 4180 quoting. Boxes are {@code x y width height}, separated by {@code ;}.
 * {@code search_share_seconds} is the image's share of the batched search time, not a wall time.
 */
public final class CsvScoreWriter implements AutoCloseable {
    static final String HEADER = "file,name,score_max,score_topk_mean,top_k,anomalous,regions,boxes,search_share_seconds,height,width,"
            + "heatmap,overlay,mask,error";
    private final OutputStream out;

    /** Creates (or truncates) {@code file} and writes the header. */
    public CsvScoreWriter(Path file) throws IOException {
        this(file, false);
    }

    /** Appends to {@code file} (resuming a run), or creates (truncates) it and writes the header. */
    public CsvScoreWriter(Path file, boolean append) throws IOException {
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        if (!append) writeLine(HEADER);
    }

    public void write(ScoredImage s) throws IOException {
        writeLine(row(s));
    }

    /** A file that could not be scanned: its path and why, the other cells empty. */
    public void writeFailure(String file, String error) throws IOException {
        String[] cells = new String[HEADER.split(",").length];
        java.util.Arrays.fill(cells, "");
        cells[0] = file;
        cells[cells.length - 1] = error;
        writeLine(join(cells));
    }

    private void writeLine(String line) throws IOException {
        out.write((line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The header and the rows of {@code images}, as a resumed run starts its file. */
    static String document(List<ScoredImage> images) {
        StringBuilder sb = new StringBuilder(HEADER).append(System.lineSeparator());
        for (ScoredImage s : images) sb.append(row(s)).append(System.lineSeparator());
        return sb.toString();
    }

    private static String row(ScoredImage s) {
        List<String> boxes = new ArrayList<>();
        for (Region r : s.regions()) boxes.add(r.x() + " " + r.y() + " " + r.width() + " " + r.height());
        String[] cells = {s.file(), s.name(), Float.toString(s.maxScore()), Float.toString(s.topKMean()),
                Integer.toString(s.topK()), s.decision(), Integer.toString(s.regions().size()), String.join(";", boxes),
                String.format(Locale.ROOT, "%.4f", s.searchShareSeconds()), Integer.toString(s.height()), Integer.toString(s.width()),
                s.heatmap(), s.overlay(), s.mask() == null ? "" : s.mask(), ""};
        return join(cells);
    }

    private static String join(String[] cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(quote(cells[i]));
        }
        return sb.toString();
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
