package io.rmbg.core.image;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Arrays;

import static io.rmbg.core.image.ImageFormatTest.ascii;
import static io.rmbg.core.image.ImageFormatTest.bytes;
import static io.rmbg.core.image.TestImages.encode;
import static io.rmbg.core.image.TestImages.jpeg;
import static io.rmbg.core.image.TestImages.quadrants;
import static org.assertj.core.api.Assertions.assertThat;

class ImageProbeTest {

    private static final BufferedImage IMAGE = quadrants(37, 23, BufferedImage.TYPE_3BYTE_BGR);

    @Test
    void readsSizeOfEachFormat() throws Exception {
        assertThat(ImageProbe.probe(jpeg(IMAGE)))
                .isEqualTo(new ImageInfo(ImageFormat.JPEG, 37, 23, 8, 3, false));
        assertThat(ImageProbe.probe(encode(IMAGE, "png")))
                .isEqualTo(new ImageInfo(ImageFormat.PNG, 37, 23, 8, 3, false));
        assertThat(ImageProbe.probe(encode(IMAGE, "gif")))
                .isEqualTo(new ImageInfo(ImageFormat.GIF, 37, 23, 8, 1, false));
        assertThat(ImageProbe.probe(encode(IMAGE, "bmp")))
                .isEqualTo(new ImageInfo(ImageFormat.BMP, 37, 23, 8, 3, false));
    }

    @Test
    void readsSizeFromHeaderWithoutPixelData() throws Exception {
        assertThat(ImageProbe.probe(TestImages.pngHeaderOnly(50_000, 50_000)))
                .isEqualTo(new ImageInfo(ImageFormat.PNG, 50_000, 50_000, 8, 4, false));
        assertThat(ImageProbe.probe(TestImages.gifHeaderOnly(20_000, 20_000)))
                .isEqualTo(new ImageInfo(ImageFormat.GIF, 20_000, 20_000, 8, 1, false));
        byte[] jpeg = jpeg(IMAGE);
        assertThat(ImageProbe.probe(Arrays.copyOf(jpeg, jpeg.length / 2)).width()).isEqualTo(37);
    }

    @Test
    void readsBmpCoreHeaderAndTopDownRows() throws Exception {
        byte[] core = bmpHeader(12);
        core[18] = 40; // width 40 as u16
        core[20] = 30; // height 30 as u16
        assertThat(ImageProbe.probe(core)).isEqualTo(new ImageInfo(ImageFormat.BMP, 40, 30));

        byte[] topDown = bmpHeader(40);
        topDown[18] = 40;
        int minus30 = -30;
        for (int i = 0; i < 4; i++) {
            topDown[22 + i] = (byte) (minus30 >>> (8 * i));
        }
        assertThat(ImageProbe.probe(topDown)).isEqualTo(new ImageInfo(ImageFormat.BMP, 40, 30));
    }

    @Test
    void readsWebpHeaders() throws Exception {
        byte[] lossy = webp("VP8 ");
        lossy[23] = (byte) 0x9D;
        lossy[24] = 0x01;
        lossy[25] = 0x2A;
        lossy[26] = (byte) 0x80; // width 640, scale bits 0
        lossy[27] = 0x02;
        lossy[28] = (byte) 0xE0; // height 480
        lossy[29] = 0x01;
        assertThat(ImageProbe.readHeader(ImageFormat.WEBP, lossy))
                .isEqualTo(new ImageInfo(ImageFormat.WEBP, 640, 480));

        byte[] lossless = webp("VP8L");
        lossless[20] = 0x2F;
        int bits = (100 - 1) | ((50 - 1) << 14);
        for (int i = 0; i < 4; i++) {
            lossless[21 + i] = (byte) (bits >>> (8 * i));
        }
        assertThat(ImageProbe.readHeader(ImageFormat.WEBP, lossless))
                .isEqualTo(new ImageInfo(ImageFormat.WEBP, 100, 50));

        byte[] extended = webp("VP8X");
        int w = 5000 - 1;
        int h = 70000 - 1;
        for (int i = 0; i < 3; i++) {
            extended[24 + i] = (byte) (w >>> (8 * i));
            extended[27 + i] = (byte) (h >>> (8 * i));
        }
        assertThat(ImageProbe.readHeader(ImageFormat.WEBP, extended))
                .isEqualTo(new ImageInfo(ImageFormat.WEBP, 5000, 70000));
    }

    @Test
    void webpWithoutDecoderIsUnsupported() {
        // The JDK has no WebP reader, and this module installs no plugin.
        ProcessingException e = probeFailure(webp("VP8L"));
        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("WEBP", "no WEBP decoder", "JPEG, PNG");
    }

    @Test
    void garbageIsUnsupportedAndNamesTheFormats() {
        for (byte[] garbage : new byte[][] {new byte[0], ascii("plain text, not an image")}) {
            ProcessingException e = probeFailure(garbage);
            assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_FORMAT);
            assertThat(e.getMessage()).contains("JPEG, PNG, WebP", "BMP, GIF");
        }
    }

    @Test
    void unreadableHeadersAreDecodeErrors() {
        byte[] png = encode(IMAGE, "png");
        assertThat(probeFailure(Arrays.copyOf(png, 12)).code()).isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(probeFailure(TestImages.pngHeaderOnly(0, 10)).getMessage())
                .contains("invalid size 0x10");
        assertThat(probeFailure(TestImages.pngHeaderOnly(-5, 10)).code())
                .isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(probeFailure(bytes(0xFF, 0xD8, 0xFF, 0xD9)).getMessage())
                .as("JPEG with no frame header")
                .contains("no frame header");
        byte[] jpeg = jpeg(IMAGE);
        assertThat(probeFailure(Arrays.copyOf(jpeg, 30)).code())
                .as("JPEG cut before its frame header")
                .isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(probeFailure(ascii("GIF89a\1")).code()).isEqualTo(ErrorCode.IMAGE_DECODE);
        assertThat(probeFailure(ascii("BM")).code()).isEqualTo(ErrorCode.IMAGE_DECODE);
    }

    private static ProcessingException probeFailure(byte[] bytes) {
        return Failures.failure(() -> ImageProbe.probe(bytes));
    }

    private static byte[] bmpHeader(int dibSize) {
        byte[] b = new byte[54];
        b[0] = 'B';
        b[1] = 'M';
        b[14] = (byte) dibSize;
        return b;
    }

    private static byte[] webp(String chunk) {
        byte[] b = new byte[40];
        System.arraycopy(ascii("RIFF"), 0, b, 0, 4);
        System.arraycopy(ascii("WEBP"), 0, b, 8, 4);
        System.arraycopy(ascii(chunk), 0, b, 12, 4);
        return b;
    }
}
