package io.rmbg.local;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The hostile-input corpus: each fixture is the raw value of one {@code image-events} record and
 * what it must end as ({@code dlq}, {@code failed:<CODE>} or {@code completed}). Generated in code,
 * each from a valid image or event broken in one way.
 */
final class HostileInputs {
    /** One corpus entry. {@code expected} is "dlq", "completed" or "failed:CODE". */
    record Fixture(String name, byte[] value, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final String JOB = "0b6f5f0e-6a57-4b64-9f3f-1f0a8b0c9d11";
    private static final String SQL = "'; DROP TABLE image_process_jobs; --";
    private static final String TRAVERSAL = "../../../../etc/passwd";

    private HostileInputs() {}

    static List<Fixture> corpus(String bucket, long maxInlineBytes) {
        List<Fixture> c = new ArrayList<>();
        String png = b64(SampleImages.png(64, 48));

        // No usable job or user: dead letters, original bytes kept.
        c.add(raw("malformed JSON", "{\"user_id\": \"u\", \"image_base64\": ", "dlq"));
        c.add(raw("truncated in a string", "{\"user_id\": \"u", "dlq"));
        c.add(raw("JSON array", "[{\"user_id\": \"u\"}]", "dlq"));
        c.add(raw("JSON string", "\"hello\"", "dlq"));
        c.add(new Fixture("empty value", new byte[0], "dlq"));
        c.add(
                new Fixture(
                        "not UTF-8",
                        new byte[] {(byte) 0xFF, (byte) 0xFE, '{', '}', (byte) 0xC0},
                        "dlq"));
        c.add(new Fixture("NUL bytes", "{\"user_id\":\"a\u0000b\"}".getBytes(UTF_8), "dlq"));
        c.add(json("no user_id", "{\"image_base64\":\"" + png + "\"}", "dlq"));
        c.add(json("user_id a number", "{\"user_id\":42,\"image_base64\":\"" + png + "\"}", "dlq"));
        c.add(json("user_id 65 characters", "{\"user_id\":\"" + "u".repeat(65) + "\"}", "dlq"));
        c.add(json("user_id empty", "{\"user_id\":\"\"}", "dlq"));
        c.add(json("user_id huge", "{\"user_id\":\"" + "x".repeat(1 << 20) + "\"}", "dlq"));
        c.add(json("job_id not a UUID", "{\"job_id\":\"42\",\"user_id\":\"u\"}", "dlq"));
        c.add(json("job_id SQL", "{\"job_id\":\"" + SQL + "\",\"user_id\":\"u\"}", "dlq"));
        c.add(
                json(
                        "job_id traversal",
                        "{\"job_id\":\"" + TRAVERSAL + "\",\"user_id\":\"u\"}",
                        "dlq"));
        c.add(
                json(
                        "nested 200 deep",
                        "{\"user_id\":\"u\",\"params\":" + "[".repeat(200) + "]".repeat(200) + "}",
                        "dlq"));

        // A job, but an invalid event: failed rows.
        c.add(event("no image", "", "failed:INVALID_EVENT"));
        c.add(
                event(
                        "both image fields",
                        "\"image_uri\":\"s3://"
                                + bucket
                                + "/a.png\",\"image_base64\":\""
                                + png
                                + "\"",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "http URI",
                        "\"image_uri\":\"http://169.254.169.254/latest/meta-data\"",
                        "failed:INVALID_EVENT"));
        c.add(event("file URI", "\"image_uri\":\"file:///etc/passwd\"", "failed:INVALID_EVENT"));
        c.add(
                event(
                        "traversal in key",
                        "\"image_uri\":\"s3://" + bucket + "/" + TRAVERSAL + "\"",
                        "failed:INVALID_EVENT"));
        c.add(event("URI a number", "\"image_uri\":7", "failed:INVALID_EVENT"));
        c.add(
                event(
                        "base64 garbage",
                        "\"image_base64\":\"!!!not-base64!!!\"",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "tags not an array",
                        "\"image_base64\":\"" + png + "\",\"tags\":\"a,b\"",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "33 tags",
                        "\"image_base64\":\"" + png + "\",\"tags\":" + tags(33),
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "tag with NUL",
                        "\"image_base64\":\"" + png + "\",\"tags\":[\"a\\u0000\"]",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "params an array",
                        "\"image_base64\":\"" + png + "\",\"params\":[1]",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "threshold a string",
                        "\"image_base64\":\"" + png + "\",\"params\":{\"threshold\":\"high\"}",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "background SQL",
                        "\"image_base64\":\""
                                + png
                                + "\",\"params\":{\"background\":\""
                                + SQL
                                + "\"}",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "params with NUL",
                        "\"image_base64\":\"" + png + "\",\"params\":{\"k\":\"\\u0000\"}",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "created_at garbage",
                        "\"image_base64\":\"" + png + "\",\"created_at\":\"yesterday\"",
                        "failed:INVALID_EVENT"));

        // Images that must not be decoded, or cannot be.
        c.add(
                event(
                        "base64 over the limit",
                        "\"image_base64\":\""
                                + "A".repeat((int) (maxInlineBytes * 4 / 3 + 400))
                                + "\"",
                        "failed:IMAGE_TOO_LARGE"));
        c.add(
                image(
                        "PNG claiming 50000x50000",
                        BadImages.pngClaiming(50_000, 50_000),
                        "failed:IMAGE_TOO_LARGE"));
        c.add(
                image(
                        "PNG claiming 20000x20000",
                        BadImages.pngClaiming(20_000, 20_000),
                        "failed:IMAGE_TOO_LARGE"));
        c.add(
                image(
                        "GIF claiming 20000x20000",
                        gifClaiming(20_000, 20_000),
                        "failed:IMAGE_TOO_LARGE"));
        c.add(
                image(
                        "JPEG claiming 60000x60000",
                        jpegClaiming(60_000, 60_000),
                        "failed:IMAGE_TOO_LARGE"));
        c.add(
                event(
                        "missing key",
                        "\"image_uri\":\"s3://" + bucket + "/uploads/hostile/no/such/key.png\"",
                        "failed:SOURCE_NOT_FOUND"));

        // Sources outside source.allowed (by default the user's own uploads/<user_id>/): refused
        // unread.
        c.add(
                event(
                        "missing bucket",
                        "\"image_uri\":\"s3://no-such-bucket-here/x.png\"",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(
                event(
                        "another user's upload",
                        "\"image_uri\":\"s3://" + bucket + "/uploads/victim/a.png\"",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(
                event(
                        "shared uploads area",
                        "\"image_uri\":\"s3://" + bucket + "/uploads/a.png\"",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(
                event(
                        "another job's result",
                        "\"image_uri\":\"s3://" + bucket + "/original/" + "a".repeat(64) + ".png\"",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(
                event(
                        "checkpoint bucket",
                        "\"image_uri\":\"s3://rmbg-checkpoints/checkpoints/_metadata\"",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(
                raw(
                        "user_id with a slash into another's folder",
                        "{\"user_id\":\"victim/x\",\"image_uri\":\"s3://"
                                + bucket
                                + "/uploads/victim/x/a.png\"}",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(
                raw(
                        "user_id '..'",
                        "{\"user_id\":\"..\",\"image_uri\":\"s3://"
                                + bucket
                                + "/uploads/victim/a.png\"}",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(
                raw(
                        "user_id a wildcard",
                        "{\"user_id\":\"*\",\"image_uri\":\"s3://"
                                + bucket
                                + "/uploads/victim/a.png\"}",
                        "failed:SOURCE_NOT_ALLOWED"));
        c.add(image("a PDF", BadImages.notAnImage(), "failed:UNSUPPORTED_FORMAT"));
        c.add(image("random bytes", random(4096), "failed:UNSUPPORTED_FORMAT"));
        c.add(image("WebP without a decoder", webpHeader(), "failed:UNSUPPORTED_FORMAT"));
        c.add(
                image(
                        "truncated PNG",
                        Arrays.copyOf(SampleImages.png(64, 64), 60),
                        "failed:IMAGE_DECODE"));
        c.add(image("truncated JPEG", BadImages.truncatedJpeg(), "failed:IMAGE_DECODE"));
        c.add(image("PNG 0x0", BadImages.pngClaiming(0, 0), "failed:IMAGE_DECODE"));
        c.add(image("PNG with corrupt pixel data", corruptIdat(), "failed:IMAGE_DECODE"));
        c.add(
                image(
                        "GIF header, then garbage",
                        concat(gifClaiming(16, 16), random(64)),
                        "failed:IMAGE_DECODE"));

        // Odd but valid: these must complete.
        c.add(image("1x1 PNG", SampleImages.png(1, 1), "completed"));
        c.add(
                image(
                        "16-bit greyscale PNG",
                        SampleImages.encode(
                                new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY), "png"),
                        "completed"));
        c.add(image("CMYK JPEG", cmykJpeg(48, 32), "completed"));
        c.add(image("animated GIF", animatedGif(), "completed"));
        c.add(
                image(
                        "polyglot: PNG then a ZIP",
                        concat(SampleImages.png(32, 32), "PK\u0003\u0004zip".getBytes(UTF_8)),
                        "completed"));
        c.add(
                json(
                        "SQL and traversal as user_id",
                        "{\"job_id\":\""
                                + JOB
                                + "\",\"user_id\":\""
                                + SQL
                                + "/"
                                + TRAVERSAL
                                + "\",\"image_base64\":\""
                                + png
                                + "\",\"tags\":[\""
                                + SQL
                                + "\"]}",
                        "completed"));
        return c;
    }

    /**
     * Records whose danger lies beyond one record's processing: in the sinks (values PostgreSQL or
     * Kafka would refuse), the statistics (a future date) or other users' jobs. Only the whole
     * pipeline can show how they end. {@code dlq:CODE} names the dead letter's code.
     */
    static List<Fixture> pipelineCorpus(int maxRecordBytes) {
        List<Fixture> c = new ArrayList<>();
        String png = b64(SampleImages.png(48, 40));
        String image = "\"image_base64\":\"" + png + "\"";
        c.add(
                event(
                        "created_at beyond epoch milliseconds",
                        image + ",\"created_at\":\"+999999999-12-31T23:59:59Z\"",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "created_at beyond timestamptz",
                        image + ",\"created_at\":\"+300000-01-01T00:00:00Z\"",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "created_at before 1970",
                        image + ",\"created_at\":\"1900-01-01T00:00:00Z\"",
                        "failed:INVALID_EVENT"));
        c.add(
                event(
                        "created_at next year",
                        image
                                + ",\"created_at\":\""
                                + java.time.Instant.now().plus(java.time.Duration.ofDays(400))
                                + "\"",
                        "completed"));
        c.add(
                event(
                        "a model answering NaN",
                        image + ",\"params\":{\"model\":\"rmbg-2.0\"}",
                        "failed:INFERENCE"));
        c.add(
                event(
                        "params of 64 KiB",
                        image + ",\"params\":{\"note\":\"" + "p".repeat(64 * 1024) + "\"}",
                        "failed:INVALID_EVENT"));
        c.add(
                json(
                        "lone surrogates in user_id, tags and params",
                        "{\"user_id\":\"a\\ud800b\","
                                + image
                                + ",\"tags\":[\"x\\udc00\"],\"params\":{\"k\":\"\\ud83d\"}}",
                        "completed"));
        c.add(
                json(
                        "job_id upper case",
                        "{\"job_id\":\""
                                + JOB_2.toUpperCase(java.util.Locale.ROOT)
                                + "\",\"user_id\":\"alice\","
                                + image
                                + "}",
                        "completed"));
        c.add(
                json(
                        "another user's job_id",
                        "{\"job_id\":\"" + JOB_2 + "\",\"user_id\":\"mallory\"," + image + "}",
                        "dlq:JOB_ID_CONFLICT"));
        c.add(
                json(
                        "another user's job_id, invalid too",
                        "{\"job_id\":\"" + JOB_2 + "\",\"user_id\":\"mallory\",\"tags\":7}",
                        "dlq:JOB_ID_CONFLICT"));
        c.add(
                image(
                        "BMP declaring an embedded PNG of 1.9 GB",
                        BadImages.bmpWithEmbedded(5, 1_900_000_000L),
                        "failed:UNSUPPORTED_FORMAT"));
        c.add(
                image(
                        "BMP declaring an embedded JPEG of 1.9 GB",
                        BadImages.bmpWithEmbedded(4, 1_900_000_000L),
                        "failed:UNSUPPORTED_FORMAT"));
        c.add(
                image(
                        "PNG whose zTXt inflates to 256 MB",
                        BadImages.pngWithTextBomb(256 << 20),
                        "failed:UNSUPPORTED_FORMAT"));
        c.add(image("legal 16-bit 49-megapixel PNG", BadImages.png16(7000, 7000), "completed"));
        byte[] huge = new byte[maxRecordBytes - 4096];
        Arrays.fill(huge, (byte) 'x');
        huge[0] = '{';
        c.add(new Fixture("unusable record at the topic's limit", huge, "dlq"));
        return c;
    }

    static final String JOB_2 = "5a7e4c1d-93b2-4f0e-8d6a-2c9b1e0f4a77";

    private static Fixture raw(String name, String value, String expected) {
        return new Fixture(name, value.getBytes(UTF_8), expected);
    }

    private static Fixture json(String name, String value, String expected) {
        return raw(name, value, expected);
    }

    private static Fixture event(String name, String fields, String expected) {
        return raw(
                name,
                "{\"user_id\":\"hostile\"" + (fields.isEmpty() ? "" : "," + fields) + "}",
                expected);
    }

    private static Fixture image(String name, byte[] bytes, String expected) {
        return event(name, "\"image_base64\":\"" + b64(bytes) + "\"", expected);
    }

    private static String tags(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        return sb.append(']').toString();
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new java.util.Random(n).nextBytes(b);
        b[0] = 0x13; // no image magic
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A GIF whose logical screen claims {@code w x h}, followed by nothing. */
    private static byte[] gifClaiming(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(13).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(UTF_8))
                .putShort((short) w)
                .putShort((short) h)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        return b.array();
    }

    /** A valid JPEG whose SOF0 segment claims {@code w x h}. */
    private static byte[] jpegClaiming(int w, int h) {
        byte[] jpeg = SampleImages.jpeg(16, 16);
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                ByteBuffer.wrap(jpeg).putShort(i + 5, (short) h).putShort(i + 7, (short) w);
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF0 in the sample JPEG");
    }

    private static byte[] webpHeader() {
        byte[] b = new byte[64];
        System.arraycopy("RIFF".getBytes(UTF_8), 0, b, 0, 4);
        System.arraycopy("WEBPVP8 ".getBytes(UTF_8), 0, b, 8, 8);
        return b;
    }

    /** A PNG whose IDAT chunk's data is overwritten (CRC fixed up, so only inflating fails). */
    private static byte[] corruptIdat() {
        byte[] png = SampleImages.png(64, 64);
        ByteBuffer b = ByteBuffer.wrap(png);
        int at = 8;
        while (at < png.length) {
            int len = b.getInt(at);
            String type = new String(png, at + 4, 4, UTF_8);
            if (type.equals("IDAT")) {
                for (int i = 0; i < len; i++) {
                    png[at + 8 + i] = (byte) (0x5A ^ i);
                }
                CRC32 crc = new CRC32();
                crc.update(png, at + 4, 4 + len);
                b.putInt(at + 8 + len, (int) crc.getValue());
                return png;
            }
            at += 12 + len;
        }
        throw new IllegalStateException("no IDAT");
    }

    private static byte[] cmykJpeg(int w, int h) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {x * 5, y * 7, 0, 40});
            }
        }
        return write("jpeg", writer -> writer.write(null, new IIOImage(raster, null, null), null));
    }

    private static byte[] animatedGif() {
        BufferedImage first = SampleImages.disc(48, 48, BufferedImage.TYPE_BYTE_INDEXED);
        BufferedImage second = SampleImages.disc(48, 48, BufferedImage.TYPE_BYTE_INDEXED);
        return write(
                "gif",
                writer -> {
                    writer.prepareWriteSequence(null);
                    writer.writeToSequence(new IIOImage(first, null, null), null);
                    writer.writeToSequence(new IIOImage(second, null, null), null);
                    writer.endWriteSequence();
                });
    }

    private interface WriteStep {
        void write(ImageWriter writer) throws IOException;
    }

    private static byte[] write(String format, WriteStep step) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            step.write(writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
