package io.rmbg.core.image;

import java.util.Arrays;
import java.util.zip.Adler32;

/**
 * A zlib stream (RFC 1950/1951) of dynamic-Huffman blocks whose only matches are runs of one byte
 * (distance 1): zlib's {@code Z_RLE} strategy, which {@link java.util.zip.Deflater} does not offer.
 * For filtered PNG rows this is where deflate's gain lies: removed background and flat areas filter
 * to long runs of one value, photo texture to noisy residuals that string matching rarely shortens
 * but Huffman coding does. On 1080p cut-outs it took a quarter of zlib level 1's time for files
 * within a few per cent of its size. Any inflater reads the output.
 *
 * <p>Not thread-safe; one instance writes one stream: {@link #write} the input, then {@link
 * #finish}.
 */
final class RleDeflater {
    /** Input bytes per block: each block gets Huffman codes fitted to its own bytes. */
    static final int BLOCK = 1 << 17;

    private static final int END_OF_BLOCK = 256;
    private static final int LITLEN_CODES = 286;
    private static final int MIN_RUN = 3;
    private static final int MAX_RUN = 258;
    private static final int[] LENGTH_BASE = {
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258
    };
    private static final int[] LENGTH_EXTRA = {
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0
    };

    /** Run length (3..258) to its length symbol's index in {@link #LENGTH_BASE}. */
    private static final byte[] LENGTH_INDEX = new byte[MAX_RUN + 1];

    /** The order in which code-length code lengths are written (RFC 1951 3.2.7). */
    private static final int[] CL_ORDER = {
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
    };

    static {
        for (int len = MIN_RUN; len <= MAX_RUN; len++) {
            int i = LENGTH_BASE.length - 1;
            while (LENGTH_BASE[i] > len) {
                i--;
            }
            LENGTH_INDEX[len] = (byte) i;
        }
    }

    private final byte[] pending = new byte[BLOCK];
    private int pendingLength;

    /** Literal byte (0..255) or {@code 256 + run length} (259..514). */
    private final short[] tokens = new short[BLOCK];

    private final int[] litFreq = new int[LITLEN_CODES];
    private final byte[] litLen = new byte[LITLEN_CODES];
    private final int[] litCode = new int[LITLEN_CODES];
    private final Adler32 adler = new Adler32();
    private final BitSink out;
    private boolean finished;

    /**
     * @param expectedBytes a guess at the compressed size; the output grows past it as needed
     */
    RleDeflater(int expectedBytes) {
        out = new BitSink(Math.max(64, expectedBytes));
        out.bytes(0x78, 0x01); // deflate, 32 KiB window, no dictionary, "fastest" level hint
    }

    void write(byte[] b, int off, int len) {
        adler.update(b, off, len);
        while (len > 0) {
            int n = Math.min(len, BLOCK - pendingLength);
            System.arraycopy(b, off, pending, pendingLength, n);
            pendingLength += n;
            off += n;
            len -= n;
            if (pendingLength == BLOCK) {
                block(false);
            }
        }
    }

    /** Ends the stream and returns its bytes (header, blocks, Adler-32). */
    byte[] finish() {
        if (finished) {
            throw new IllegalStateException("the stream is already finished");
        }
        finished = true;
        block(true);
        out.alignToByte();
        int sum = (int) adler.getValue();
        out.bytes(sum >>> 24, (sum >>> 16) & 0xFF);
        out.bytes((sum >>> 8) & 0xFF, sum & 0xFF);
        return out.toByteArray();
    }

    private void block(boolean last) {
        int count = tokenise();
        litFreq[END_OF_BLOCK]++;
        if (litFreq[0] == 0) {
            // A literal/length code must have two symbols to be complete; an unused one is fine.
            litFreq[0] = 1;
        }
        HuffmanCodes.lengths(litFreq, 15, litLen);
        HuffmanCodes.codes(litLen, litCode);
        int numLit = LITLEN_CODES;
        while (litLen[numLit - 1] == 0) {
            numLit--;
        }
        writeHeader(last, numLit);
        writeTokens(count);
        out.bits(litCode[END_OF_BLOCK], litLen[END_OF_BLOCK]);
        pendingLength = 0;
    }

    /**
     * The block's symbols. The hot loop of the encoder: the bit buffer lives in locals and the
     * output is reserved for the worst case (21 bits a token) up front, so no call or bounds
     * decision remains per token.
     */
    private void writeTokens(int count) {
        for (int i = 0; i < LITLEN_CODES; i++) {
            // code in the low bits, length above: one load per symbol
            litCode[i] |= litLen[i] << 24;
        }
        byte[] buf = out.reserve(count * 3 + 8);
        int size = out.size;
        long acc = out.acc;
        int accBits = out.accBits;
        for (int i = 0; i < count; i++) {
            int t = tokens[i];
            if (t < 256) {
                int c = litCode[t];
                acc |= (long) (c & 0xFFFFFF) << accBits;
                accBits += c >>> 24;
            } else {
                int run = t - 256;
                int index = LENGTH_INDEX[run];
                int c = litCode[257 + index];
                acc |= (long) (c & 0xFFFFFF) << accBits;
                accBits += c >>> 24;
                acc |= (long) (run - LENGTH_BASE[index]) << accBits;
                accBits += LENGTH_EXTRA[index];
                accBits++; // distance code 0 (distance 1), the only one, one bit long: a 0 bit
            }
            if (accBits >= 32) {
                buf[size] = (byte) acc;
                buf[size + 1] = (byte) (acc >>> 8);
                buf[size + 2] = (byte) (acc >>> 16);
                buf[size + 3] = (byte) (acc >>> 24);
                size += 4;
                acc >>>= 32;
                accBits -= 32;
            }
        }
        out.size = size;
        out.acc = acc;
        out.accBits = accBits;
        for (int i = 0; i < LITLEN_CODES; i++) {
            litCode[i] &= 0xFFFFFF;
        }
    }

