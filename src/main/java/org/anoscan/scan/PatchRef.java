package org.anoscan.scan;

import org.anoscan.io.FloatImage;

/** Where a patch came from: the image's index in the batcher's input order, the image, and the position. */
public record PatchRef(int imageIndex, FloatImage image, PatchPosition position) {}
