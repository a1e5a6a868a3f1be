package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.rmbg.core.image.Failures.failure;
import static io.rmbg.core.image.HostileImages.bmp;
import static io.rmbg.core.image.HostileImages.internationalText;
import static io.rmbg.core.image.HostileImages.keyed;
import static io.rmbg.core.image.HostileImages.putIntLe;
import static io.rmbg.core.image.HostileImages.withChunkAfterHeader;
import static io.rmbg.core.image.HostileImages.zerosBomb;
import static io.rmbg.core.image.TestImages.encode;
import static io.rmbg.core.image.TestImages.quadrants;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files whose headers or metadata declare far more than they hold: each is refused, or decoded,
 * without the JDK readers allocating what the file claims.
 */
class BoundedDecodeTest {

    private static final long GIB = 1L << 30;
    private static final BufferedImage IMAGE = quadrants(16, 12, BufferedImage.TYPE_INT_RGB);

    private final ImageDecoder decoder = new ImageDecoder(50_000_000L);

    @Test
    void refusesBmpsWrappingAJpegOrPng() {
        for (int header : new int[] {40, 52, 56, 108, 124}) {
            for (int compression : new int[] {4, 5}) {
                // 205 bytes declaring a 1.9 GB embedded image.
                byte[] b = bmp(header, compression, 1_900_000_000L, 205 - 14 - header);
                ProcessingException e = failure(() -> decoder.decode(b));
                assertThat(e.code())
                        .as("header %d", header)
                        .isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
                assertThat(e.getMessage())
                        .contains("embedded " + (compression == 4 ? "JPEG" : "PNG"));
            }
        }
    }

    @Test
    void refusesBmpSizesThatReachBeyondTheFile() {
        byte[] offsetBeyond = bmp(40, 0, 0, 48);
        putIntLe(offsetBeyond, 10, 1 << 30);
        assertThat(failure(() -> decoder.decode(offsetBeyond)).getMessage())
                .contains("pixel data offset");

        byte[] rle = bmp(40, 1, 1_000_000_000L, 48);
        rle[28] = 8; // RLE8 needs 8 bits per pixel
        assertThat(failure(() -> decoder.decode(rle)).getMessage())
                .contains("compressed pixel data");

        byte[] palette = bmp(40, 0, 0, 48);
        putIntLe(palette, 46, 500_000_000);
        assertThat(failure(() -> decoder.decode(palette)).getMessage()).contains("palette colours");

        byte[] headerBeyond = bmp(124, 0, 0, 0);
        byte[] cut = Arrays.copyOf(headerBeyond, 100);
        assertThat(failure(() -> decoder.decode(cut)).code()).isEqualTo(ErrorCode.IMAGE_DECODE);

        byte[] unknownHeader = bmp(64, 0, 0, 48);
        assertThat(failure(() -> decoder.decode(unknownHeader)).code())
                .isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
    }

    @Test
    void refusesLinkedAndOutsizedBmpColourProfiles() {
        byte[] linked = bmp(124, 0, 0, 48);
        putIntLe(linked, 14 + 56, 0x4C494E4B); // 'LINK': a path on this machine
        assertThat(failure(() -> decoder.decode(linked)).getMessage())
                .contains("external colour profile");

        byte[] embedded = bmp(124, 0, 0, 48);
        putIntLe(embedded, 14 + 56, 0x4D424544); // 'MBED'
        putIntLe(embedded, 14 + 112, 124);
        putIntLe(embedded, 14 + 116, 1_000_000_000);
        assertThat(failure(() -> decoder.decode(embedded)).getMessage())
                .contains("colour profile lies outside");
    }

