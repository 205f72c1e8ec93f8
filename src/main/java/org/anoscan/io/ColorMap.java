package org.anoscan.io;

import org.bytedeco.opencv.global.opencv_imgproc;

/** Colour maps for heatmaps: low values dark/blue, high values bright/red. */
public enum ColorMap {
    /** Blue to red through green and yellow: familiar, strong contrast. */
    JET(opencv_imgproc.COLORMAP_JET),
    /** Black to yellow through purple and orange: perceptually uniform, readable in grayscale print. */
    INFERNO(opencv_imgproc.COLORMAP_INFERNO);

    final int openCvCode;

    ColorMap(int openCvCode) { this.openCvCode = openCvCode; }
}
