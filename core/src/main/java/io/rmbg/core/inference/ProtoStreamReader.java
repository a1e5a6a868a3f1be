package io.rmbg.core.inference;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * A forward protobuf reader over a file channel that can seek instead of reading: skipping a large
 * field (an initializer's weights) costs a position change, not a read. Reads through a 64 KiB
 * buffer. Not thread-safe; one per file being read.
 */
final class ProtoStreamReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

    /** File offset of {@code buffer[0]}. */
    private long bufferStart;

    ProtoStreamReader(FileChannel channel) {
        this.channel = channel;
        buffer.limit(0);
    }

    long position() {
        return bufferStart + buffer.position();
    }

    long readVarint() throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varint at " + position());
    }

    /** Reads a length prefix and returns where the message it announces ends. */
    long messageEnd(long enclosingEnd) throws IOException {
        long length = readVarint();
        long end = position() + length;
        if (length < 0 || end > enclosingEnd) {
            throw new IOException(
                    "field of " + length + " bytes at " + position() + " overruns its message");
        }
        return end;
    }

    String readString(long enclosingEnd, int maxBytes) throws IOException {
        long end = messageEnd(enclosingEnd);
        long length = end - position();
        if (length > maxBytes) {
            throw new IOException("name of " + length + " bytes at " + position());
        }
        byte[] bytes = new byte[(int) length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) readByte();
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    void skipField(int wireType, long enclosingEnd) throws IOException {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> seek(position() + 8, enclosingEnd);
            case LENGTH_DELIMITED -> seek(messageEnd(enclosingEnd), enclosingEnd);
            case FIXED32 -> seek(position() + 4, enclosingEnd);
            default ->
                    throw new IOException(
                            "unsupported wire type " + wireType + " at " + position());
        }
    }

    private void seek(long target, long enclosingEnd) throws IOException {
        if (target > enclosingEnd) {
            throw new IOException("field at " + position() + " overruns its message");
        }
        long offset = target - bufferStart;
        if (offset >= 0 && offset <= buffer.limit()) {
            buffer.position((int) offset);
        } else {
            bufferStart = target;
            buffer.limit(0);
        }
    }

    private int readByte() throws IOException {
        if (!buffer.hasRemaining()) {
            fill();
        }
        return buffer.get() & 0xFF;
    }

    private void fill() throws IOException {
        bufferStart = position();
        buffer.clear();
        int read = 0;
        while (read == 0) {
            read = channel.read(buffer, bufferStart);
        }
        buffer.flip();
        if (read < 0) {
            throw new EOFException("unexpected end of file at " + bufferStart);
        }
    }
}
