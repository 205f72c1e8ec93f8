package org.anoscan.scan;

/**
 * A connected anomalous region of an {@link AnomalyMask}: its bounding box (top-left {@code x, y},
 * {@code width x height}), its pixel count, and the largest heatmap value inside it.
 */
public record Region(int x, int y, int width, int height, int area, float maxValue) {}