    /** Turns the pending bytes into tokens and counts the literal/length symbols. */
    private int tokenise() {
        Arrays.fill(litFreq, 0);
        byte[] p = pending;
        int n = pendingLength;
        int count = 0;
        int i = 0;
        while (i < n) {
            byte b = p[i];
            tokens[count++] = (short) (b & 0xFF);
            litFreq[b & 0xFF]++;
            int j = i + 1;
            while (j < n && j - i <= 8 && p[j] == b) {
                j++;
            }
            if (j < n && j - i > 8) {
                // A long run (removed background): find where p[k] != p[k + 1] with a
                // vectorised compare of the block against itself shifted by one.
                int k = Arrays.mismatch(p, j - 1, n - 1, p, j, n);
                j = k < 0 ? n : j + k;
            }
            int repeat = j - i - 1; // bytes after the literal that repeat it
            i++;
            while (repeat >= MIN_RUN) {
                int run = Math.min(repeat, MAX_RUN);
                if (repeat - run > 0 && repeat - run < MIN_RUN) {
                    run = repeat - MIN_RUN; // leave a run, not one or two literals
                }
                tokens[count++] = (short) (256 + run);
                litFreq[257 + LENGTH_INDEX[run]]++;
                repeat -= run;
                i += run;
            }
        }
        return count;
    }

    private void writeHeader(boolean last, int numLit) {
        out.bits(last ? 1 : 0, 1);
        out.bits(2, 2); // dynamic Huffman
        // Code lengths of the literal/length alphabet, then the one distance code (length 1),
        // written plainly with the code-length alphabet (no repeat codes: ~100 bytes per block).
        int[] clFreq = new int[19];
        for (int i = 0; i < numLit; i++) {
            clFreq[litLen[i]]++;
        }
        clFreq[1]++;
        int used = 0;
        for (int f : clFreq) {
            used += f > 0 ? 1 : 0;
        }
        if (used < 2) { // a one-symbol code is incomplete, which inflaters refuse here
            clFreq[clFreq[0] > 0 ? 1 : 0]++;
        }
        byte[] clLen = new byte[19];
        HuffmanCodes.lengths(clFreq, 7, clLen);
        int[] clCode = new int[19];
        HuffmanCodes.codes(clLen, clCode);
        int numCl = 19;
        while (numCl > 4 && clLen[CL_ORDER[numCl - 1]] == 0) {
            numCl--;
        }
        out.bits(numLit - 257, 5);
        out.bits(0, 5); // one distance code
        out.bits(numCl - 4, 4);
        for (int i = 0; i < numCl; i++) {
            out.bits(clLen[CL_ORDER[i]], 3);
        }
        for (int i = 0; i < numLit; i++) {
            out.bits(clCode[litLen[i]], clLen[litLen[i]]);
        }
        out.bits(clCode[1], clLen[1]);
    }

    /** Bits, least significant first, into a growable byte array. */
    private static final class BitSink {
        private byte[] buf;
        private int size;
        private long acc;
        private int accBits;

        BitSink(int capacity) {
            buf = new byte[capacity];
        }

        void bits(int value, int n) {
            acc |= (long) value << accBits;
            accBits += n;
            if (accBits >= 32) {
                ensure(4);
                buf[size] = (byte) acc;
                buf[size + 1] = (byte) (acc >>> 8);
                buf[size + 2] = (byte) (acc >>> 16);
                buf[size + 3] = (byte) (acc >>> 24);
                size += 4;
                acc >>>= 32;
                accBits -= 32;
            }
        }

        /** Makes room for {@code extra} more bytes and returns the buffer to write them into. */
        byte[] reserve(int extra) {
            ensure(extra);
            return buf;
        }

        void alignToByte() {
            while (accBits > 0) {
                ensure(1);
                buf[size++] = (byte) acc;
                acc >>>= 8;
                accBits = Math.max(0, accBits - 8);
            }
            acc = 0;
        }

        /** Two whole bytes; only when byte-aligned. */
        void bytes(int a, int b) {
            ensure(2);
            buf[size++] = (byte) a;
            buf[size++] = (byte) b;
        }

        private void ensure(int extra) {
            if (size + extra > buf.length) {
                long grown = Math.max((long) buf.length * 3 / 2, (long) size + extra);
                buf = Arrays.copyOf(buf, (int) Math.min(grown, Integer.MAX_VALUE - 8));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
