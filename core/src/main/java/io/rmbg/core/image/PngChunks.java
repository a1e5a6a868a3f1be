package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.Arrays;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A PNG's chunk structure, walked before any decoder sees the bytes. The JDK reader trusts chunk
 * lengths and inflates an iCCP profile into memory without a bound (a 1 KB chunk can claim 1 GB),
 * so every chunk must fit in the file and compressed metadata must inflate to a small total.
 *
 * @param firstIdat offset of the first IDAT chunk (its length field)
 * @param transparency the tRNS chunk's data, or null when there is none
 */
record PngChunks(
        int width,
        int height,
        int bitDepth,
        int colourType,
        boolean interlaced,
        int firstIdat,
        byte[] transparency) {

    /** Inflated iCCP, zTXt and compressed iTXt together; real profiles and text stay far below. */
    static final long MAX_INFLATED_METADATA = 8L << 20;

    /** Chunks other than IDAT; the JDK keeps an object per unknown chunk when reading metadata. */
    static final int MAX_CHUNKS = 65_536;

    static final int SIGNATURE = 8;

    private static final int MAX_TRANSPARENCY = 256;

    /**
     * @throws ProcessingException {@code IMAGE_DECODE} for a chunk that does not fit in the data or
     *     a malformed header, {@code UNSUPPORTED_FORMAT} for compressed metadata over the limit
     */
    static PngChunks walk(byte[] b) throws ProcessingException {
        if (b.length < SIGNATURE + 12 + 13
                || !"IHDR".equals(type(b, SIGNATURE + 4))
                || s32be(b, SIGNATURE) != 13) {
            throw corrupt("its first chunk is not a complete IHDR");
        }
        int ihdr = SIGNATURE + 8;
        int width = s32be(b, ihdr);
        int height = s32be(b, ihdr + 4);
        int bitDepth = b[ihdr + 8] & 0xFF;
        int colourType = b[ihdr + 9] & 0xFF;
        int interlace = b[ihdr + 12] & 0xFF;
        if (!validDepth(colourType, bitDepth) || interlace > 1) {
            throw corrupt(
                    "its header gives colour type "
                            + colourType
                            + ", bit depth "
                            + bitDepth
                            + " and interlace method "
                            + interlace
                            + ", which PNG does not define");
        }
        int firstIdat = -1;
        byte[] transparency = null;
        long inflated = 0;
        int chunks = 0;
        int pos = SIGNATURE;
        while (true) {
            if (pos == b.length && firstIdat >= 0) {
                break; // no IEND: tolerated, as browsers do; the image data is complete
            }
            if (pos + 8 > b.length) {
                throw corrupt("the data ends inside a chunk header (truncated file?)");
            }
            int length = s32be(b, pos);
            String type = type(b, pos + 4);
            if (type == null) {
                throw corrupt("a chunk at byte " + pos + " has no valid type");
            }
            if ("IEND".equals(type)) {
                break; // some writers omit IEND's CRC; nothing after it is read
            }
            if (length < 0 || (long) pos + 12 + length > b.length) {
                throw corrupt(
                        String.format(
                                Locale.ROOT,
                                "its %s chunk declares %d bytes but only %d remain (truncated"
                                        + " file?)",
                                type,
                                length & 0xFFFFFFFFL,
                                Math.max(0, b.length - pos - 12)));
            }
            int data = pos + 8;
            if ("IDAT".equals(type)) {
                if (firstIdat < 0) {
                    firstIdat = pos;
                }
            } else {
                if (++chunks > MAX_CHUNKS) {
                    throw new ProcessingException(
                            ErrorCode.UNSUPPORTED_FORMAT,
                            "the PNG has over "
                                    + MAX_CHUNKS
                                    + " chunks besides its image data; re-save it without"
                                    + " metadata");
                }
                switch (type) {
                    case "tRNS" -> {
                        if (length <= MAX_TRANSPARENCY) {
                            transparency = Arrays.copyOfRange(b, data, data + length);
                        }
                    }
                    case "iCCP", "zTXt", "iTXt" -> {
                        int stream = compressedStart(type, b, data, data + length);
                        if (stream >= 0) {
                            inflated +=
                                    inflatedSize(
                                            b,
                                            stream,
                                            data + length - stream,
                                            MAX_INFLATED_METADATA - inflated + 1);
                            if (inflated > MAX_INFLATED_METADATA) {
                                throw new ProcessingException(
                                        ErrorCode.UNSUPPORTED_FORMAT,
                                        "the PNG's compressed metadata (iCCP, zTXt, iTXt chunks)"
                                                + " inflates to over "
                                                + (MAX_INFLATED_METADATA >> 20)
                                                + " MiB; re-save it without metadata (e.g."
                                                + " oxipng --strip all) and retry");
                            }
                        }
                    }
                    default -> {}
                }
            }
            pos = data + length + 4;
        }
        if (firstIdat < 0) {
            throw corrupt("it has no image data (IDAT chunk)");
        }
        return new PngChunks(
                width, height, bitDepth, colourType, interlace == 1, firstIdat, transparency);
    }

    /** Samples per pixel of a colour type: grey, -, RGB, palette, grey+alpha, -, RGBA. */
    static int samples(int colourType) {
        return switch (colourType) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw new IllegalArgumentException("colour type " + colourType);
        };
    }

    private static boolean validDepth(int colourType, int depth) {
        return switch (colourType) {
            case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            case 2, 4, 6 -> depth == 8 || depth == 16;
            default -> false;
        };
    }

    /**
     * Where the deflate stream of a metadata chunk starts, or -1 when it holds none. iCCP and zTXt:
     * keyword, NUL, method. iTXt: keyword, NUL, compression flag, method, language, NUL, translated
     * keyword, NUL; compressed only when the flag is 1.
     */
    private static int compressedStart(String type, byte[] b, int from, int end) {
        int nul = indexOfNul(b, from, end);
        if (nul < 0) {
            return -1;
        }
        if (!"iTXt".equals(type)) {
            return nul + 2 <= end ? nul + 2 : -1;
        }
        if (nul + 3 > end || b[nul + 1] != 1) {
            return -1;
        }
        int language = indexOfNul(b, nul + 3, end);
        int translated = language < 0 ? -1 : indexOfNul(b, language + 1, end);
        return translated < 0 ? -1 : translated + 1;
    }

    private static int indexOfNul(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Bytes the zlib stream at {@code b[off, off+len)} inflates to, counted up to {@code cap} (so a
     * bomb costs at most cap bytes of inflation work and a small scratch buffer). Corrupt streams
     * count what inflated before the error: the decoders skip or reject them on their own.
     */
    static long inflatedSize(byte[] b, int off, int len, long cap) {
        Inflater inflater = new Inflater();
        long total = 0;
        try {
            inflater.setInput(b, off, len);
            byte[] scratch = new byte[64 * 1024];
            while (total < cap && !inflater.finished()) {
                int n = inflater.inflate(scratch);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                total += n;
            }
            return total;
        } catch (DataFormatException e) {
            return total;
        } finally {
            inflater.end();
        }
    }

    /** A chunk type: four ASCII letters, or null. */
    static String type(byte[] b, int at) {
        if (at + 4 > b.length) {
            return null;
        }
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int v = b[at + i] & 0xFF;
            if (!((v >= 'A' && v <= 'Z') || (v >= 'a' && v <= 'z'))) {
                return null;
            }
            c[i] = (char) v;
        }
        return new String(c);
    }

    static int s32be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24)
                | ((b[i + 1] & 0xFF) << 16)
                | ((b[i + 2] & 0xFF) << 8)
                | (b[i + 3] & 0xFF);
    }

    private static ProcessingException corrupt(String why) {
        return new ProcessingException(ErrorCode.IMAGE_DECODE, "the PNG data is corrupt: " + why);
    }
}
