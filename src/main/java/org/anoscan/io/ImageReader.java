package org.anoscan.io;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYCOLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYDEPTH;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Reads images (PNG, JPEG, TIFF, BMP and whatever else OpenCV decodes; 8- or 16-bit unsigned;
 * grayscale, colour or colour+alpha) into {@link FloatImage}s with the channel count a model expects.
 *
 * <ul>
 *   <li>Scaling to [-1, 1], by bit depth only (never by the image's own range, so that every image of a
 *       data set is scaled alike): 8-bit {@code v / 127.5 - 1}, 16-bit {@code v / 32767.5 - 1}; 0 maps to
 *       -1 and the depth's maximum to 1 exactly.
 *   <li>Colour to 1 channel: OpenCV {@code cvtColor} BGR→GRAY (0.299 R + 0.587 G + 0.114 B), done at the
 *       image's own depth before scaling.
 *   <li>Grayscale to 3 channels is refused: a colour model never saw R = G = B during training, so its
 *       scores for a replicated gray image would be meaningless.
 *   <li>Colour channels come out in RGB order; an alpha channel is dropped; a JPEG's EXIF orientation is
 *       applied (OpenCV's default).
 * </ul>
 *
 * Errors a user can cause come as one-line messages that name the file and say what to do:
 * {@link IOException} for files, {@link IllegalArgumentException} for Mats and arrays.
 */
public final class ImageReader {
    private ImageReader() {}

    /** 8-bit value to [-1, 1]. */
    static float scale8(int v) { return v / 127.5f - 1f; }

    /** 16-bit value to [-1, 1]. */
    static float scale16(int v) { return v / 32767.5f - 1f; }

    /**
     * Reads {@code file} as an image of {@code channels} (1 or 3) channels scaled to [-1, 1].
     *
     * @throws IOException naming the file when it is missing, unreadable, not a decodable image, of an
     *     unsupported depth, or grayscale while 3 channels are requested
     * @throws IllegalArgumentException when {@code channels} is not 1 or 3
     */
    public static FloatImage read(Path file, int channels) throws IOException {
        return read(file, channels, null);
    }

    /**
     * As {@link #read(Path, int)}; {@code converted} (may be null) hears when a colour image is turned to
     * grey for a 1-channel model, which loses information the user may not expect to lose.
     */
    public static FloatImage read(Path file, int channels, Consumer<String> converted) throws IOException {
        return read(file, channels, converted, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #read(Path, int, Consumer)}, refusing before decoding an image of more than {@code maxPixels}
     * pixels or one whose decoding and scanning would not fit in the JVM's memory (sized from the header), and
     * a JPEG whose data libjpeg finds damaged.
     */
    public static FloatImage read(Path file, int channels, Consumer<String> converted, long maxPixels) throws IOException {
        checkChannels(channels);
        String name = file.toString();
        if (Files.isDirectory(file)) throw new IOException(name + ": is a directory, not an image file");
        if (!Files.exists(file)) throw new NoSuchFileException(name, null, "no such file; check the path");
        if (!Files.isRegularFile(file)) throw new IOException(name + ": not a regular file; give an image file");
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(name + ": " + size + " bytes is too large for an image file (the bound is " + MAX_FILE_BYTES + ")");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new IOException(name + ": permission denied; make it readable", e);
        }
        return decode(bytes, name, channels, converted, maxPixels);
    }

    /**
     * As {@link #read(Path, int, Consumer, long)}, from an image file's bytes (e.g. a Spark binaryFile row's content)
     * under {@code name}, the file's name or URI for messages and {@link FloatImage#source()}.
     */
    public static FloatImage decode(byte[] bytes, String name, int channels, Consumer<String> converted, long maxPixels) throws IOException {
        checkChannels(channels);
        if (bytes.length == 0) throw new IOException(name + ": empty file; replace it with a valid image");
        checkSize(bytes, channels, maxPixels, name);
        if (ImageHeader.isJpeg(bytes)) {
            List<String> damage = ImageHeader.jpegDamage(bytes);
            if (!damage.isEmpty()) {
                throw new IOException(name + ": damaged JPEG (" + damage.get(0).strip() + "); re-export or remove it");
            }
        }
        // Decode from memory rather than imread(path): Java reports file-system errors clearly and
        // handles any path, and OpenCV gets a buffer it cannot fail to open.
        try (BytePointer encodedBytes = new BytePointer(bytes);
             Mat encoded = new Mat(1, bytes.length, CV_8UC1, encodedBytes);
             Mat decoded = decode(encoded, name)) {
            if (decoded.empty()) {
                throw new IOException(name + ": not a readable image (corrupt, truncated, or not PNG/JPEG/TIFF/BMP); "
                        + "re-export or remove it");
            }
            if (converted != null && channels == 1 && decoded.channels() > 1) {
                converted.accept(name + ": colour image converted to grey for the 1-channel model");
            }
            return fromMat(decoded, channels, name);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Pixels over which an image is refused unless the caller raises the limit (100 megapixels, 10000 x 10000). */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    /** Larger files are not read at all (one Java array holds the encoded bytes). */
    static final long MAX_FILE_BYTES = 1L << 30;
    /**
     * Bytes per pixel a scan holds at once, beyond 8 per channel: the decoded image, its float copy, the
     * stitcher's sums and counts, the heatmap, mask and overlay buffers (measured from the code's arrays,
     * rounded up).
     */
    static final long SCAN_BYTES_PER_PIXEL = 40;

    /** Refuses, from the header alone, an image over the pixel limit or the JVM's memory; unknown formats go on. */
    private static void checkSize(byte[] bytes, int channels, long maxPixels, String name) throws IOException {
        int[] wh = new int[2];
        java.util.OptionalLong pixels = ImageHeader.pixels(bytes, wh);
        if (pixels.isEmpty()) return;
        long p = pixels.getAsLong();
        String dims = wh[0] + "x" + wh[1];
        if (p > maxPixels) {
            throw new IOException(String.format(java.util.Locale.ROOT, "%s: %s image (%.1f megapixels) is over the %.1f-megapixel "
                    + "limit; raise it with --max-megapixels, or downscale or crop the image", name, dims, p / 1e6, maxPixels / 1e6));
        }
        long need = p * (SCAN_BYTES_PER_PIXEL + 8L * channels);
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > available) {
            throw new IOException(String.format(java.util.Locale.ROOT, "%s: %s image needs about %.1f GiB to scan, more than the "
                    + "%.1f GiB the JVM has free; give Java more memory (ANOSCAN_JAVA_OPTS=-Xmx...) or downscale the image",
                    name, dims, need / (double) (1L << 30), available / (double) (1L << 30)));
        }
    }

    private static Mat decode(Mat encoded, String name) throws IOException {
        try {
            // ANYDEPTH keeps 16 bits; ANYCOLOR gives 1 or 3 channels as stored (alpha dropped).
            return imdecode(encoded, IMREAD_ANYDEPTH | IMREAD_ANYCOLOR);
        } catch (RuntimeException e) { // cv::Exception from a decoder: multi-line, keep only its gist
            throw new IOException(name + ": not a readable image (decoder failed: " + firstLine(e.getMessage())
                    + "); re-export or remove it", e);
        }
    }

    /**
     * Converts an OpenCV Mat (2-D, 8- or 16-bit unsigned, 1 channel, 3 channels BGR, or 4 channels
     * BGRA: OpenCV's conventions) to a {@link FloatImage} of {@code channels} (1 or 3) channels, as
     * {@link #read} does. The Mat is not modified and stays owned by the caller.
     *
     * @param source a name for messages and for {@link FloatImage#source()}
     * @throws IllegalArgumentException on an empty Mat, an unsupported depth or channel count, or a
     *     grayscale Mat while 3 channels are requested
     */
    public static FloatImage fromMat(Mat mat, int channels, String source) {
        checkChannels(channels);
        if (mat == null || mat.isNull() || mat.empty()) throw new IllegalArgumentException(source + ": empty image");
        if (mat.dims() != 2) {
            throw new IllegalArgumentException(source + ": " + mat.dims() + "-dimensional Mat; give a 2-D image");
        }
        int depth = mat.depth();
        if (depth != CV_8U && depth != CV_16U) {
            throw new IllegalArgumentException(source + ": unsupported pixel depth " + depthName(depth)
                    + "; convert it to 8-bit or 16-bit unsigned");
        }
        int stored = mat.channels();
        int code = colourConversion(stored, channels, source);
        try (Mat converted = code < 0 ? null : new Mat()) {
            Mat src = mat;
            if (converted != null) {
                cvtColor(mat, converted, code);
                src = converted;
            }
            if (src.isContinuous()) return toFloatImage(src, channels, depth, source);
            try (Mat contiguous = src.clone()) { // an ROI view: rows are not adjacent in memory
                return toFloatImage(contiguous, channels, depth, source);
            }
        }
    }

    /**
     * Wraps a copy of {@code chw} (CHW order, values expected in [-1, 1]) as a {@link FloatImage}.
     *
     * @throws IllegalArgumentException when the length does not match or a value is NaN or infinite
     */
    public static FloatImage fromFloats(float[] chw, int channels, int height, int width, String source) {
        if (chw == null) throw new IllegalArgumentException(source + ": data is null");
        return new FloatImage(channels, height, width, chw.clone(), source);
    }

    /** The cvtColor code from {@code stored} to {@code wanted} channels, or -1 when none is needed. */
    private static int colourConversion(int stored, int wanted, String source) {
        if (stored == 1) {
            if (wanted == 1) return -1;
            throw new IllegalArgumentException(source + ": grayscale image but the model expects 3 (colour) channels; "
                    + "use a 1-channel model or convert the image to colour");
        }
        if (stored == 3) return wanted == 1 ? COLOR_BGR2GRAY : COLOR_BGR2RGB;
        if (stored == 4) return wanted == 1 ? COLOR_BGRA2GRAY : COLOR_BGRA2RGB;
        throw new IllegalArgumentException(source + ": " + stored + " channels; give a grayscale, BGR or BGRA image");
    }

    /** Interleaved HWC (continuous) to planar CHW, scaled by depth. */
    private static FloatImage toFloatImage(Mat m, int channels, int depth, String source) {
        int h = m.rows(), w = m.cols(), plane = h * w;
        float[] out = new float[channels * plane];
        if (depth == CV_8U) {
            ByteBuffer buf = m.createBuffer();
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < channels; c++) out[c * plane + i] = scale8(buf.get(i * channels + c) & 0xFF);
            }
        } else {
            ShortBuffer buf = m.createBuffer();
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < channels; c++) out[c * plane + i] = scale16(buf.get(i * channels + c) & 0xFFFF);
            }
        }
        return new FloatImage(channels, h, w, out, source);
    }

    private static void checkChannels(int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grayscale) or 3 (colour), got " + channels);
        }
    }

    private static String depthName(int depth) {
        String[] names = {"8-bit unsigned", "8-bit signed", "16-bit unsigned", "16-bit signed", "32-bit integer",
                          "32-bit float", "64-bit float", "16-bit float"};
        return depth >= 0 && depth < names.length ? names[depth] : "type " + depth;
    }

    private static String firstLine(String s) {
        if (s == null) return "no message";
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
