package org.anoscan.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The image files named by command-line inputs: a file stands for itself (whatever its extension, so a
 * bad one is reported, not ignored); a folder for every image file below it (by extension, sorted, hidden
 * files and anything under {@code exclude}, the output folder, left out).
 */
final class InputFiles {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "pgm", "ppm", "pnm",
            "pbm", "webp", "jp2");

    /** A file to scan and its short name: the path below the folder it was found in (with the folder's name when several inputs are given). */
    record Entry(Path file, String name) {}

    private InputFiles() {}

    static List<Entry> expand(List<Path> inputs, Path exclude) throws IOException {
        List<Entry> out = new ArrayList<>();
        Path skip = exclude == null ? null : exclude.toAbsolutePath().normalize();
        for (Path in : inputs) {
            if (!Files.isDirectory(in)) {
                out.add(new Entry(in, in.getFileName() == null ? in.toString() : in.getFileName().toString()));
                continue;
            }
            Path root = in.toAbsolutePath().normalize();
            String prefix = inputs.size() > 1 && root.getFileName() != null ? root.getFileName() + "/" : "";
            List<Path> found = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(in)) {
                walk.filter(p -> Files.isRegularFile(p) && isImage(p) && !hidden(in, p)
                        && (skip == null || !p.toAbsolutePath().normalize().startsWith(skip))).forEach(found::add);
            } catch (UncheckedIOException e) {
                throw new IOException(in + ": cannot list the folder (" + e.getCause().getMessage() + ")", e);
            }
            found.sort(null);
            for (Path p : found) out.add(new Entry(p, prefix + in.relativize(p).toString().replace('\\', '/')));
        }
        return out;
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** A file or folder below root whose name starts with '.' (editor and OS leftovers). */
    private static boolean hidden(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (part.toString().startsWith(".")) return true;
        }
        return false;
    }
}
