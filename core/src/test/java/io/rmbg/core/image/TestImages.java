package io.rmbg.core.image;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Builds test images in code: encoded with ImageIO, or hand-made headers for malformed cases. */
final class TestImages {

    static final int RED = 0xFFFF0000;
    static final int GREEN = 0xFF00FF00;
    static final int BLUE = 0xFF0000FF;
    static final int WHITE = 0xFFFFFFFF;

    /** A PNG palette: opaque colours plus one half-transparent entry (PNG's tRNS allows it). */
    static final int[] PALETTE = {0xFF000000, 0xFFFF0000, 0xFF00FF00, 0x800000FF};

    /** A GIF palette: GIF knows only opaque entries and one fully transparent index. */
    static final int[] GIF_PALETTE = {0xFF000000, 0xFFFF0000, 0xFF00FF00, 0x000000FF};

    private TestImages() {}

    /** Top-left red, top-right green, bottom-left blue, bottom-right white. */
    static BufferedImage quadrants(int width, int height, int type) {
        BufferedImage img = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, quadrantColour(x, y, width, height));
            }
        }
        return img;
    }

    static int quadrantColour(int x, int y, int width, int height) {
        boolean left = x < width / 2;
        boolean top = y < height / 2;
        return top ? (left ? RED : GREEN) : (left ? BLUE : WHITE);
    }

    /** Encodes with the JDK writer for {@code format} ("png", "gif", "bmp"). */
    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException(
                        "no " + format + " writer for type " + img.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Baseline JPEG at quality 1.0 (JFIF APP0 first), so colours stay within a few levels. */
    static byte[] jpeg(BufferedImage img) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1.0f);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * A non-interlaced GIF of an indexed {@code frame} placed at {@code frameLeft, frameTop} on a
     * logical screen of {@code screenWidth x screenHeight}, as animation tools do. Palette entries
     * with alpha 0 become the transparent index. (ImageIO.write is avoided: the JDK writer
     * scrambles rows of interlaced images under 8 rows high.)
     */
    static byte[] gif(
            BufferedImage frame, int screenWidth, int screenHeight, int frameLeft, int frameTop) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
            IIOMetadata streamMetadata = writer.getDefaultStreamMetadata(param);
            String streamFormat = "javax_imageio_gif_stream_1.0";
            IIOMetadataNode screen = new IIOMetadataNode("LogicalScreenDescriptor");
            screen.setAttribute("logicalScreenWidth", Integer.toString(screenWidth));
            screen.setAttribute("logicalScreenHeight", Integer.toString(screenHeight));
            screen.setAttribute("colorResolution", "8");
            screen.setAttribute("pixelAspectRatio", "0");
            IIOMetadataNode streamRoot = new IIOMetadataNode(streamFormat);
            streamRoot.appendChild(screen);
            streamMetadata.mergeTree(streamFormat, streamRoot);

            IIOMetadata imageMetadata =
                    writer.getDefaultImageMetadata(
                            ImageTypeSpecifier.createFromRenderedImage(frame), param);
            String imageFormat = "javax_imageio_gif_image_1.0";
            IIOMetadataNode descriptor = new IIOMetadataNode("ImageDescriptor");
            descriptor.setAttribute("imageLeftPosition", Integer.toString(frameLeft));
            descriptor.setAttribute("imageTopPosition", Integer.toString(frameTop));
            descriptor.setAttribute("imageWidth", Integer.toString(frame.getWidth()));
            descriptor.setAttribute("imageHeight", Integer.toString(frame.getHeight()));
            descriptor.setAttribute("interlaceFlag", "FALSE");
            IIOMetadataNode imageRoot = new IIOMetadataNode(imageFormat);
            imageRoot.appendChild(descriptor);
            addPalette(imageRoot, (IndexColorModel) frame.getColorModel());
            imageMetadata.mergeTree(imageFormat, imageRoot);

            writer.write(streamMetadata, new IIOImage(frame, null, imageMetadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The frame's own colour table and transparent index; the writer's default is a fixed one. */
    private static void addPalette(IIOMetadataNode imageRoot, IndexColorModel cm) {
        IIOMetadataNode table = new IIOMetadataNode("LocalColorTable");
        table.setAttribute("sizeOfLocalColorTable", Integer.toString(cm.getMapSize()));
        table.setAttribute("sortFlag", "FALSE");
        int transparent = -1;
        for (int i = 0; i < cm.getMapSize(); i++) {
            IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
            entry.setAttribute("index", Integer.toString(i));
            entry.setAttribute("red", Integer.toString(cm.getRed(i)));
            entry.setAttribute("green", Integer.toString(cm.getGreen(i)));
            entry.setAttribute("blue", Integer.toString(cm.getBlue(i)));
            table.appendChild(entry);
            if (cm.getAlpha(i) == 0) {
                transparent = i;
            }
        }
        imageRoot.appendChild(table);
        IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", transparent >= 0 ? "TRUE" : "FALSE");
        control.setAttribute("delayTime", "0");
        control.setAttribute("transparentColorIndex", Integer.toString(Math.max(transparent, 0)));
        imageRoot.appendChild(control);
    }

    /**
     * A four-component JPEG, as print workflows produce (the JDK writes a raw raster's four bands
     * as CMYK components).
     */
    static byte[] cmykJpeg(int width, int height) {
        WritableRaster raster =
                Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, new int[] {x * 8, y * 8, 0, 40});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Indexed image over {@code palette} (4 entries); pixel (x, y) has index (x + y) % 4. */
    static BufferedImage indexed(int width, int height, int bits, int[] palette) {
        IndexColorModel cm = indexColourModel(bits, palette);
        BufferedImage img =
                new BufferedImage(
                        width,
                        height,
                        bits == 8
                                ? BufferedImage.TYPE_BYTE_INDEXED
                                : BufferedImage.TYPE_BYTE_BINARY,
                        cm);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                r.setSample(x, y, 0, (x + y) % 4);
            }
        }
        return img;
    }

    static IndexColorModel indexColourModel(int bits, int[] palette) {
        byte[] red = new byte[4];
        byte[] green = new byte[4];
        byte[] blue = new byte[4];
        byte[] alpha = new byte[4];
        for (int i = 0; i < 4; i++) {
            alpha[i] = (byte) (palette[i] >>> 24);
            red[i] = (byte) (palette[i] >>> 16);
            green[i] = (byte) (palette[i] >>> 8);
            blue[i] = (byte) palette[i];
        }
        return new IndexColorModel(bits, 4, red, green, blue, alpha);
    }

    /** A 16-bit-per-sample sRGB image (3 or 4 bands) holding {@code samples} in row-major order. */
    static BufferedImage rgb16(int width, int height, boolean alpha, int[] samples) {
        ComponentColorModel cm =
                new ComponentColorModel(
                        ColorSpace.getInstance(ColorSpace.CS_sRGB),
                        alpha,
                        false,
                        alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
                        DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(width, height);
        raster.setPixels(0, 0, width, height, samples);
        return new BufferedImage(cm, raster, false, null);
    }

    /** 8 bits to 16 as the decoder rounds back: {@code (v * 255 + 32767) / 65535}. */
    static int to8(int sample16) {
        return (sample16 * 255 + 32767) / 65535;
    }

    /**
     * A PNG whose IHDR claims {@code width x height} RGBA but whose IDAT holds 64 bytes: a
     * decompression bomb's header without the bomb.
     */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
        ihdr.put((byte) 8).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[128];
        int n = deflater.deflate(idat);
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        writeChunk(out, "IHDR", ihdr.array());
        writeChunk(out, "IDAT", Arrays.copyOf(idat, n));
        writeChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A GIF with a logical screen of {@code width x height}, no colour table and no frames. */
    static byte[] gifHeaderOnly(int width, int height) {
        return new byte[] {
            'G',
            'I',
            'F',
            '8',
            '9',
            'a',
            (byte) width,
            (byte) (width >>> 8),
            (byte) height,
            (byte) (height >>> 8),
            0,
            0,
            0, // flags, background, aspect
            0x3B // trailer
        };
    }

    /**
     * Inserts a big-endian APP1 Exif segment with one IFD0 entry, Orientation = {@code
     * orientation}, right after the JFIF APP0 segment, where cameras put theirs.
     */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8); // header, IFD0 at 8
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1); // Orientation, SHORT, count 1
        tiff.putShort((short) orientation).putShort((short) 0); // value, left-justified
        tiff.putInt(0); // no next IFD
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + exif.length + tiff.capacity();
        ByteArrayOutputStream app1 = new ByteArrayOutputStream();
        app1.writeBytes(
                new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (length >>> 8), (byte) length});
        app1.writeBytes(exif);
        app1.writeBytes(tiff.array());

        int insertAt = 2; // after SOI, or after APP0 when present
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            insertAt = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, insertAt);
        out.writeBytes(app1.toByteArray());
        out.write(jpeg, insertAt, jpeg.length - insertAt);
        return out.toByteArray();
    }
}
