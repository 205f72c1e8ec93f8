package org.anoscan.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.anoscan.io.ColorMap;
import org.anoscan.io.HeatScale;

/**
 * Side-by-side panels, as anomaly-detection papers and tools show results: the image, its ground truth
 * where known, the heatmap and the mask, each captioned, then a colour bar of the heatmap's scale with the
 * pixel threshold marked. Drawn in plain Java (no native objects to close).
 */
public final class Panels {
    static final int CAPTION = 18;
    static final int GAP = 6;
    static final int BAR_WIDTH = 14;
    static final int BAR_LABELS = 120;

    /** One picture of the panel and its caption. */
    public record Tile(String caption, byte[] png) {}

    private Panels() {}

    /**
     * The tiles side by side, each scaled so its longer side is {@code side} pixels (enlarged with nearest
     * neighbours, so small images stay crisp), then the colour bar of {@code scale}.
     */
    public static byte[] compose(List<Tile> tiles, HeatScale scale, ColorMap colorMap, int side) throws IOException {
        List<BufferedImage> images = new ArrayList<>();
        for (Tile t : tiles) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(t.png()));
            if (img == null) throw new IOException("panel: '" + t.caption() + "' is not a readable PNG");
            images.add(img);
        }
        BufferedImage first = images.get(0);
        double f = (double) side / Math.max(first.getWidth(), first.getHeight());
        int w = Math.max(1, (int) Math.round(first.getWidth() * f)), h = Math.max(1, (int) Math.round(first.getHeight() * f));
        int barHeight = Math.max(h, 60);
        int width = tiles.size() * (w + GAP) + BAR_WIDTH + BAR_LABELS, height = CAPTION + Math.max(h, barHeight) + GAP;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < images.size(); i++) {
                int x = i * (w + GAP);
                BufferedImage img = images.get(i);
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, f >= 1 ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                        : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(img, x, CAPTION, w, h, null);
                g.setColor(Color.DARK_GRAY);
                g.drawString(fit(tiles.get(i).caption(), fm, w), x, CAPTION - 5);
            }
            drawBar(g, fm, tiles.size() * (w + GAP), CAPTION, barHeight, scale, colorMap);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "png", bytes);
        return bytes.toByteArray();
    }

    /** Hottest at the top; ticks at 0, the threshold (a black line across the bar) and the top. */
    private static void drawBar(Graphics2D g, FontMetrics fm, int x, int y, int height, HeatScale scale, ColorMap colorMap) {
        for (int i = 0; i < height; i++) {
            double p = 1.0 - (i + 0.5) / height;
            g.setColor(new Color(colorMap.rgb(p)));
            g.fillRect(x, y + i, BAR_WIDTH, 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, y, BAR_WIDTH - 1, height - 1);
        int lx = x + BAR_WIDTH + 4;
        g.drawString("heat", x, y - 5);
        g.drawString(String.format(Locale.ROOT, scale.hasThreshold() ? "\u2265 %.3g" : "%.3g", scale.max()), lx, y + fm.getAscent() - 2);
        g.drawString("0", lx, y + height);
        if (scale.hasThreshold()) {
            int ty = y + (int) Math.round((1 - HeatScale.THRESHOLD_POSITION) * height);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(x - 3, ty, x + BAR_WIDTH + 2, ty);
            g.drawString(String.format(Locale.ROOT, "threshold %.3g", scale.threshold()), lx, ty + fm.getAscent() / 2 - 1);
        }
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "\u2026") > width) t = t.substring(0, t.length() - 1);
        return t + "\u2026";
    }
}
