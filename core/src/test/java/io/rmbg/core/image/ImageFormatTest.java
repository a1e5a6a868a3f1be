package io.rmbg.core.image;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;

import static io.rmbg.core.image.TestImages.encode;
import static io.rmbg.core.image.TestImages.jpeg;
import static io.rmbg.core.image.TestImages.quadrants;
import static org.assertj.core.api.Assertions.assertThat;

class ImageFormatTest {

    private static final BufferedImage IMAGE = quadrants(8, 6, BufferedImage.TYPE_3BYTE_BGR);

    @Test
    void sniffsImagesWrittenByImageIo() {
        assertThat(ImageFormat.sniff(jpeg(IMAGE))).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff(encode(IMAGE, "png"))).contains(ImageFormat.PNG);
        assertThat(ImageFormat.sniff(encode(IMAGE, "gif"))).contains(ImageFormat.GIF);
        assertThat(ImageFormat.sniff(encode(IMAGE, "bmp"))).contains(ImageFormat.BMP);
    }

    @Test
    void sniffsSignaturesAlone() {
        assertThat(ImageFormat.sniff(bytes(0xFF, 0xD8, 0xFF, 0xE0))).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff(bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)))
                .contains(ImageFormat.PNG);
        assertThat(ImageFormat.sniff(ascii("GIF87a"))).contains(ImageFormat.GIF);
        assertThat(ImageFormat.sniff(ascii("GIF89a"))).contains(ImageFormat.GIF);
        assertThat(ImageFormat.sniff(ascii("BM"))).contains(ImageFormat.BMP);
        assertThat(ImageFormat.sniff(ascii("RIFF\0\0\0\0WEBPVP8 "))).contains(ImageFormat.WEBP);
    }

    @Test
    void rejectsGarbageAndNearMisses() {
        assertThat(ImageFormat.sniff(new byte[0])).isEmpty();
        assertThat(ImageFormat.sniff(null)).isEmpty();
        assertThat(ImageFormat.sniff(ascii("hello, world"))).isEmpty();
        assertThat(ImageFormat.sniff(ascii("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")))
                .isEmpty();
        assertThat(ImageFormat.sniff(bytes(0xFF, 0xD8))).as("JPEG cut short").isEmpty();
        assertThat(ImageFormat.sniff(bytes(0x89, 'P', 'N', 'G'))).as("PNG cut short").isEmpty();
        assertThat(ImageFormat.sniff(ascii("GIF88a"))).isEmpty();
        assertThat(ImageFormat.sniff(ascii("RIFF\0\0\0\0WAVEfmt "))).as("a WAV file").isEmpty();
        assertThat(ImageFormat.sniff(ascii("B"))).isEmpty();
    }

    @Test
    void namesExtensionsAndContentTypes() {
        assertThat(ImageFormat.JPEG.extension()).isEqualTo("jpg");
        assertThat(ImageFormat.PNG.extension()).isEqualTo("png");
        assertThat(ImageFormat.WEBP.extension()).isEqualTo("webp");
        assertThat(ImageFormat.BMP.extension()).isEqualTo("bmp");
        assertThat(ImageFormat.GIF.extension()).isEqualTo("gif");
        assertThat(ImageFormat.JPEG.contentType()).isEqualTo("image/jpeg");
        assertThat(ImageFormat.PNG.contentType()).isEqualTo("image/png");
        assertThat(ImageFormat.WEBP.contentType()).isEqualTo("image/webp");
        assertThat(ImageFormat.BMP.contentType()).isEqualTo("image/bmp");
        assertThat(ImageFormat.GIF.contentType()).isEqualTo("image/gif");
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
