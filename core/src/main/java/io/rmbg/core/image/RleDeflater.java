package io.rmbg.core.image;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * <p>Input is tokenised as it is written, straight from the caller's array (runs are not joined
 * across {@link #write} calls: PNG rows start with a filter byte anyway); a block ends when {@link
 * #BLOCK} tokens have gathered, so long runs cost no block headers. {@link #writeRun} adds a run
 * without any input bytes (an all-zero filtered row) and updates the checksum arithmetically.
 *
 * <p>Not thread-safe; one stream at a time: {@link #write} the input, then {@link #finish} (or
 * {@link #end} and read {@link #buffer()}), then {@link #reset} to reuse the buffers.
 */
final class RleDeflater {
    /** Tokens per block: each block gets Huffman codes fitted to its own symbols. */
    static final int BLOCK = 1 << 17;

    private static final int ADLER_BASE = 65521;
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
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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

    /** Literal byte (0..255) or {@code 256 + run length} (259..514). */
    private final short[] tokens = new short[BLOCK];

    private int count;

    private final int[] litFreq = new int[LITLEN_CODES];
    private final byte[] litLen = new byte[LITLEN_CODES];
    private final int[] litCode = new int[LITLEN_CODES];

    /**
     * Per token value: its whole bit string (a run's length code, extra bits and the one-bit
     * distance code; at most 21 bits) in the low 24 bits, its bit count above.
     */
    private final int[] tokenBits = new int[256 + MAX_RUN + 1];

    private final Adler32 adler = new Adler32();
    private long adlerA = 1;
    private long adlerB;
    private final BitSink out;
    private boolean finished;

    /**
     * @param expectedBytes a guess at the compressed size; the output grows past it as needed
     */
    RleDeflater(int expectedBytes) {
        out = new BitSink(Math.max(64, expectedBytes));
        reset();
    }

    /** Starts a new stream, keeping the buffers (the output buffer as large as it grew). */
    void reset() {
        count = 0;
        Arrays.fill(litFreq, 0);
        adlerA = 1;
        adlerB = 0;
        finished = false;
        out.size = 0;
        out.acc = 0;
        out.accBits = 0;
        out.bytes(0x78, 0x01); // deflate, 32 KiB window, no dictionary, "fastest" level hint
    }

    /** Bytes the output buffer holds; what a reused deflater keeps allocated. */
    int capacity() {
        return out.buf.length;
    }

    void write(byte[] b, int off, int len) {
        checkOpen();
        adler.reset();
        adler.update(b, off, len);
        combineAdler((int) adler.getValue(), len);
        while (len > 0) {
            // Each input byte yields at most one token, so a piece this long always fits.
            int n = Math.min(len, BLOCK - count);
            tokenise(b, off, off + n);
            off += n;
            len -= n;
            if (count == BLOCK) {
                block(false);
            }
        }
    }

    /** Writes {@code length} bytes of {@code value} without an input array. */
    void writeRun(int value, int length) {
        checkOpen();
        if (length <= 0) {
            return;
        }
        value &= 0xFF;
        long n = length;
        // Adler-32 of n bytes v: A += n v; B += n A_before + v n (n + 1) / 2 (all modulo 65521).
        long a0 = adlerA;
        adlerA = (a0 + n % ADLER_BASE * value) % ADLER_BASE;
        adlerB =
                (adlerB + n % ADLER_BASE * a0 + (n * (n + 1) / 2) % ADLER_BASE * value)
                        % ADLER_BASE;
        literal(value);
        run(value, length - 1);
    }

    /** Ends the stream and returns a copy of its bytes (header, blocks, Adler-32). */
    byte[] finish() {
        end();
        return Arrays.copyOf(out.buf, out.size);
    }

    /** Ends the stream; its bytes are then {@code buffer()[0, size())}, until {@link #reset}. */
    void end() {
        checkOpen();
        finished = true;
        block(true);
        out.alignToByte();
        int sum = (int) (adlerB << 16 | adlerA);
        out.bytes(sum >>> 24, (sum >>> 16) & 0xFF);
        out.bytes((sum >>> 8) & 0xFF, sum & 0xFF);
    }

    byte[] buffer() {
        return out.buf;
    }

    int size() {
        return out.size;
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("the stream is already finished; reset() starts anew");
        }
    }

    /** zlib's adler32_combine: the checksum so far followed by {@code len} bytes of {@code sum}. */
    private void combineAdler(int sum, long len) {
        long a = sum & 0xFFFF;
        long b = (sum >>> 16) & 0xFFFF;
        long rem = len % ADLER_BASE;
        long a0 = adlerA;
        adlerA = (a0 + a + ADLER_BASE - 1) % ADLER_BASE;
        adlerB = (adlerB + b + rem * a0 % ADLER_BASE + ADLER_BASE - rem) % ADLER_BASE;
    }

    private void literal(int value) {
        if (count == BLOCK) {
            block(false);
        }
        tokens[count++] = (short) value;
        litFreq[value]++;
    }

    /** {@code repeat} more copies of {@code value}, just written, as run tokens (and literals). */
    private void run(int value, int repeat) {
        while (repeat > 0) {
            if (repeat < MIN_RUN) {
                literal(value);
                repeat--;
                continue;
            }
            int run = Math.min(repeat, MAX_RUN);
            if (repeat - run > 0 && repeat - run < MIN_RUN) {
                run = repeat - MIN_RUN; // leave a run, not one or two literals
            }
            if (count == BLOCK) {
                block(false);
            }
            tokens[count++] = (short) (256 + run);
            litFreq[257 + LENGTH_INDEX[run]]++;
            repeat -= run;
        }
    }

    private void block(boolean last) {
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
        writeTokens();
        out.bits(litCode[END_OF_BLOCK], litLen[END_OF_BLOCK]);
        count = 0;
        Arrays.fill(litFreq, 0);
    }

    /**
     * Tokens for {@code p[from, to)}: each byte a literal, and where the three after it repeat it,
     * a run. The hot loop for photo texture, where nearly every byte is a literal: one 4-byte
     * compare per byte rules a run out.
     */
    private void tokenise(byte[] p, int from, int to) {
        short[] tk = tokens;
        int[] freq = litFreq;
        int c = count;
        int i = from;
        int quadEnd = to - 3; // i < quadEnd: p[i..i+3] readable
        while (i < to) {
            int b = p[i] & 0xFF;
            tk[c++] = (short) b;
            freq[b]++;
            if (i >= quadEnd || (int) INT_LE.get(p, i) != b * 0x01010101) {
                i++;
                continue;
            }
            // p[i + 1..i + 3] repeat the literal: find where the run ends, with a vectorised
            // compare of the input against itself shifted by one for long runs.
            int j = i + 4;
            while (j < to && j - i < 16 && p[j] == (byte) b) {
                j++;
            }
            if (j < to && p[j] == (byte) b) {
                int k = Arrays.mismatch(p, j - 1, to - 1, p, j, to);
                j = k < 0 ? to : j + k;
            }
            int repeat = j - i - 1;
            i++;
            while (repeat >= MIN_RUN) {
                int run = Math.min(repeat, MAX_RUN);
                if (repeat - run > 0 && repeat - run < MIN_RUN) {
                    run = repeat - MIN_RUN; // leave a run, not one or two literals
                }
                tk[c++] = (short) (256 + run);
                freq[257 + LENGTH_INDEX[run]]++;
                repeat -= run;
                i += run;
            }
            // one or two repeats left over are read again as literals
        }
        count = c;
    }

    /**
     * The block's symbols. The other hot loop: every token is one table look-up and one shift into
     * a 64-bit accumulator, spilled four bytes at a time; the output is reserved for the worst case
     * (21 bits a token) up front, so no call or bounds decision remains per token.
     */
    private void writeTokens() {
        int[] bits = tokenBits;
        for (int i = 0; i < 256; i++) {
            bits[i] = litCode[i] | litLen[i] << 24;
        }
        for (int run = MIN_RUN; run <= MAX_RUN; run++) {
            int index = LENGTH_INDEX[run];
            int len = litLen[257 + index];
            int extra = LENGTH_EXTRA[index];
            int code = litCode[257 + index] | (run - LENGTH_BASE[index]) << len;
            // then distance code 0 (distance 1), the only one, one bit long: a 0 bit
            bits[256 + run] = code | (len + extra + 1) << 24;
        }
        byte[] buf = out.reserve(count * 3 + 16);
        short[] tk = tokens;
        int n = count;
        int size = out.size;
        long acc = out.acc;
        int accBits = out.accBits;
        if (accBits >= 8) { // whole bytes left by the header: flush them first
            int bytes = accBits >>> 3;
            LONG_LE.set(buf, size, acc);
            size += bytes;
            acc >>>= bytes << 3;
            accBits &= 7;
        }
        // Two tokens (at most 7 + 21 + 21 bits) go into the accumulator, then its whole bytes are
        // stored as one 8-byte write: no branch per token.
        int i = 0;
        for (; i + 1 < n; i += 2) {
            int c = bits[tk[i]];
            acc |= (long) (c & 0xFFFFFF) << accBits;
            accBits += c >>> 24;
            c = bits[tk[i + 1]];
            acc |= (long) (c & 0xFFFFFF) << accBits;
            accBits += c >>> 24;
            LONG_LE.set(buf, size, acc);
            int bytes = accBits >>> 3;
            size += bytes;
            acc >>>= bytes << 3;
            accBits &= 7;
        }
        if (i < n) {
            int c = bits[tk[i]];
            acc |= (long) (c & 0xFFFFFF) << accBits;
            accBits += c >>> 24;
            LONG_LE.set(buf, size, acc);
            int bytes = accBits >>> 3;
            size += bytes;
            acc >>>= bytes << 3;
            accBits &= 7;
        }
        out.size = size;
        out.acc = acc;
        out.accBits = accBits;
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
                INT_LE.set(buf, size, (int) acc);
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
    }
}
