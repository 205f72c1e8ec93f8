package org.anoscan.io;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Resizes {@link FloatImage}s channel by channel (OpenCV): area averaging when shrinking (each output pixel
 * the mean of the input pixels it covers, no aliasing), bilinear when enlarging.
 */
public final class Resample {
    private Resample() {}

    /** The size of {@code n} pixels scaled by {@code scale}: rounded, at least 1. */
    public static int scaled(int n, double scale) {
        return (int) Math.max(1, Math.round(n * scale));
    }

    /** {@code image} resized to {@code height x width}; the same object when the size does not change. */
    public static FloatImage to(FloatImage image, int height, int width) {
        if (height == image.height() && width == image.width()) return image;
        int c = image.channels(), inPlane = image.height() * image.width(), outPlane = height * width;
        boolean shrink = (long) height * width < (long) inPlane;
        float[] out = new float[c * outPlane];
        float[] in = image.data();
        try (Mat src = new Mat(image.height(), image.width(), CV_32FC1); Mat dst = new Mat(); Size size = new Size(width, height)) {
            for (int ch = 0; ch < c; ch++) {
                ((FloatBuffer) src.createBuffer()).put(in, ch * inPlane, inPlane);
                resize(src, dst, size, 0, 0, shrink ? INTER_AREA : INTER_LINEAR);
                ((FloatBuffer) dst.createBuffer()).get(out, ch * outPlane, outPlane);
            }
        }
        return new FloatImage(c, height, width, out, image.source());
    }
}
