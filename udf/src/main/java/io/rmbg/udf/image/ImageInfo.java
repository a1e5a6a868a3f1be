package io.rmbg.udf.image;

/**
 * What an image's header says: its format and its stored size in pixels (before any EXIF rotation).
 * Read by {@link ImageProbe} without decoding pixels, so it is cheap even for huge images.
 */
public record ImageInfo(ImageFormat format, int width, int height) {
    public long pixels() {
        return (long) width * height;
    }
}
