package io.rmbg.core.image;

/**
 * What an image's header says: its format, its stored size in pixels (before any EXIF rotation) and
 * how its samples are stored. Read by {@link ImageProbe} without decoding pixels, so it is cheap
 * even for huge images.
 *
 * @param bitsPerSample bits of one stored sample: 8 or 16 for PNG (1, 2 or 4 for low-depth grey and
 *     palette PNG), the JPEG precision, the BMP bit count for packed (16-bit) and palette pixels; 0
 *     when the header did not say (then {@link DecodeCost} assumes the worst)
 * @param samplesPerPixel stored samples per pixel: colour components plus alpha, 1 for palette
 *     images; 0 when unknown
 * @param interlaced an interlaced PNG or GIF, or a progressive JPEG: decoders then need a whole
 *     extra buffer (JPEG) or take the slower path (16-bit PNG)
 */
public record ImageInfo(
        ImageFormat format,
        int width,
        int height,
        int bitsPerSample,
        int samplesPerPixel,
        boolean interlaced) {

    /** Format and size only: the layout is unknown, and estimates assume the costliest one. */
    public ImageInfo(ImageFormat format, int width, int height) {
        this(format, width, height, 0, 0, false);
    }

    public long pixels() {
        return (long) width * height;
    }

    /** Whether the header gave the sample layout ({@link #bitsPerSample} and samples per pixel). */
    public boolean layoutKnown() {
        return bitsPerSample > 0 && samplesPerPixel > 0;
    }
}
