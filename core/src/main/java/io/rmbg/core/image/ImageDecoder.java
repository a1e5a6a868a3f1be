package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;

/**
 * Decodes JPEG, PNG, BMP, GIF (first frame) and, with a plugin, WebP into a {@link RasterImage},
 * refusing images over a pixel limit before decoding them. JPEG EXIF orientation is applied.
 *
 * <p>Memory stays bounded by the pixel limit, not by what a file declares: sizes inside the file
 * (PNG chunks, BMP header fields, JPEG APPn segments, GIF extensions, compressed metadata) are
 * checked against it before a JDK reader allocates from them, and 16-bit PNGs stream into 8-bit
 * ARGB without a 16-bit copy. {@link DecodeCost#peakBytes} estimates the peak from the header.
 * Stateless apart from the limit, so one instance may serve many threads.
 *
 * <p>8-bit greyscale and YCbCr JPEGs go through libjpeg-turbo where the machine has it ({@link
 * TurboJpeg}; same pixels, half the CPU, straight into ARGB); everything else, and any JPEG the
 * native decoder refuses or warns about, goes through ImageIO.
 *
 * <pre>{@code
 * RasterImage image = new ImageDecoder(50_000_000L).decode(bytes);
 * }</pre>
 */
public final class ImageDecoder {

    static {
        // A TaskManager must not spill image streams to java.io.tmpdir: memory only.
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;
    private final Optional<TurboJpeg> turbo;

    /**
     * Decodes JPEGs with libjpeg-turbo where the machine has it (see {@link #jpegDecoder()}), with
     * ImageIO otherwise.
     *
     * @param maxPixels the largest width * height accepted (as stored, before EXIF rotation)
     */
    public ImageDecoder(long maxPixels) {
        this(maxPixels, TurboJpeg.instance());
    }

    private ImageDecoder(long maxPixels, Optional<TurboJpeg> turbo) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
        this.maxPixels = maxPixels;
        this.turbo = turbo;
    }

    /** A decoder that always uses ImageIO: the fallback, for tests and the benchmark's old path. */
    public static ImageDecoder imageIoOnly(long maxPixels) {
        return new ImageDecoder(maxPixels, Optional.empty());
    }

    /** Which JPEG decoder this instance uses: "libjpeg-turbo (…)" or "ImageIO (why)". */
    public String jpegDecoder() {
        return turbo.isPresent() ? TurboJpeg.describe() : "ImageIO";
    }

