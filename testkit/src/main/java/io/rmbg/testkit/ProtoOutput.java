package io.rmbg.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The handful of protobuf wire-format primitives {@link OnnxModelWriter} needs. Messages are built
 * bottom-up: a child message is encoded into its own {@code ProtoOutput} first, then embedded as a
 * length-delimited field of its parent, which avoids computing sizes ahead of time.
 */
final class ProtoOutput {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int WIRE_FIXED32 = 5;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    ProtoOutput varintField(int field, long value) {
        tag(field, WIRE_VARINT);
        varint(value);
        return this;
    }

    ProtoOutput floatField(int field, float value) {
        tag(field, WIRE_FIXED32);
        int bits = Float.floatToRawIntBits(value);
        bytes.write(bits);
        bytes.write(bits >>> 8);
        bytes.write(bits >>> 16);
        bytes.write(bits >>> 24);
        return this;
    }

    ProtoOutput stringField(int field, String value) {
        return bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoOutput bytesField(int field, byte[] value) {
        tag(field, WIRE_LENGTH_DELIMITED);
        varint(value.length);
        bytes.writeBytes(value);
        return this;
    }

    ProtoOutput messageField(int field, ProtoOutput message) {
        return bytesField(field, message.toByteArray());
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private void tag(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
        // Negative int64 values take the full ten bytes, as protobuf specifies.
        while ((value & ~0x7FL) != 0) {
            bytes.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        bytes.write((int) value);
    }
}
