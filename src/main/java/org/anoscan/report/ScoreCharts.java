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
     * (unlabelled images are left out of the split, and shown as a third series when there are some), with
     * the image threshold as a dashed vertical line. Drawn as filled steps on a numeric axis, so the score
     * ticks are few, horizontal and rounded whatever the bins.
     *
     * @param labels per score, true anomalous / false normal / null unknown; or null for no labels
     * @param threshold the image threshold, drawn and named; NaN for none
     * @return PNG bytes, or null when there are no scores
     */
    public static byte[] histogram(double[] scores, Boolean[] labels, double threshold) throws IOException {
        if (scores.length == 0) return null;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        if (!Double.isNaN(threshold)) {
            min = Math.min(min, threshold);
            max = Math.max(max, threshold);
        }
        if (!(max > min)) { // one distinct score (or none): a range around it, so the bins have a width
            double c = min;
            min = c - 0.5;
            max = c + 0.5;
        }
        double pad = (max - min) * 0.02;
        min -= pad;
        max += pad;
        XYChart chart = new XYChartBuilder().width(640).height(360).title("Image scores (" + scores.length + " images)")
                .xAxisTitle("image score (top-k mean)").yAxisTitle("images").build();
        chart.getStyler().setXAxisTickMarkSpacingHint(90).setYAxisTickMarkSpacingHint(50);
        chart.getStyler().setXAxisDecimalPattern(decimalPattern(max - min)).setYAxisDecimalPattern("#,##0");
        chart.getStyler().setXAxisMin(min).setXAxisMax(max).setYAxisMin(0.0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        int top = 1;
        if (labels == null) {
            top = Math.max(top, addSeries(chart, "images", all(scores), min, max));
        } else {
            List<Double> normal = new ArrayList<>(), anomalous = new ArrayList<>(), unknown = new ArrayList<>();
            for (int i = 0; i < scores.length; i++) {
                (labels[i] == null ? unknown : labels[i] ? anomalous : normal).add(scores[i]);
            }
            top = Math.max(top, addSeries(chart, "normal", normal, min, max));
            top = Math.max(top, addSeries(chart, "anomalous", anomalous, min, max));
            if (!unknown.isEmpty()) top = Math.max(top, addSeries(chart, "unlabelled", unknown, min, max));
        }
        chart.getStyler().setYAxisMax(top * 1.2);
        if (!Double.isNaN(threshold)) {
            XYSeries t = chart.addSeries(String.format(Locale.ROOT, "threshold %.4g", threshold), new double[] {threshold, threshold},
                    new double[] {0, top * 1.2});
            t.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            t.setMarker(SeriesMarkers.NONE);
            t.setLineColor(java.awt.Color.BLACK);
            t.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    }

    /** Bars as one filled step line (an empty class draws nothing); returns the highest bin count. */
    private static int addSeries(XYChart chart, String name, List<Double> data, double min, double max) {
        if (data.isEmpty()) return 0;
        int[] counts = new int[BINS];
        double width = (max - min) / BINS;
        for (double d : data) counts[Math.min(BINS - 1, Math.max(0, (int) ((d - min) / width)))]++;
        // StepArea holds each y until the next x: the bins' left edges, then the right edge of the last
        double[] x = new double[BINS + 1], y = new double[BINS + 1];
        int top = 0;
        for (int b = 0; b <= BINS; b++) {
            x[b] = min + b * width;
            y[b] = counts[Math.min(b, BINS - 1)];
            top = Math.max(top, (int) y[b]);
        }
        XYSeries s = chart.addSeries(name + " (" + data.size() + ")", x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.StepArea);
        s.setMarker(SeriesMarkers.NONE);
        return top;
    }

    /** Enough decimals to tell ticks apart over a range, no more. */
    static String decimalPattern(double range) {
        if (range >= 100) return "#,##0";
        if (range >= 10) return "0.#";
        if (range >= 1) return "0.0#";
        return "0.0##";
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
        chart.getStyler().setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0");
        chart.getStyler().setXAxisTickMarkSpacingHint(50).setYAxisTickMarkSpacingHint(50);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
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
        chart.getStyler().setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0");
        chart.getStyler().setXAxisTickMarkSpacingHint(50).setYAxisTickMarkSpacingHint(50);
        return chart;
    }
}
