package org.anoscan.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.anoscan.eval.GroundTruthMask;
import org.anoscan.io.ColorMap;
import org.anoscan.io.HeatScale;
import org.anoscan.io.ImageWriter;
import org.anoscan.scan.ScanResult;

/** {@code anoscan eval}'s pictures: per image, the image, its ground truth (when known), heatmap and mask side by side. */
public final class EvalPanels {
    private EvalPanels() {}

    /**
     * Writes {@code dir/NAME.png} (NAME without its extension, kept below {@code dir}).
     *
     * @param truth the ground-truth mask, or null when none is known
     */
    public static Path write(Path dir, String name, ScanResult r, GroundTruthMask truth, ColorMap colorMap) throws IOException {
        HeatScale scale = ScanOutputs.scaleOf(r);
        List<Panels.Tile> tiles = new ArrayList<>();
        tiles.add(new Panels.Tile("image", ImageWriter.imagePng(r.image())));
        if (truth != null) tiles.add(new Panels.Tile("ground truth", ImageWriter.maskPng(truth.anomalous(), truth.height(), truth.width())));
        tiles.add(new Panels.Tile("heatmap", ImageWriter.heatmapPng(r.heatmap(), scale, colorMap)));
        if (r.mask() != null) tiles.add(new Panels.Tile("mask (heat > threshold)", ImageWriter.maskPng(r.mask().pixels(), r.mask().height(), r.mask().width())));
        Path file = dir.resolve(ScanOutputs.safeStem(name) + ".png");
        ImageWriter.write(file, Panels.compose(tiles, scale, colorMap, ScanOutputs.PANEL_SIDE));
        return file;
    }
}
