package org.anoscan.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.anoscan.eval.PrCurve;
import org.anoscan.eval.ProCurve;
import org.anoscan.eval.RocCurve;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's plots, drawn with XChart and encoded as PNG bytes (to embed, so the report is one file). */
public final class ScoreCharts {
    static final int BINS = 20;

    private ScoreCharts() {}

    /**
     * A histogram of image scores: one series when no labels are known, else normal and anomalous apart
     * (unlabelled images are left out of the split, and shown as a third series when there are some).
     *
     * @param labels per score, true anomalous / false normal / null unknown; or null for no labels
     * @param threshold the image threshold, named in the title; NaN for none
     * @return PNG bytes, or null when there are no scores
     */
    public static byte[] histogram(double[] scores, Boolean[] labels, double threshold) throws IOException {
        if (scores.length == 0) return null;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        if (!(max > min)) { // one distinct score (or none): a range around it, so the bins have a width
            double c = min;
            min = c - 0.5;
            max = c + 0.5;
        }
        String title = "Image scores" + (Double.isNaN(threshold) ? "" : String.format(Locale.ROOT, " (threshold %.4g)", threshold));
        CategoryChart chart = new CategoryChartBuilder().width(640).height(360).title(title)
                .xAxisTitle("score (top-k mean)").yAxisTitle("images").build();
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setXAxisDecimalPattern("#0.###");
        chart.getStyler().setLegendVisible(labels != null);
        if (labels == null) {
            addSeries(chart, "images", all(scores), min, max);
        } else {
            List<Double> normal = new ArrayList<>(), anomalous = new ArrayList<>(), unknown = new ArrayList<>();
            for (int i = 0; i < scores.length; i++) {
                (labels[i] == null ? unknown : labels[i] ? anomalous : normal).add(scores[i]);
            }
            addSeries(chart, "normal", normal, min, max);
            addSeries(chart, "anomalous", anomalous, min, max);
            if (!unknown.isEmpty()) addSeries(chart, "unlabelled", unknown, min, max);
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    }

    private static void addSeries(CategoryChart chart, String name, List<Double> data, double min, double max) {
        if (data.isEmpty()) return; // XChart refuses an empty histogram; a class with no image has no bars
        Histogram h = new Histogram(data, BINS, min, max);
        chart.addSeries(name, h.getxAxisData(), h.getyAxisData());
    }

    private static List<Double> all(double[] scores) {
        List<Double> l = new ArrayList<>(scores.length);
        for (double s : scores) l.add(s);
        return l;
    }

    /** The ROC curve with the chance diagonal; the AUROC in the title. */
    public static byte[] roc(RocCurve curve, double auroc) throws IOException {
        XYChart chart = new XYChartBuilder().width(420).height(400)
                .title(String.format(Locale.ROOT, "ROC (AUROC %.4f)", auroc))
                .xAxisTitle("false positive rate").yAxisTitle("true positive rate").build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setXAxisDecimalPattern("0.##").setYAxisDecimalPattern("0.##");
        XYSeries s = chart.addSeries("ROC", curve.fpr(), curve.tpr()); // the curve starts at (0, 0)
        s.setMarker(SeriesMarkers.NONE);
        XYSeries chance = chart.addSeries("chance", new double[] {0, 1}, new double[] {0, 1});
        chance.setMarker(SeriesMarkers.NONE);
        return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    }
    /** The precision-recall curve; the average precision in the title, the anomaly rate as the chance line. */
    public static byte[] precisionRecall(PrCurve curve, double averagePrecision, double anomalyRate) throws IOException {
        XYChart chart = unitSquare(String.format(Locale.ROOT, "Precision-recall (AP %.4f)", averagePrecision), "recall", "precision");
        chart.addSeries("PR", curve.recall(), curve.precision()).setMarker(SeriesMarkers.NONE);
        chart.addSeries("chance", new double[] {0, 1}, new double[] {anomalyRate, anomalyRate}).setMarker(SeriesMarkers.NONE);
        return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    }

    /**
     * The per-region-overlap curve up to fprLimit (the part AUPRO integrates; the x axis shows it whole),
     * the AUPRO in the title.
     */
    public static byte[] pro(ProCurve curve, double aupro, double fprLimit) throws IOException {
        XYChart chart = unitSquare(String.format(Locale.ROOT, "PRO (AUPRO@%.2g %.4f)", fprLimit, aupro), "false positive rate (pixels)",
                "per-region overlap");
        chart.getStyler().setXAxisMax(fprLimit);
        int n = 0;
        while (n < curve.size() && curve.fpr()[n] <= fprLimit) n++;
        double[] x = java.util.Arrays.copyOf(curve.fpr(), n), y = java.util.Arrays.copyOf(curve.pro(), n);
        chart.addSeries("PRO", x, y).setMarker(SeriesMarkers.NONE);
        return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    }

    private static XYChart unitSquare(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(420).height(400).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setXAxisDecimalPattern("0.##").setYAxisDecimalPattern("0.##");
        return chart;
    }
}
