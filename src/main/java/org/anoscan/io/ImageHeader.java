package org.anoscan.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * What an encoded image says about itself before it is decoded: its size (from the header only, through the
 * JDK's Image I/O readers: PNG, JPEG, BMP, GIF, TIFF), so memory can be budgeted before OpenCV decodes it; and
 * for a JPEG, whether libjpeg finds damaged data (OpenCV's decoder only prints such warnings on stderr and
 * returns the image, grey blocks and all).
 */
final class ImageHeader {
    private ImageHeader() {}

    /** Width x height as read from the header; empty when no header reader knows the format (WebP, JPEG 2000, PNM). */
    static OptionalLong pixels(byte[] encoded, int[] sizeOut) {
        if (isPng(encoded)) { // the common case, without starting Image I/O: IHDR's width and height, big-endian
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(encoded);
            sizeOut[0] = b.getInt(16);
            sizeOut[1] = b.getInt(20);
            if (sizeOut[0] <= 0 || sizeOut[1] <= 0) return OptionalLong.empty(); // let the decoder name the damage
            return OptionalLong.of((long) sizeOut[0] * sizeOut[1]);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) return OptionalLong.empty();
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                sizeOut[0] = r.getWidth(0);
                sizeOut[1] = r.getHeight(0);
                return OptionalLong.of((long) sizeOut[0] * sizeOut[1]);
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException unreadableHeader) {
            return OptionalLong.empty(); // OpenCV decides (and says) whether the file is an image
        }
    }

    private static boolean isPng(byte[] b) {
        return b.length >= 24 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && b[12] == 'I' && b[13] == 'H'
                && b[14] == 'D' && b[15] == 'R';
    }

    static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF;
    }

    /**
     * libjpeg's complaints about a JPEG's data ("Corrupt JPEG data: premature end of data segment", bad
     * Huffman codes, a missing end marker...); empty for a sound file or one the JDK's decoder does not
     * handle (CMYK, 12-bit: OpenCV alone decides about those).
     */
    static List<String> jpegDamage(byte[] encoded) {
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
            if (!readers.hasNext()) return warnings;
            ImageReader r = readers.next();
            try {
                r.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.add(warning));
                r.setInput(in, true, true);
                r.read(0);
            } finally {
                r.dispose();
            }
        } catch (javax.imageio.IIOException e) {
            String m = String.valueOf(e.getMessage());
            if (!m.contains("Unsupported") && !m.contains("Inconsistent metadata")) warnings.add(m);
        } catch (IOException | RuntimeException notJudged) {
            // not a verdict on the data
        }
        return warnings;
    }
}
