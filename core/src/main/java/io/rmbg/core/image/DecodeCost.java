package io.rmbg.core.image;

/**
 * A conservative estimate of the memory one {@link ImageDecoder#decode} call needs at its peak
 * (Java heap, plus libjpeg's native coefficient buffer for progressive JPEG), from the header
 * alone, so a memory budget can admit an image before decoding it:
 *
 * <pre>{@code
 * ImageInfo info = ImageProbe.probe(bytes);
 * if (!budget.tryReserve(DecodeCost.peakBytes(info))) { ... wait or refuse ... }
 * }</pre>
 *
 * <p>It adds what may be alive at once: the reader's own raster (its bytes per pixel depend on the
 * format and layout), the packed ARGB {@code int[]} of the result (4 bytes a pixel), a second one
 * where the decoder makes a copy (EXIF rotation, a GIF frame on its canvas), libjpeg's coefficient
 * buffer for progressive JPEG, row buffers and a fixed allowance for bounded metadata (ICC
 * profiles, text; see the limits in {@link JpegHeader}, {@link PngChunks}, {@link BmpStructure},
 * {@link GifStructure}). The encoded bytes themselves are not counted: the caller holds them
 * already. When the header did not give the layout ({@link ImageInfo#layoutKnown()}), the costliest
 * layout of the format is assumed.
 */
public final class DecodeCost {

    /** Reader objects, scratch buffers and the bounded metadata a reader may hold. */
    static final long FIXED_BYTES = 24L << 20;

    private static final int ARGB = 4;

    private DecodeCost() {}

    /**
     * Peak bytes to decode an image with this header; saturates at {@link Long#MAX_VALUE}. For a 49
     * MP image: about 220 MB for a non-interlaced 16-bit PNG (streamed), 420 MB for an 8-bit RGB or
     * RGBA PNG, 565 MB for a baseline colour JPEG and 860 MB for a progressive one.
     */
    public static long peakBytes(ImageInfo info) {
        long pixels = info.pixels();
        // Two rows at the widest layout (16-bit RGBA), for the readers' and our row buffers.
        long rows = 2L * info.width() * 8 + 64;
        long bitsPerPixel =
                switch (info.format()) {
                    case PNG -> png(info);
                    case JPEG -> jpeg(info);
                    case GIF -> 8L * (1 + ARGB + ARGB); // frame indices, ARGB, canvas
                    case BMP -> bmp(info);
                    case WEBP -> 8L * (4 + ARGB + 4); // plugin raster, ARGB, plugin buffers
                };
        long totalBits = saturatedMultiply(pixels, bitsPerPixel);
        if (totalBits == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return saturatedAdd(totalBits / 8, rows + FIXED_BYTES);
    }

    /** Bits (not bytes) per pixel, so sub-byte PNG depths are counted exactly. */
    private static long png(ImageInfo info) {
        int bits = info.layoutKnown() ? info.bitsPerSample() : 16;
        int samples = info.layoutKnown() ? info.samplesPerPixel() : 4;
        if (bits == 16 && !info.interlaced() && info.layoutKnown()) {
            return 8L * ARGB; // Png16Decoder: rows only besides the result
        }
        // The JDK adds an alpha band to grey and RGB images that carry a tRNS colour.
        int bands = samples == 1 || samples == 3 ? samples + 1 : samples;
        return (long) bits * bands + 8L * ARGB;
    }

    private static long jpeg(ImageInfo info) {
        int components = info.layoutKnown() ? info.samplesPerPixel() : 4;
        boolean progressive = !info.layoutKnown() || info.interlaced();
        // libjpeg keeps one 16-bit coefficient per sample of a progressive image until the end.
        long coefficients = progressive ? 2L * components : 0;
        // Reader raster, ARGB, and the rotated copy an EXIF orientation may ask for.
        return 8L * (components + coefficients + ARGB + ARGB);
    }

    private static long bmp(ImageInfo info) {
        long raster =
                info.layoutKnown() ? info.bitsPerSample() * (long) info.samplesPerPixel() : 32;
        long bytes = Math.max(1, (raster + 7) / 8);
        // RLE images decode through a scratch byte per pixel before the raster.
        long rle = raster <= 8 ? 1 : 0;
        return 8L * (bytes + rle + ARGB);
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
