package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;

/**
 * Reads an image's format and size from its header without touching pixel data, so the pixel limit
 * can refuse a decompression bomb (a few KB claiming 50000x50000) before any allocation.
 *
 * <pre>{@code
 * ImageInfo info = ImageProbe.probe(bytes); // PNG 1920x1080
 * }</pre>
 */
public final class ImageProbe {

    static final String SUPPORTED = "JPEG, PNG, WebP (with a decoder plugin), BMP, GIF";

    private ImageProbe() {}

    /**
     * The format and stored size (before EXIF rotation) of {@code bytes}.
     *
     * @throws ProcessingException {@code UNSUPPORTED_FORMAT} when the bytes are no supported format
     *     or no decoder for it is installed; {@code IMAGE_DECODE} when the header is unreadable or
     *     gives a size that is not positive
     */
    public static ImageInfo probe(byte[] bytes) throws ProcessingException {
        ImageFormat format =
                ImageFormat.sniff(bytes)
                        .orElseThrow(
                                () ->
                                        new ProcessingException(
                                                ErrorCode.UNSUPPORTED_FORMAT,
                                                "the data is not an image in a supported format ("
                                                        + SUPPORTED
                                                        + ")"));
        if (!readers(format).hasNext()) {
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT,
                    "the image is "
                            + format
                            + " but no "
                            + format
                            + " decoder is installed (supported: "
                            + SUPPORTED
                            + ")");
        }
        return readHeader(format, bytes);
    }

    /** The installed ImageIO readers for {@code format}, best first. */
    static Iterator<ImageReader> readers(ImageFormat format) {
        return ImageIO.getImageReadersByFormatName(format.name().toLowerCase(Locale.ROOT));
    }

    /** The header parse alone, without the decoder check (tested on its own for WebP). */
    static ImageInfo readHeader(ImageFormat format, byte[] b) throws ProcessingException {
        long[] size =
                switch (format) {
                    case JPEG -> jpegSize(b);
                    case PNG -> pngSize(b);
                    case GIF -> gifSize(b);
                    case BMP -> bmpSize(b);
                    case WEBP -> webpSize(b);
                };
        long width = size[0];
        long height = size[1];
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ProcessingException(
                    ErrorCode.IMAGE_DECODE,
                    String.format(
                            Locale.ROOT,
                            "the %s header gives an invalid size %dx%d",
                            format,
                            width,
                            height));
        }
        int[] layout =
                switch (format) {
                    case JPEG -> jpegLayout(b);
                    case PNG -> pngLayout(b);
                    case GIF -> new int[] {8, 1, 0}; // palette indices; interlace costs nothing
                    case BMP -> bmpLayout(b);
                    case WEBP -> new int[] {0, 0, 0}; // up to the plugin
                };
        return new ImageInfo(
                format, (int) width, (int) height, layout[0], layout[1], layout[2] == 1);
    }

    /** {bits per sample, samples per pixel, interlaced}; zeros where the header does not say. */
    private static int[] jpegLayout(byte[] b) throws ProcessingException {
        JpegHeader header = JpegHeader.parse(b);
        return new int[] {header.precision(), header.components(), header.progressive() ? 1 : 0};
    }

    private static int[] pngLayout(byte[] b) {
        if (b.length < 29) {
            return new int[3];
        }
        int depth = b[24] & 0xFF;
        int colourType = b[25] & 0xFF;
        int interlace = b[28] & 0xFF;
        if (colourType > 6 || colourType == 1 || colourType == 5 || depth == 0 || depth > 16) {
            return new int[3];
        }
        return new int[] {depth, PngChunks.samples(colourType), interlace == 1 ? 1 : 0};
    }

    /**
     * 24 and 32 bits are bytes per channel; 16-bit pixels are packed; fewer are palette indices.
     */
    private static int[] bmpLayout(byte[] b) {
        int at = (s32le(b, 14) & 0xFFFFFFFFL) == 12 ? 24 : 28;
        if (b.length < at + 2) {
            return new int[3];
        }
        int bits = u16le(b, at);
        return switch (bits) {
            case 24 -> new int[] {8, 3, 0};
            case 32 -> new int[] {8, 4, 0};
            case 1, 2, 4, 8, 16 -> new int[] {bits, 1, 0};
            default -> new int[3];
        };
    }

    private static long[] jpegSize(byte[] b) throws ProcessingException {
        JpegHeader header = JpegHeader.parse(b);
        return new long[] {header.width(), header.height()};
    }

    /** IHDR must be the first chunk: signature (8), length (4), "IHDR" (4), width, height. */
    private static long[] pngSize(byte[] b) throws ProcessingException {
        require(b, 24, ImageFormat.PNG);
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw headerError(ImageFormat.PNG, "its first chunk is not IHDR");
        }
        return new long[] {s32be(b, 16), s32be(b, 20)};
    }

    /**
     * The logical screen, widened to the first frame when that frame reaches beyond it (browsers
     * grow the canvas then, and the decoder must count those pixels against the limit too).
     */
    private static long[] gifSize(byte[] b) throws ProcessingException {
        require(b, 10, ImageFormat.GIF);
        long width = u16le(b, 6);
        long height = u16le(b, 8);
        int[] frame = firstGifFrame(b);
        if (frame != null) {
            width = Math.max(width, frame[0] + frame[2]);
            height = Math.max(height, frame[1] + frame[3]);
        }
        return new long[] {width, height};
    }

    /**
     * The first image descriptor's left, top, width and height, or null when the data ends before
     * it (a header-only file is still measured by its logical screen).
     */
    static int[] firstGifFrame(byte[] b) {
        if (b.length < 13) {
            return null;
        }
        int pos = 13;
        int flags = b[10] & 0xFF;
        if ((flags & 0x80) != 0) {
            pos += 3 << ((flags & 0x07) + 1); // global colour table
        }
        while (pos < b.length) {
            int block = b[pos] & 0xFF;
            if (block == 0x2C) { // image descriptor
                if (pos + 9 > b.length) {
                    return null;
                }
                return new int[] {
                    u16le(b, pos + 1), u16le(b, pos + 3), u16le(b, pos + 5), u16le(b, pos + 7)
                };
            }
            if (block != 0x21 || pos + 2 >= b.length) { // only extensions may come first
                return null;
            }
            pos += 2; // introducer and label, then data sub-blocks up to a zero length
            while (pos < b.length && b[pos] != 0) {
                pos += (b[pos] & 0xFF) + 1;
            }
            pos++;
        }
        return null;
    }

    /**
     * BITMAPCOREHEADER (12 bytes) stores unsigned 16-bit sizes; every later header signed 32-bit,
     * where a negative height means rows are stored top-down.
     */
    private static long[] bmpSize(byte[] b) throws ProcessingException {
        require(b, 26, ImageFormat.BMP);
        long headerSize = s32le(b, 14) & 0xFFFFFFFFL;
        if (headerSize == 12) {
            return new long[] {u16le(b, 18), u16le(b, 20)};
        }
        if (headerSize < 16) {
            throw headerError(ImageFormat.BMP, "its DIB header size " + headerSize + " is unknown");
        }
        return new long[] {s32le(b, 18), Math.abs((long) s32le(b, 22))};
    }

    /** Simple lossy (VP8), lossless (VP8L) and extended (VP8X) files keep their size in place. */
    private static long[] webpSize(byte[] b) throws ProcessingException {
        require(b, 30, ImageFormat.WEBP);
        String chunk = new String(b, 12, 4, StandardCharsets.US_ASCII);
        switch (chunk) {
            case "VP8 ":
                if ((b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
                    throw headerError(ImageFormat.WEBP, "its VP8 frame has no start code");
                }
                return new long[] {u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF};
            case "VP8L":
                if ((b[20] & 0xFF) != 0x2F) {
                    throw headerError(ImageFormat.WEBP, "its VP8L stream has no signature");
                }
                long bits = s32le(b, 21) & 0xFFFFFFFFL;
                return new long[] {(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
            case "VP8X":
                return new long[] {u24le(b, 24) + 1L, u24le(b, 27) + 1L};
            default:
                throw headerError(
                        ImageFormat.WEBP, "its first chunk is neither VP8, VP8L nor VP8X");
        }
    }

    private static void require(byte[] b, int length, ImageFormat format)
            throws ProcessingException {
        if (b.length < length) {
            throw headerError(format, "the data ends inside the header (" + b.length + " bytes)");
        }
    }

    private static ProcessingException headerError(ImageFormat format, String why) {
        return new ProcessingException(
                ErrorCode.IMAGE_DECODE, "cannot read the " + format + " header: " + why);
    }

    private static int u16le(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    private static int u24le(byte[] b, int i) {
        return u16le(b, i) | ((b[i + 2] & 0xFF) << 16);
    }

    private static int s32le(byte[] b, int i) {
        return u16le(b, i) | (u16le(b, i + 2) << 16);
    }

    private static int s32be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24)
                | ((b[i + 1] & 0xFF) << 16)
                | ((b[i + 2] & 0xFF) << 8)
                | (b[i + 3] & 0xFF);
    }
}
