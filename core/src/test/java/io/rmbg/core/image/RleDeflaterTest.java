package io.rmbg.core.image;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Every stream must inflate, with the JDK's zlib, back to exactly the bytes written. */
class RleDeflaterTest {

    @Test
    void emptyInputIsAValidStream() throws DataFormatException {
        assertThat(roundTrip(new byte[0], 1)).isEmpty();
    }

    @Test
    void oneByte() throws DataFormatException {
        assertThat(roundTrip(new byte[] {42}, 1)).containsExactly(42);
    }

    @Test
    void zerosOverManyBlocksShrinkToAlmostNothing() throws DataFormatException {
        byte[] zeros = new byte[5 * RleDeflater.BLOCK + 17];
        RleDeflater d = new RleDeflater(16);
        d.write(zeros, 0, zeros.length);
        byte[] z = d.finish();

        assertThat(inflate(z)).isEqualTo(zeros);
        assertThat(z.length).isLessThan(zeros.length / 100);
    }

    @Test
    void randomBytesOverManyBlocks() throws DataFormatException {
        byte[] noise = new byte[3 * RleDeflater.BLOCK + 1001];
        new Random(1).nextBytes(noise);
        assertThat(roundTrip(noise, 7919)).isEqualTo(noise);
    }

    @Test
    void runsOfEveryLengthAcrossBlockEdges() throws DataFormatException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Random random = new Random(2);
        int value = 0;
        while (data.size() < 2 * RleDeflater.BLOCK + 5000) {
            for (int run = 1; run <= 700; run++) {
                value = (value + 1 + random.nextInt(3)) & 0xFF;
                for (int i = 0; i < run; i++) {
                    data.write(value);
                }
            }
        }
        byte[] bytes = data.toByteArray();
        assertThat(roundTrip(bytes, 1)).isEqualTo(bytes);
        assertThat(roundTrip(bytes, 4099)).isEqualTo(bytes);
    }

    @Test
    void skewedSymbolCountsNeedLengthLimitedCodes() throws DataFormatException {
        // Fibonacci counts give a plain Huffman code deeper than deflate's 15 bits.
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long a = 1;
        long b = 1;
        for (int symbol = 0; symbol < 25; symbol++) {
            for (long i = 0; i < a; i++) {
                data.write(symbol * 7); // never a run: neighbours differ below
                data.write(255 - symbol);
            }
            long t = a + b;
            a = b;
            b = t;
        }
        byte[] bytes = data.toByteArray();
        assertThat(roundTrip(bytes, 1 << 20)).isEqualTo(bytes);

        byte[] lengths = new byte[30];
        int[] freq = new int[30];
        long f1 = 1;
        long f2 = 1;
        for (int i = 0; i < 30; i++) {
            freq[i] = (int) f1;
            long t = f1 + f2;
            f1 = f2;
            f2 = t;
        }
        HuffmanCodes.lengths(freq, 15, lengths);
        int max = 0;
        double kraft = 0;
        for (byte l : lengths) {
            max = Math.max(max, l);
            kraft += Math.pow(2, -l);
        }
        assertThat(max).isLessThanOrEqualTo(15);
        assertThat(kraft).isLessThanOrEqualTo(1.0);
    }

    @Test
    void runsWrittenWithoutInputKeepTheChecksumRight() throws DataFormatException {
        // writeRun updates Adler-32 arithmetically; the inflater checks it against the bytes
        byte[] noise = new byte[5000];
        new Random(3).nextBytes(noise);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        RleDeflater d = new RleDeflater(64);
        int[][] runs = {{2, 1}, {0, 7680}, {255, 3}, {7, 2}, {0, 3 * RleDeflater.BLOCK + 11}};
        for (int[] run : runs) {
            d.write(noise, 0, noise.length);
            expected.write(noise, 0, noise.length);
            d.writeRun(run[0], run[1]);
            for (int i = 0; i < run[1]; i++) {
                expected.write(run[0]);
            }
        }

        assertThat(inflate(d.finish())).isEqualTo(expected.toByteArray());
    }

    @Test
    void aResetDeflaterWritesTheSameStreamAsANewOne() {
        byte[] a = new byte[3 * RleDeflater.BLOCK];
        new Random(4).nextBytes(a);
        byte[] b = new byte[1000];
        RleDeflater reused = new RleDeflater(64);
        reused.write(a, 0, a.length);
        reused.finish();

        reused.reset();
        reused.write(b, 0, b.length);
        RleDeflater fresh = new RleDeflater(64);
        fresh.write(b, 0, b.length);

        assertThat(reused.finish()).isEqualTo(fresh.finish());
    }

    @Test
    void finishingTwiceIsRefused() {
        RleDeflater d = new RleDeflater(16);
        d.finish();
        assertThatIllegalStateException().isThrownBy(d::finish);
    }

    /** Writes {@code bytes} in pieces of {@code piece} bytes and inflates the stream. */
    private static byte[] roundTrip(byte[] bytes, int piece) throws DataFormatException {
        RleDeflater d = new RleDeflater(64);
        for (int off = 0; off < bytes.length; off += piece) {
            d.write(bytes, off, Math.min(piece, bytes.length - off));
        }
        return inflate(d.finish());
    }

    private static byte[] inflate(byte[] zlib) throws DataFormatException {
        Inflater inflater = new Inflater();
        inflater.setInput(zlib);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!inflater.finished()) {
            int n = inflater.inflate(buf);
            if (n == 0
                    && !inflater.finished()
                    && (inflater.needsInput() || inflater.needsDictionary())) {
                throw new AssertionError("stream ended early after " + out.size() + " bytes");
            }
            out.write(buf, 0, n);
        }
        assertThat(inflater.getRemaining()).as("bytes after the stream").isZero();
        inflater.end();
        return Arrays.copyOf(out.toByteArray(), out.size());
    }
}