    /**
     * @throws ProcessingException {@code UNSUPPORTED_FORMAT} for data no installed decoder reads,
     *     {@code IMAGE_TOO_LARGE} over the pixel limit, {@code IMAGE_DECODE} for corrupt or
     *     truncated data
     */
    public RasterImage decode(byte[] bytes) throws ProcessingException {
        ImageInfo info = ImageProbe.probe(bytes);
        checkLimit(info.width(), info.height());
        ImageFormat format = info.format();
        // The JDK readers trust sizes inside the file; check them against it before any reader
        // allocates from them.
        PngChunks png = null;
        JpegHeader jpeg = null;
        switch (format) {
            case PNG -> png = PngChunks.walk(bytes);
            case JPEG -> jpeg = checkedJpegHeader(bytes);
            case BMP -> BmpStructure.check(bytes);
            case GIF -> GifStructure.check(bytes);
            case WEBP -> {}
        }
        if (png != null && Png16Decoder.accepts(png)) {
            try {
                return Png16Decoder.decode(bytes, png);
            } catch (RuntimeException e) {
                throw decodeError(format, e);
            }
        }
        if (jpeg != null
                && turbo.isPresent()
                && jpeg.precision() == 8
                && (jpeg.components() == 1 || jpeg.components() == 3)) {
            try {
                int[] argb = turbo.get().decode(bytes, info.width(), info.height());
                RasterImage raster = new RasterImage(info.width(), info.height(), argb, false);
                return ExifOrientation.apply(raster, jpeg.orientation());
            } catch (Exception e) {
                // Warnings too (truncated data): ImageIO decodes it again, decides and reports.
            }
        }
        Iterator<ImageReader> readers = ImageProbe.readers(format);
        if (!readers.hasNext()) { // uninstalled since the probe: unlikely, but not a crash
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT, "no " + format + " decoder is installed");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in =
                new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            // Metadata is never needed (the GIF frame offset comes from our own header parse);
            // skipping it keeps readers from inflating or collecting it.
            reader.setInput(in, true, true);
            TruncationListener truncation = new TruncationListener();
            reader.addIIOReadWarningListener(truncation);
            // Readers may see a bigger frame than the header parse did (GIF): check theirs too.
            checkLimit(reader.getWidth(0), reader.getHeight(0));
            BufferedImage image = reader.read(0);
            if (truncation.warning != null) {
                throw new ProcessingException(
                        ErrorCode.IMAGE_DECODE,
                        "the "
                                + format
                                + " data ends early (truncated file?): "
                                + truncation.warning);
            }
            RasterImage raster = RasterConverter.toRaster(image);
            if (format == ImageFormat.GIF) {
                return onGifCanvas(raster, ImageProbe.firstGifFrame(bytes), info);
            }
            if (jpeg != null) {
                return ExifOrientation.apply(raster, jpeg.orientation());
            }
            return raster;
        } catch (IOException | RuntimeException e) {
            // Readers throw IndexOutOfBounds, NegativeArraySize and worse on corrupt data.
            throw decodeError(format, e);
        } finally {
            reader.dispose();
        }
    }

    private static ProcessingException decodeError(ImageFormat format, Exception e) {
        return new ProcessingException(
                ErrorCode.IMAGE_DECODE,
                "the " + format + " data is corrupt or truncated (" + describe(e) + ")",
                e);
    }

    /** The JDK reader assembles an ICC profile from every APP2 segment: bound them all first. */
    private static JpegHeader checkedJpegHeader(byte[] bytes) throws ProcessingException {
        JpegHeader header = JpegHeader.parse(bytes);
        if (header.metadataBytes() > JpegHeader.MAX_METADATA_BYTES) {
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT,
                    String.format(
                            Locale.ROOT,
                            "the JPEG carries %.1f MiB of metadata (APPn/COM segments: EXIF, ICC,"
                                    + " XMP), over the %d MiB limit; re-save it without metadata"
                                    + " (e.g. exiftool -all=) and retry",
                            header.metadataBytes() / 1048576.0,
                            JpegHeader.MAX_METADATA_BYTES >> 20));
        }
        return header;
    }

    private void checkLimit(long width, long height) throws ProcessingException {
        long pixels = width * height;
        if (pixels > maxPixels) {
            throw new ProcessingException(
                    ErrorCode.IMAGE_TOO_LARGE,
                    String.format(
                            Locale.ROOT,
                            "image is %dx%d = %.1f MP, the limit is %.1f MP; resize it or raise"
                                    + " image.max-pixels",
                            width,
                            height,
                            pixels / 1e6,
                            maxPixels / 1e6));
        }
    }

    /** Reader messages are terse ("Error reading PNG image data"): append the causes'. */
    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(text(e));
        Throwable c = e.getCause();
        for (int depth = 0; c != null && depth < 4; depth++, c = c.getCause()) {
            s.append(": ").append(text(c));
        }
        return s.toString();
    }

    private static String text(Throwable e) {
        String name = e.getClass().getSimpleName();
        if (e.getMessage() == null) {
            return name;
        }
        return e instanceof IIOException ? e.getMessage() : name + " " + e.getMessage();
    }

    /**
     * A GIF's first frame may be smaller than its logical screen and sit at an offset: place it on
     * a transparent canvas of the probed size, as a browser shows it.
     *
     * @param descriptor the first frame's left, top, width and height, or null
     */
    private static RasterImage onGifCanvas(RasterImage frame, int[] descriptor, ImageInfo info) {
        if (frame.width() == info.width() && frame.height() == info.height()) {
            return frame;
        }
        int left = descriptor == null ? 0 : descriptor[0];
        int top = descriptor == null ? 0 : descriptor[1];
        int w = info.width();
        int h = info.height();
        int[] canvas = new int[w * h];
        int copyW = Math.min(frame.width(), w - left);
        for (int y = 0; y < frame.height() && top + y < h && copyW > 0; y++) {
            System.arraycopy(frame.argb(), y * frame.width(), canvas, (top + y) * w + left, copyW);
        }
        return new RasterImage(w, h, canvas, true);
    }

    /**
     * libjpeg only warns at a premature end and fills the rest with grey; a half-grey photo would
     * then get a confident but wrong mask, so it is treated as a decode failure.
     */
    private static final class TruncationListener implements IIOReadWarningListener {
        private String warning;

        @Override
        public void warningOccurred(ImageReader source, String message) {
            // libjpeg: "Premature end of JPEG file", "Corrupt JPEG data: premature end of data
            // segment" (the source hit the end of the bytes mid-scan).
            if (warning == null
                    && message != null
                    && message.toLowerCase(Locale.ROOT).contains("premature end")) {
                warning = message;
            }
        }
    }
}
