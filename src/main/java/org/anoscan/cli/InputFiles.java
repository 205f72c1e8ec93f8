package org.anoscan.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.EnumSet;
import java.util.function.BiConsumer;

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
        return expand(inputs, exclude, (folder, reason) -> {
            throw new UncheckedIOException(new IOException(folder + ": cannot list the folder (" + reason + ")"));
        });
    }

    /**
     * As {@link #expand(List, Path)}, but a subfolder that cannot be listed (permission denied, a symbolic-link
     * loop) is handed to {@code unreadable} with the reason and the walk goes on with its siblings.
     */
    static List<Entry> expand(List<Path> inputs, Path exclude, BiConsumer<Path, String> unreadable) throws IOException {
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
            try {
                // symbolic links are followed (data sets are often linked in); a loop is reported, not walked
                Files.walkFileTree(in, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                        boolean excluded = !d.equals(in) && (hidden(in, d) || (skip != null && d.toAbsolutePath().normalize().startsWith(skip)));
                        return excluded ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() && isImage(p) && !hidden(in, p)) found.add(p);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path p, IOException e) {
                        unreadable.accept(p, reason(e));
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            found.sort(null);
            for (Path p : found) out.add(new Entry(p, prefix + in.relativize(p).toString().replace('\\', '/')));
        }
        return out;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemLoopException) return "a symbolic-link loop";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
