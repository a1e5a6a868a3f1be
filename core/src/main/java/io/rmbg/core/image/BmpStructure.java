package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.Locale;

/**
 * Checks the BMP header fields the JDK reader allocates from against the file's real length. The
 * reader trusts them: a 205-byte BMP declaring an embedded JPEG or PNG (compression 4 or 5) of 1.9
 * GB makes it allocate that much, and palette, RLE and colour-profile sizes come from the header
 * too. Pixel-size limits are checked elsewhere ({@link ImageDecoder}).
 */
final class BmpStructure {

    static final long MAX_PROFILE_BYTES = 4L << 20;

    private static final int FILE_HEADER = 14;
    private static final int BI_RLE8 = 1;
    private static final int BI_RLE4 = 2;
    private static final int BI_BITFIELDS = 3;
    private static final int BI_JPEG = 4;
    private static final int BI_PNG = 5;
    private static final long PROFILE_LINKED = 0x4C494E4BL; // 'LINK'
    private static final long PROFILE_EMBEDDED = 0x4D424544L; // 'MBED'

    private BmpStructure() {}

    /**
     * @throws ProcessingException {@code UNSUPPORTED_FORMAT} for embedded JPEG/PNG payloads, linked
     *     colour profiles and header versions the reader does not know; {@code IMAGE_DECODE} for a
     *     size field that reaches beyond the data
     */
    static void check(byte[] b) throws ProcessingException {
        if (b.length < FILE_HEADER + 16) {
            throw corrupt("the data ends inside the header (" + b.length + " bytes)");
        }
        long headerSize = u32le(b, 14);
        if (headerSize != 12
                && headerSize != 40
                && headerSize != 52
                && headerSize != 56
                && headerSize != 108
                && headerSize != 124) {
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT,
                    "the BMP has a DIB header of "
                            + headerSize
                            + " bytes, which the decoder does not read (12, 40, 52, 56, 108 or"
                            + " 124); re-save it as a common BMP or PNG");
        }
        long length = b.length;
        if (FILE_HEADER + headerSize > length) {
            throw corrupt("the data ends inside its " + headerSize + "-byte DIB header");
        }
        long pixelOffset = u32le(b, 10);
        // The palette is sized from the gap between header and pixels: it must lie in the file.
        if (pixelOffset < FILE_HEADER + headerSize || pixelOffset > length) {
            throw corrupt(
                    "its pixel data offset "
                            + pixelOffset
                            + " lies outside the file ("
                            + length
                            + " bytes)");
        }
        if (headerSize == 12) {
            return; // OS/2 core header: no compression, sizes or profile fields
        }
        long compression = u32le(b, 30);
        if (compression == BI_JPEG || compression == BI_PNG) {
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT,
                    "the BMP wraps an embedded "
                            + (compression == BI_JPEG ? "JPEG" : "PNG")
                            + " (compression "
                            + compression
                            + "), which is refused because its declared size cannot be trusted;"
                            + " send the embedded image itself");
        }
        if (compression > BI_BITFIELDS) {
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT,
                    "the BMP uses compression "
                            + compression
                            + ", which the decoder does not read");
        }
        long available = length - pixelOffset;
        if (compression == BI_RLE8 || compression == BI_RLE4) {
            // The reader buffers the compressed data whole: imageSize, or fileSize - offset.
            long imageSize = u32le(b, 34);
            long declared = imageSize != 0 ? imageSize : u32le(b, 2) - pixelOffset;
            if (declared < 0 || declared > available) {
                throw corrupt(
                        String.format(
                                Locale.ROOT,
                                "its compressed pixel data is declared as %d bytes but %d remain",
                                declared,
                                available));
            }
        }
        long coloursUsed = u32le(b, 46);
        if (coloursUsed * 4 > length) {
            throw corrupt(
                    "it declares " + coloursUsed + " palette colours, more than the file holds");
        }
        if (headerSize >= 108) {
            checkProfile(b, headerSize, length);
        }
    }

    /** BITMAPV4/V5 colour profiles: a linked one names a file on this machine, never read. */
    private static void checkProfile(byte[] b, long headerSize, long length)
            throws ProcessingException {
        long colourSpace = u32le(b, FILE_HEADER + 56);
        if (colourSpace == PROFILE_LINKED) {
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT,
                    "the BMP links an external colour profile, which is never read; re-save it"
                            + " without one");
        }
        if (colourSpace != PROFILE_EMBEDDED) {
            return;
        }
        if (headerSize != 124) {
            throw corrupt("it declares an embedded colour profile without a V5 header");
        }
        long offset = FILE_HEADER + (long) s32le(b, FILE_HEADER + 112);
        long size = s32le(b, FILE_HEADER + 116);
        if (size < 0 || offset < FILE_HEADER || offset + size > length) {
            throw corrupt("its embedded colour profile lies outside the file");
        }
        if (size > MAX_PROFILE_BYTES) {
            throw new ProcessingException(
                    ErrorCode.UNSUPPORTED_FORMAT,
                    "the BMP's embedded colour profile is "
                            + size
                            + " bytes, over the "
                            + (MAX_PROFILE_BYTES >> 20)
                            + " MiB limit; re-save it without the profile");
        }
    }

    private static ProcessingException corrupt(String why) {
        return new ProcessingException(ErrorCode.IMAGE_DECODE, "the BMP data is corrupt: " + why);
    }

    private static long u32le(byte[] b, int i) {
        return s32le(b, i) & 0xFFFFFFFFL;
    }

    private static int s32le(byte[] b, int i) {
        return (b[i] & 0xFF)
                | ((b[i + 1] & 0xFF) << 8)
                | ((b[i + 2] & 0xFF) << 16)
                | ((b[i + 3] & 0xFF) << 24);
    }
}
