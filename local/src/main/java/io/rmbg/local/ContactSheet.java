package io.rmbg.local;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One PNG that shows each original beside its cut-out on a checkerboard, a row per photo, so the
 * demo's result can be judged at a glance. Every image is scaled to fit a {@value #CELL}² cell
 * (aspect kept, centred): a sheet of {@code n} rows is {@link #width()} x {@link #height(int)}.
 */
public final class ContactSheet {
    static final int CELL = 240;
    static final int GAP = 8;
    private static final int SQUARE = 12;
    private static final Color LIGHT = new Color(0xEEEEEE);
    private static final Color DARK = new Color(0xBBBBBB);

    /** One row: the original's bytes (any format ImageIO reads) and the cut-out PNG (RGBA). */
    public record Row(byte[] original, byte[] cutOut) {}

    private ContactSheet() {}

    public static int width() {
        return 2 * CELL + 3 * GAP;
    }

    public static int height(int rows) {
        return rows * (CELL + GAP) + GAP;
    }

    /** Renders {@code rows} and writes the sheet as PNG to {@code file}. */
    public static Path write(List<Row> rows, Path file) throws IOException {
        BufferedImage sheet = render(rows);
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(sheet, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
        return file;
    }

    public static BufferedImage render(List<Row> rows) throws IOException {
        BufferedImage sheet =
                new BufferedImage(width(), height(rows.size()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        int y = GAP;
        for (Row row : rows) {
            BufferedImage original = read(row.original());
            BufferedImage cutOut = read(row.cutOut());
            draw(g, original, GAP, y, false);
            draw(g, cutOut, 2 * GAP + CELL, y, true);
            y += CELL + GAP;
        }
        g.dispose();
        return sheet;
    }

    private static void draw(
            Graphics2D g, BufferedImage img, int cellX, int cellY, boolean checkerboard) {
        double scale = Math.min((double) CELL / img.getWidth(), (double) CELL / img.getHeight());
        int w = Math.max(1, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(img.getHeight() * scale));
        int x = cellX + (CELL - w) / 2;
        int y = cellY + (CELL - h) / 2;
        if (checkerboard) {
            for (int sy = 0; sy < h; sy += SQUARE) {
                for (int sx = 0; sx < w; sx += SQUARE) {
                    g.setColor(((sx / SQUARE + sy / SQUARE) & 1) == 0 ? LIGHT : DARK);
                    g.fillRect(x + sx, y + sy, Math.min(SQUARE, w - sx), Math.min(SQUARE, h - sy));
                }
            }
        }
        g.drawImage(img, x, y, w, h, null);
    }

    private static BufferedImage read(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        if (img == null) {
            throw new IOException("not an image ImageIO can read");
        }
        return img;
    }
}