    @Test
    void ordinaryBmpsStillDecode() throws Exception {
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY}) {
            RasterImage img = decoder.decode(encode(quadrants(10, 6, type), "bmp"));
            assertThat(img.width()).isEqualTo(10);
        }
    }

    @Test
    void refusesAPngWhoseTextInflatesToAGigabyteQuicklyAndCheaply() {
        byte[] bomb = zerosBomb(GIB);
        assertThat(bomb.length).isLessThan(2 << 20);
        byte[] png = encode(IMAGE, "png");
        for (byte[] hostile :
                new byte[][] {
                    withChunkAfterHeader(png, "zTXt", keyed("Comment", bomb)),
                    withChunkAfterHeader(png, "iTXt", internationalText("XML", true, bomb)),
                    withChunkAfterHeader(png, "iCCP", keyed("ICC", bomb)),
                    withChunkAfterHeader(
                            encode(TestImages.indexed(16, 12, 8, TestImages.PALETTE), "png"),
                            "iCCP",
                            keyed("ICC", bomb))
                }) {
            long allocated =
                    allocatedBy(
                            () -> {
                                long start = System.nanoTime();
                                ProcessingException e = failure(() -> decoder.decode(hostile));
                                assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
                                assertThat(e.getMessage()).contains("inflates to over 8 MiB");
                                assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
                            });
            assertThat(allocated).isLessThan(32L << 20);
        }
    }

    @Test
    void smallCompressedMetadataAndPlainTextStillDecode() throws Exception {
        byte[] text = "a caption ".repeat(1000).getBytes(StandardCharsets.ISO_8859_1);
        byte[] png = encode(IMAGE, "png");
        byte[] withText =
                withChunkAfterHeader(
                        withChunkAfterHeader(
                                png, "zTXt", keyed("Comment", HostileImages.deflate(text))),
                        "iTXt",
                        internationalText("Title", false, text));
        assertThat(decoder.decode(withText).argb()).containsExactly(decoder.decode(png).argb());
    }

    @Test
    void refusesPngChunksThatDoNotFitTheFile() {
        byte[] png = encode(IMAGE, "png");
        byte[] declared = withChunkAfterHeader(png, "tEXt", new byte[10]);
        // The tEXt chunk now claims 2 GB.
        declared[33] = 0x7F;
        ProcessingException e = failure(() -> decoder.decode(declared));
        assertThat(e.code()).isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(e.getMessage()).contains("tEXt chunk declares 2130706442 bytes");

        byte[] noData = HostileImages.png(4, 4, 8, 2);
        assertThat(failure(() -> decoder.decode(noData)).getMessage()).contains("no image data");
    }

    @Test
    void refusesPngsOfCountlessChunks() {
        ByteArrayOutputStream many = new ByteArrayOutputStream();
        byte[] png = encode(IMAGE, "png");
        many.write(png, 0, 33);
        for (int i = 0; i <= PngChunks.MAX_CHUNKS; i++) {
            TestImages.writeChunk(many, "abCd", new byte[0]);
        }
        many.write(png, 33, png.length - 33);
        assertThat(failure(() -> decoder.decode(many.toByteArray())).getMessage())
                .contains("over 65536 chunks");
    }

    @Test
    void refusesGifsWithEndlessExtensionsBeforeTheFirstFrame() {
        byte[] gif = encode(IMAGE, "gif");
        int frame = firstBlock(gif);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(gif, 0, frame);
        for (int i = 0; i <= GifStructure.MAX_EXTENSIONS; i++) {
            out.writeBytes(new byte[] {0x21, (byte) 0xFE, 3, 'a', 'b', 'c', 0}); // comment
        }
        out.write(gif, frame, gif.length - frame);
        ProcessingException e = failure(() -> decoder.decode(out.toByteArray()));
        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("extension blocks before its first frame");
    }

    @Test
    void decodesOnlyTheFirstOfManyGifFrames() throws Exception {
        byte[] gif = encode(IMAGE, "gif");
        int frame = firstBlock(gif);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(gif, 0, gif.length - 1); // without the trailer
        for (int i = 0; i < 20_000; i++) {
            out.write(gif, frame, gif.length - 1 - frame);
        }
        out.write(0x3B);
        byte[] animation = out.toByteArray();
        long[] allocated = new long[1];
        allocated[0] =
                allocatedBy(() -> assertThat(decoder.decode(animation).width()).isEqualTo(16));
        assertThat(allocated[0]).isLessThan(16L << 20);
    }

    @Test
    void refusesJpegsWithOutsizedMetadata() throws Exception {
        byte[] jpeg = TestImages.jpeg(IMAGE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        byte[] segment = new byte[65533];
        byte[] id = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(id, 0, segment, 0, id.length);
        int count = (int) (JpegHeader.MAX_METADATA_BYTES / 65535) + 2;
        for (int i = 1; i <= count; i++) {
            segment[12] = (byte) i;
            segment[13] = (byte) count;
            out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) 0xFF, (byte) 0xFF});
            out.writeBytes(segment);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        ProcessingException e = failure(() -> decoder.decode(out.toByteArray()));
        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("MiB of metadata", "exiftool");

        // Comments under the limit are fine.
        ByteArrayOutputStream fine = new ByteArrayOutputStream();
        fine.write(jpeg, 0, 2);
        for (int i = 0; i < 16; i++) {
            fine.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF});
            fine.writeBytes(new byte[65533]);
        }
        fine.write(jpeg, 2, jpeg.length - 2);
        assertThat(decoder.decode(fine.toByteArray()).width()).isEqualTo(16);
    }

    /** Offset of the first block after a GIF's header and global colour table. */
    private static int firstBlock(byte[] gif) {
        int flags = gif[10] & 0xFF;
        return 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 0x07) + 1) : 0);
    }

    private interface Decode {
        void run() throws Exception;
    }

    private static long allocatedBy(Decode decode) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        try {
            decode.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return threads.getThreadAllocatedBytes(thread) - before;
    }
}
