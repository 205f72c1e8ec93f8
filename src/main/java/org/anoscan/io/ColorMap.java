package org.anoscan.io;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.applyColorMap;

import java.nio.ByteBuffer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** Colour maps for heatmaps: low values dark/blue, high values bright/red. */
public enum ColorMap {
    /** Blue to red through green and yellow: familiar, strong contrast. */
    JET(opencv_imgproc.COLORMAP_JET),
    /** Black to yellow through purple and orange: perceptually uniform, readable in grayscale print. */
    INFERNO(opencv_imgproc.COLORMAP_INFERNO);

    final int openCvCode;
    private volatile int[] ramp; // 256 RGB colours, made on first use

    ColorMap(int openCvCode) { this.openCvCode = openCvCode; }

    /** The colour (0xRRGGBB) at {@code position} in [0, 1] (clipped), as heatmaps draw it: for colour bars. */
    public int rgb(double position) {
        int[] r = ramp;
        if (r == null) ramp = r = makeRamp();
        return r[(int) Math.round(Math.max(0, Math.min(1, position)) * 255)];
    }

    private int[] makeRamp() {
        byte[] gray = new byte[256];
        for (int i = 0; i < 256; i++) gray[i] = (byte) i;
        int[] out = new int[256];
        try (Mat g = new Mat(1, 256, CV_8UC1); Mat colour = new Mat()) {
            ((ByteBuffer) g.createBuffer()).put(gray);
            applyColorMap(g, colour, openCvCode);
            ByteBuffer bgr = (ByteBuffer) colour.createBuffer();
            for (int i = 0; i < 256; i++) {
                out[i] = (bgr.get(3 * i + 2) & 0xFF) << 16 | (bgr.get(3 * i + 1) & 0xFF) << 8 | (bgr.get(3 * i) & 0xFF);
            }
        }
        return out;
    }
}
