package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

/**
 * What a JPEG's marker segments say before the entropy-coded data: the frame size and layout, the
 * EXIF orientation (which the JDK reader does not report) and how many bytes of metadata precede
 * the first scan. Nothing past the first scan header is read.
 *
 * @param orientation EXIF tag 0x0112, 1 (as stored) to 8; 1 when absent or malformed
 * @param precision bits per sample (8, or 12 for rare medical images)
 * @param components colour components: 1 grey, 3 YCbCr, 4 CMYK/YCCK
 * @param progressive SOF2/6/10/14: libjpeg then keeps every DCT coefficient of the image in memory
 * @param metadataBytes APPn and COM segments before the first scan, markers included; the JDK
 *     reader assembles an ICC profile from all APP2 segments, so this is bounded before decoding.
 *     Segments after the frame header count only when the data reaches them.
 */
record JpegHeader(
        int width,
        int height,
        int orientation,
        int precision,
        int components,
        boolean progressive,
        long metadataBytes) {

    /** APPn and COM bytes accepted before the first scan: EXIF, ICC, XMP and IPTC fit easily. */
    static final long MAX_METADATA_BYTES = 8L << 20;

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int APP0 = 0xE0;
    private static final int APP1 = 0xE1;
    private static final int APP15 = 0xEF;
    private static final int COM = 0xFE;
    private static final int TAG_ORIENTATION = 0x0112;
    private static final int TYPE_SHORT = 3;

    static JpegHeader parse(byte[] b) throws ProcessingException {
        int orientation = 1;
        boolean exifSeen = false;
        long metadata = 0;
        int[] frame = null; // height, width, precision, components, progressive
        int pos = 2; // after SOI
        while (true) {
            // Tolerate junk between segments (libjpeg does too): look for the next 0xFF.
            while (pos < b.length && (b[pos] & 0xFF) != 0xFF) {
                pos++;
            }
            // A marker may be preceded by any number of 0xFF fill bytes.
            while (pos < b.length && (b[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= b.length) {
                if (frame != null) {
                    break; // truncated after the frame header: the size is still known
                }
                throw headerError("the JPEG data ends before its frame header (truncated file?)");
            }
            int marker = b[pos] & 0xFF;
            pos++;
            if (marker == SOI || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // standalone markers carry no length
            }
            if (marker == EOI || marker == SOS) {
                if (frame != null) {
                    break;
                }
                throw headerError("the JPEG data has no frame header before its image data");
            }
            if (pos + 2 > b.length) {
                if (frame != null) {
                    break;
                }
                throw headerError("the JPEG data ends inside a segment header (truncated file?)");
            }
            int length = u16be(b, pos); // counts itself, not the marker
            if (length < 2) {
                if (frame != null) {
                    break; // the decoder reports it; the probe needs only the size
                }
                throw headerError("the JPEG data has a malformed segment length");
            }
            int dataStart = pos + 2;
            int segmentEnd = pos + length;
            if (isStartOfFrame(marker) && frame == null) {
                if (dataStart + 6 > b.length || length < 8) {
                    throw headerError("the JPEG frame header is truncated");
                }
                frame =
                        new int[] {
                            u16be(b, dataStart + 1),
                            u16be(b, dataStart + 3),
                            b[dataStart] & 0xFF,
                            b[dataStart + 5] & 0xFF,
                            isProgressive(marker) ? 1 : 0
                        };
            }
            if ((marker >= APP0 && marker <= APP15) || marker == COM) {
                metadata += 2 + length;
            }
            if (marker == APP1 && !exifSeen && segmentEnd <= b.length) {
                int found = exifOrientation(b, dataStart, segmentEnd);
                if (found != 0) {
                    orientation = found;
                    exifSeen = true;
                }
            }
            pos = segmentEnd;
        }
        return new JpegHeader(
                frame[1], frame[0], orientation, frame[2], frame[3], frame[4] == 1, metadata);
    }

    /** SOF2, SOF6, SOF10, SOF14: progressive, Huffman or arithmetic, sequential or hierarchical. */
    private static boolean isProgressive(int marker) {
        return marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0
                && marker <= 0xCF
                && marker != 0xC4
                && marker != 0xC8
                && marker != 0xCC;
    }

    /**
     * The orientation from an APP1 segment holding "Exif\0\0" and a TIFF header, 0 when the segment
     * is not Exif. Malformed Exif yields 1: a bad tag must never fail an otherwise fine image.
     */
    private static int exifOrientation(byte[] b, int start, int end) {
        if (end - start < 14
                || b[start] != 'E'
                || b[start + 1] != 'x'
                || b[start + 2] != 'i'
                || b[start + 3] != 'f'
                || b[start + 4] != 0
                || b[start + 5] != 0) {
            return 0;
        }
        int tiff = start + 6;
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            little = true;
        } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(b, tiff + 2, little) != 42) {
            return 1;
        }
        long ifd = tiff + (u32(b, tiff + 4, little) & 0xFFFFFFFFL);
        if (ifd + 2 > end) {
            return 1;
        }
        int entries = u16(b, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + i * 12;
            if (entry + 12 > end) {
                return 1;
            }
            if (u16(b, entry, little) == TAG_ORIENTATION) {
                if (u16(b, entry + 2, little) != TYPE_SHORT) {
                    return 1;
                }
                int value = u16(b, entry + 8, little); // a SHORT sits left-justified in the value
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static int u16be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) : u16be(b, i);
    }

    private static int u32(byte[] b, int i, boolean little) {
        return little
                ? u16(b, i, true) | (u16(b, i + 2, true) << 16)
                : (u16be(b, i) << 16) | u16be(b, i + 2);
    }

    private static ProcessingException headerError(String message) {
        return new ProcessingException(ErrorCode.IMAGE_DECODE, message);
    }
}
