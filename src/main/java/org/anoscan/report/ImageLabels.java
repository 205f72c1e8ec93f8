package org.anoscan.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Known truth for scanned images (true = anomalous), for the report's ROC curve. Either from a csv of
 * {@code file,label} rows (an optional header; paths relative to the csv's folder, or bare file names when
 * they are unique), or from folder names: a parent folder named good/normal/ok is normal, bad/anomalous/
 * anomaly/defect/defective/ng is anomalous, and any other folder next to a {@code good} folder is anomalous
 * (the MVTec AD layout: {@code test/good}, {@code test/scratch}, ...).
 */
public final class ImageLabels {
    private static final Set<String> NORMAL = Set.of("good", "normal", "ok", "0", "false", "negative");
    private static final Set<String> ANOMALOUS = Set.of("bad", "anomalous", "anomaly", "defect", "defective", "ng", "1",
            "true", "positive");
    // folder names: not 0/1/true/false, which say nothing as folder names
    private static final Set<String> NORMAL_FOLDERS = Set.of("good", "normal", "ok");
    private static final Set<String> ANOMALOUS_FOLDERS = Set.of("bad", "anomalous", "anomaly", "defect", "defective", "ng");

    private final Map<Path, Boolean> byPath;
    private final Map<String, Boolean> byName; // a null value: the name is ambiguous
    private final boolean folders;

    private ImageLabels(Map<Path, Boolean> byPath, Map<String, Boolean> byName, boolean folders) {
        this.byPath = byPath;
        this.byName = byName;
        this.folders = folders;
    }

    /** Labels from folder names. */
    public static ImageLabels fromFolders() {
        return new ImageLabels(Map.of(), Map.of(), true);
    }

    /**
     * Reads a {@code file,label} csv.
     *
     * @throws IOException naming the file and line when it is missing or a label is not recognised
     */
    public static ImageLabels fromCsv(Path csv) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(csv + ": labels file not found");
        }
        Path base = csv.toAbsolutePath().getParent();
        Map<Path, Boolean> byPath = new HashMap<>();
        Map<String, Boolean> byName = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            List<String> cells = cells(line);
            if (cells.size() < 2) throw new IOException(csv + ":" + (i + 1) + ": expected 'file,label', got '" + line + "'");
            Boolean label = parse(cells.get(1));
            if (label == null) {
                if (byPath.isEmpty() && i == firstDataLine(lines)) continue; // a header row
                throw new IOException(csv + ":" + (i + 1) + ": label '" + cells.get(1)
                        + "' is neither normal (good, normal, ok, 0) nor anomalous (bad, anomalous, defect, 1)");
            }
            Path p = base.resolve(cells.get(0).strip()).normalize();
            byPath.put(p, label);
            String name = p.getFileName().toString();
            byName.put(name, byName.containsKey(name) ? null : label);
        }
        return new ImageLabels(byPath, byName, false);
    }

    /** The label of {@code file}: true anomalous, false normal, null unknown. */
    public Boolean labelOf(Path file) {
        if (folders) return fromFolder(file);
        Boolean l = byPath.get(file.toAbsolutePath().normalize());
        if (l != null) return l;
        return byName.get(file.getFileName().toString());
    }

    private static Boolean fromFolder(Path file) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent == null || parent.getFileName() == null) return null;
        String folder = parent.getFileName().toString().toLowerCase(Locale.ROOT);
        if (NORMAL_FOLDERS.contains(folder)) return false;
        if (ANOMALOUS_FOLDERS.contains(folder)) return true;
        Path grand = parent.getParent();
        return grand != null && Files.isDirectory(grand.resolve("good")) ? Boolean.TRUE : null;
    }

    private static Boolean parse(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (NORMAL.contains(t)) return false;
        if (ANOMALOUS.contains(t)) return true;
        return null;
    }

    private static int firstDataLine(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.isEmpty() && !l.startsWith("#")) return i;
        }
        return -1;
    }

    /** Splits one csv line (RFC 4180 quotes), as scores.csv writes them. */
    public static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
