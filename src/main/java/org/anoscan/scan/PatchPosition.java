package org.anoscan.scan;

/** The top-left corner (row {@code y}, column {@code x}) of a square patch in its image. */
public record PatchPosition(int y, int x) {}
