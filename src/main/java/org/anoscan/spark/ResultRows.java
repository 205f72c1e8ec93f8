package org.anoscan.spark;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.report.ScoredImage;
import org.anoscan.scan.PatchPosition;
import org.anoscan.scan.PatchScore;
import org.anoscan.scan.Region;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows of a Spark scan: one per input image, scored or failed ({@code error} non-null, the rest null). Paths of
 * the PNGs are relative to the output folder, as in {@code anoscan scan}'s scores.csv.
 */
public final class ResultRows {
    private ResultRows() {}

    public static final StructType REGION = new StructType(new StructField[] {
            DataTypes.createStructField("x", DataTypes.IntegerType, false),
            DataTypes.createStructField("y", DataTypes.IntegerType, false),
            DataTypes.createStructField("width", DataTypes.IntegerType, false),
            DataTypes.createStructField("height", DataTypes.IntegerType, false),
            DataTypes.createStructField("area", DataTypes.IntegerType, false),
            DataTypes.createStructField("max_value", DataTypes.FloatType, false)});

    public static final StructType TOP_PATCH = new StructType(new StructField[] {
            DataTypes.createStructField("y", DataTypes.IntegerType, false),
            DataTypes.createStructField("x", DataTypes.IntegerType, false),
            DataTypes.createStructField("score", DataTypes.FloatType, false)});

    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField("path", DataTypes.StringType, false),
            DataTypes.createStructField("name", DataTypes.StringType, false),
            DataTypes.createStructField("score", DataTypes.FloatType, true), // the image score: top-k mean of patch scores
            DataTypes.createStructField("max_score", DataTypes.FloatType, true),
            DataTypes.createStructField("top_k", DataTypes.IntegerType, true),
            DataTypes.createStructField("anomalous", DataTypes.BooleanType, true), // null without an image threshold
            DataTypes.createStructField("threshold", DataTypes.DoubleType, true),
            DataTypes.createStructField("pixel_threshold", DataTypes.DoubleType, true),
            DataTypes.createStructField("regions", DataTypes.createArrayType(REGION, false), true),
            DataTypes.createStructField("patches", DataTypes.IntegerType, true),
            DataTypes.createStructField("skipped_patches", DataTypes.IntegerType, true),
            DataTypes.createStructField("height", DataTypes.IntegerType, true),
            DataTypes.createStructField("width", DataTypes.IntegerType, true),
            DataTypes.createStructField("mode", DataTypes.StringType, false),
            DataTypes.createStructField("seconds", DataTypes.DoubleType, true), // the image's share of the search time
            DataTypes.createStructField("heatmap", DataTypes.StringType, true),
            DataTypes.createStructField("overlay", DataTypes.StringType, true),
            DataTypes.createStructField("mask", DataTypes.StringType, true),
            DataTypes.createStructField("panel", DataTypes.StringType, true),
            DataTypes.createStructField("top_patch", TOP_PATCH, true),
            DataTypes.createStructField("patch_size", DataTypes.IntegerType, true),
            DataTypes.createStructField("heatmap_max", DataTypes.FloatType, true),
            DataTypes.createStructField("label", DataTypes.BooleanType, true),
            DataTypes.createStructField("device", DataTypes.StringType, true),
            DataTypes.createStructField("error", DataTypes.StringType, true)});

    static Row scored(String path, ScoredImage s, double threshold, double pixelThreshold, String mode, String device) {
        List<Row> regions = new ArrayList<>(s.regions().size());
        for (Region r : s.regions()) regions.add(RowFactory.create(r.x(), r.y(), r.width(), r.height(), r.area(), r.maxValue()));
        PatchScore top = s.topPatch();
        Row topRow = top == null ? null : RowFactory.create(top.position().y(), top.position().x(), top.score());
        // an array column takes a Scala Seq in an external Row
        return RowFactory.create(path, s.name(), s.topKMean(), s.maxScore(), s.topK(), s.anomalous(), nullIfNaN(threshold),
                nullIfNaN(pixelThreshold), scala.jdk.javaapi.CollectionConverters.asScala(regions).toSeq(), s.patches(), s.skippedPatches(), s.height(), s.width(), mode, s.searchShareSeconds(),
                s.heatmap(), s.overlay(), s.mask(), s.panel(), topRow, s.patchSize(), s.heatmapMax(), s.label(), device, null);
    }

    static Row failed(String path, String name, String mode, String device, String error) {
        return RowFactory.create(path, name, null, null, null, null, null, null, null, null, null, null, null, mode, null,
                null, null, null, null, null, null, null, null, device, error);
    }

    /** The record {@code anoscan scan}'s outputs keep, back from a scored row ({@code file}: the path as the reports show it). */
    public static ScoredImage toScoredImage(Row r, String file) {
        List<Region> regions = new ArrayList<>();
        for (Row g : r.<Row>getList(r.fieldIndex("regions"))) {
            regions.add(new Region(g.getInt(0), g.getInt(1), g.getInt(2), g.getInt(3), g.getInt(4), g.getFloat(5)));
        }
        Row top = r.getAs("top_patch");
        PatchScore topPatch = top == null ? null : new PatchScore(new PatchPosition(top.getInt(0), top.getInt(1)), top.getFloat(2), false);
        return new ScoredImage(file, r.getAs("name"), r.<Integer>getAs("height"), r.<Integer>getAs("width"), r.<Float>getAs("max_score"),
                r.<Float>getAs("score"), r.<Integer>getAs("top_k"), r.getAs("anomalous"), regions, r.<Integer>getAs("patches"),
                r.<Integer>getAs("skipped_patches"), r.<Double>getAs("seconds"), r.getAs("heatmap"), r.getAs("overlay"), r.getAs("mask"),
                r.getAs("label"), r.getAs("panel"), topPatch, r.<Integer>getAs("patch_size"), r.<Float>getAs("heatmap_max"));
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
