package io.rmbg.bench;

import javax.imageio.ImageIO;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Plain Java2D charts for the benchmark's figures: no plotting dependency. */
final class Plots {
    private static final int W = 900;
    private static final int H = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] SERIES = {
        new Color(0xB0, 0x3A, 0x2E), new Color(0x2E, 0x6F, 0xB0), new Color(0x3A, 0x9A, 0x4A)
    };

    private Plots() {}

    /** One group of bars per label, one bar per series, the value printed above each bar. */
    static void groupedBars(
            String title,
            List<String> labels,
            List<String> series,
            List<double[]> values,
            Path file)
            throws IOException {
        double max = 0;
        for (double[] v : values) {
            for (double d : v) {
                max = Math.max(max, d);
            }
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title);
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        axes(g, max, plotH);
        int group = plotW / labels.size();
        int bar = Math.max(4, (group - 16) / series.size());
        for (int i = 0; i < labels.size(); i++) {
            int gx = LEFT + i * group + 8;
            for (int s = 0; s < series.size(); s++) {
                double v = values.get(s)[i];
                int h = (int) Math.round(v / max * plotH);
                int x = gx + s * bar;
                g.setColor(SERIES[s % SERIES.length]);
                g.fillRect(x, TOP + plotH - h, bar - 2, h);
                g.setColor(Color.DARK_GRAY);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                g.drawString(String.format(Locale.ROOT, "%.1f", v), x, TOP + plotH - h - 3);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(labels.get(i), gx, TOP + plotH + 16);
        }
        legend(g, series);
        write(img, g, file);
    }

    /** One line per series over shared x values (e.g. images per second per batch size). */
    static void lines(
            String title,
            String xLabel,
            double[] xs,
            List<String> series,
            List<double[]> values,
            Path file)
            throws IOException {
        double max = 0;
        for (double[] v : values) {
            for (double d : v) {
                max = Math.max(max, d);
            }
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title);
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        axes(g, max, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < xs.length; i++) {
            g.setColor(Color.DARK_GRAY);
            g.drawString(fmt(xs[i]), xAt(i, xs.length, plotW), TOP + plotH + 16);
        }
        g.drawString(xLabel, LEFT + plotW / 2 - 30, TOP + plotH + 36);
        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.size(); s++) {
            double[] v = values.get(s);
            g.setColor(SERIES[s % SERIES.length]);
            for (int i = 0; i < v.length; i++) {
                int x = xAt(i, xs.length, plotW);
                int y = TOP + plotH - (int) Math.round(v[i] / max * plotH);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (i > 0) {
                    g.drawLine(
                            xAt(i - 1, xs.length, plotW),
                            TOP + plotH - (int) Math.round(v[i - 1] / max * plotH),
                            x,
                            y);
                }
            }
        }
        legend(g, series);
        write(img, g, file);
    }

    private static int xAt(int i, int n, int plotW) {
        return LEFT + 20 + (n == 1 ? 0 : i * (plotW - 40) / (n - 1));
    }

    private static Graphics2D canvas(BufferedImage img, String title) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 28);
        return g;
    }

    private static void axes(Graphics2D g, double max, int plotH) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int t = 0; t <= 4; t++) {
            int y = TOP + plotH - t * plotH / 4;
            g.setColor(new Color(0xE0, 0xE0, 0xE0));
            g.drawLine(LEFT, y, W - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(fmt(max * t / 4), 8, y + 4);
        }
        g.drawLine(LEFT, TOP, LEFT, TOP + plotH);
    }

    private static void legend(Graphics2D g, List<String> series) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int s = 0; s < series.size(); s++) {
            int x = LEFT + 12; // top left: the totals, the tallest bars, stand at the right
            int y = TOP + 4 + s * 18;
            g.setColor(SERIES[s % SERIES.length]);
            g.fillRect(x, y, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s), x + 18, y + 11);
        }
    }

    private static void write(BufferedImage img, Graphics2D g, Path file) throws IOException {
        g.dispose();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6
                ? String.valueOf((long) v)
                : String.format(Locale.ROOT, "%.1f", v);
    }
}
